import Foundation
import ReportModel

/// What sitegen must do with a hostile input file.
public enum HostileOutcome: String, Sendable, Hashable {
    /// Skipped as a whole, with a reason that names the file.
    case refused
    /// Read and counted; every string from it must come out inert.
    case read
    /// Some parts read and counted, the others refused with a reason.
    case partlyRead
}

/// One file of the hostile corpus.
public struct HostileFile: Sendable {
    /// Relative to the reports folder.
    public var path: String
    /// What it tries, in one line.
    public var threat: String
    public var outcome: HostileOutcome
    /// DMARC messages (for the corpus domain) that the file adds when its readable parts are read.
    public var messages: Int
    /// SMTP TLS sessions it adds, successful and failed together.
    public var tlsSessions: Int
    fileprivate var contents: Contents

    fileprivate enum Contents: Sendable {
        case bytes(Data)
        /// `prefix`, then a hole up to `size` bytes (a sparse file: nothing is stored for it).
        case sparse(prefix: Data, size: Int)
    }

    /// The size of the file on disk as seen by a reader.
    public var size: Int {
        switch contents {
        case .bytes(let data): data.count
        case .sparse(_, let size): size
        }
    }
}

/// Files that attack the loader and the renderer: entity tricks, compression bombs, path
/// traversal in archive entries, broken encodings, absurd counts and nesting, oversized files,
/// and report text carrying HTML, CSS, SVG, spreadsheet-formula and bidi payloads. They are
/// made here, at run time, never downloaded; the bombs expand to gigabytes but are written
/// from a repeated compressed piece, so nothing large is ever held in memory.
///
/// Every readable report is for `domain` in the month of `begin`, so a test can check exact
/// totals: the sum of `messages` over the files.
public struct HostileCorpus: Sendable {
    public var domain: String
    public var begin: Int64

    public init(domain: String = "contoso.example", begin: Int64 = 1_764_547_200) {
        self.domain = domain
        self.begin = begin
    }

    /// Text that must never reach a page as markup: each is planted in report strings.
    public static let markupPayloads = [
        #"<script>alert("sitegen-xss")</script>"#,
        #""><img src=x onerror=alert(1)>"#,
        #"</style><style>body{background:url("javascript:alert(2)")}</style>"#,
        #"<svg onload=alert(3)><foreignObject><iframe srcdoc=x></iframe></foreignObject></svg>"#,
        #"' onfocus='alert(4)' autofocus='"#,
    ]
    /// Cells a spreadsheet would run as formulas.
    public static let formulaPayloads = [
        #"=HYPERLINK("https://evil.example/","open")"#, "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
    ]
    /// Unicode bidi controls that reorder the text around them (Trojan Source).
    public static let bidiControls: [Unicode.Scalar] = [
        "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}",
    ]
    /// What an expanded entity or a read `/etc/passwd` would put into a report.
    public static let entityMarkers = ["ENTITY-EXPANDED", "root:x:0:0", "lollollol"]

    public var files: [HostileFile] {
        entityFiles + bombFiles + archivePathFiles + encodingFiles + countFiles + nestingFiles
            + injectionFiles + nameFiles
    }

    /// Writes every file below `folder` (created if needed) and returns them.
    @discardableResult
    public func write(to folder: URL) throws -> [HostileFile] {
        let manager = FileManager.default
        let files = self.files
        for file in files {
            let url = folder.appendingPathComponent(file.path)
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            switch file.contents {
            case .bytes(let data):
                try data.write(to: url)
            case .sparse(let prefix, let size):
                try prefix.write(to: url)
                let handle = try FileHandle(forWritingTo: url)
                try handle.truncate(atOffset: UInt64(size))
                try handle.close()
            }
        }
        return files
    }

    // MARK: - Entities and DTDs

    private var entityFiles: [HostileFile] {
        let internalEntity = #"<!DOCTYPE feedback [<!ENTITY name "ENTITY-EXPANDED">]>"#
        let lol = (1...9).map { level in
            #"<!ENTITY lol\#(level) "\#(String(repeating: "&lol\(level - 1);", count: 10))">"#
        }.joined(separator: "\n")
        return [
            refused("entities/xxe-file.xml", "external entity reading /etc/passwd (XXE)", xml(
                prolog: #"<!DOCTYPE feedback [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>"#, org: "&xxe;", id: "xxe-file")),
            refused("entities/xxe-parameter.xml", "external parameter entity loading a DTD over the network", xml(
                prolog: #"<!DOCTYPE feedback [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>"#,
                org: "&exfiltrate;", id: "xxe-parameter")),
            refused("entities/xxe-public-dtd.xml", "external DTD subset", xml(
                prolog: #"<!DOCTYPE feedback PUBLIC "-//EVIL//DTD" "http://127.0.0.1:9/evil.dtd">"#, org: "x", id: "xxe-public")),
            refused("entities/billion-laughs.xml", "entity expansion bomb (billion laughs)", xml(
                prolog: "<!DOCTYPE feedback [\n<!ENTITY lol0 \"lol\">\n\(lol)\n]>", org: "&lol9;", id: "billion-laughs")),
            refused("entities/internal-entity-utf16.xml", "DOCTYPE hidden by UTF-16 encoding", HostileFile.Contents.bytes(
                Data([0xFF, 0xFE]) + utf16LE(xmlText(prolog: internalEntity, org: "&name;", id: "utf16-entity")))),
            refused("entities/internal-entity-nul-bytes.xml",
                    "UTF-16 without a byte order mark behind a space, which a byte scan for <!DOCTYPE misses",
                    .bytes(Data(" ".utf8) + utf16LE(xmlText(declaration: false, prolog: internalEntity, org: "&name;", id: "nul-entity")))),
            refused("entities/internal-entity-utf7.xml",
                    "UTF-7 declared with a tab before '=', hiding <!DOCTYPE as +ADw-!DOCTYPE",
                    .bytes(Data("<?xml version=\"1.0\" encoding\t=\"UTF-7\"?>".utf8)
                        + Data(utf7(xmlText(declaration: false, prolog: internalEntity, org: "&name;", id: "utf7-entity")).utf8))),
        ]
    }

    // MARK: - Compression bombs and oversized files

    private var bombFiles: [HostileFile] {
        let gzipBomb = CompressionBombs.gzip(mebibytes: 4_096)
        var zipBomb = HostileZip()
        for index in 1...3 { zipBomb.addZeros("bomb-\(index).xml", mebibytes: 1_024) }
        zipBomb.add("good-beside-bombs.xml", ReportXMLWriter().data(for: goodReport(id: "zip-good", count: 211)))
        var overlap = HostileZip()
        overlap.addZeros("overlap-0.xml", mebibytes: 1_024, aliases: (1..<1_000).map { "overlap-\($0).xml" })
        let prefix = Data(xmlText(org: "huge.example", id: "huge").utf8)
        return [
            refused("bombs/gzip-bomb.xml.gz", "gzip of 4 GiB of zeros", .bytes(gzipBomb)),
            refused("bombs/gzip-in-gzip-bomb.gz", "gzip inside gzip, 4 GiB of zeros", .bytes((try? ReportPackager.gzip(gzipBomb)) ?? Data())),
            HostileFile(path: "bombs/zip-bomb.zip", threat: "zip of three 1 GiB entries of zeros beside a good report",
                        outcome: .partlyRead, messages: 211, tlsSessions: 0, contents: .bytes(zipBomb.bytes())),
            refused("bombs/zip-overlapping-entries.zip", "1,000 zip entries sharing one 1 GiB body (1 TiB claimed)", .bytes(overlap.bytes())),
            refused("bombs/huge-report.xml", "a 200 MB report, over the 64 MiB file limit", .sparse(prefix: prefix, size: 200_000_000)),
            refused("bombs/empty.xml", "an empty file", .bytes(Data())),
        ]
    }

    // MARK: - Archive entry and attachment names

    private var archivePathFiles: [HostileFile] {
        var zip = HostileZip()
        let names = ["../../etc/passwd", "/etc/cron.d/sitegen", #"..\..\windows\win.ini"#, "a/../../../b.xml"]
        for (index, name) in names.enumerated() {
            zip.add(name, ReportXMLWriter().data(for: goodReport(id: "traversal-\(index)", count: 11 + index)))
        }
        let attachment = ReportXMLWriter().data(for: goodReport(id: "mail-traversal", count: 37))
        return [
            HostileFile(path: "archives/zip-traversal.zip", threat: "zip entries named ../../etc/passwd and absolute paths",
                        outcome: .read, messages: (0..<names.count).reduce(0) { $0 + 11 + $1 }, tlsSessions: 0,
                        contents: .bytes(zip.bytes())),
            HostileFile(path: "archives/mail-traversal.eml", threat: "an e-mail attachment named ../../../etc/passwd",
                        outcome: .read, messages: 37, tlsSessions: 0,
                        contents: .bytes(mail(attachmentName: "../../../etc/passwd", attachment))),
        ]
    }

    // MARK: - Encodings

    private var encodingFiles: [HostileFile] {
        var badXML = Data(xmlText(org: "INVALID-UTF8", id: "invalid-utf8").utf8)
        if let range = badXML.range(of: Data("INVALID-UTF8".utf8)) {
            badXML.replaceSubrange(range, with: [0x62, 0x61, 0x64, 0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80])
        }
        var badJSON = tlsJSON(id: "invalid-utf8", org: "INVALID-UTF8", successful: 1, failed: 0)
        if let range = badJSON.range(of: Data("INVALID-UTF8".utf8)) {
            badJSON.replaceSubrange(range, with: [0x62, 0x61, 0x64, 0xC3, 0x28, 0xFF])
        }
        return [
            refused("encoding/invalid-utf8.xml", "bytes that are not UTF-8 in a UTF-8 report", .bytes(badXML)),
            refused("encoding/invalid-utf8.json", "bytes that are not UTF-8 in a TLS report", .bytes(badJSON)),
            refused("encoding/unknown-encoding.xml", "an encoding no reader knows", .bytes(Data(
                xmlText(org: "x", id: "unknown-encoding").replacingOccurrences(of: "<?xml version=\"1.0\"?>",
                                                                               with: "<?xml version=\"1.0\" encoding=\"x-evil-1\"?>").utf8))),
            refused("encoding/random-bytes.bin", "bytes that are no report at all",
                    .bytes(Data((0..<4_096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }))),
        ]
    }

    // MARK: - Counts

    private var countFiles: [HostileFile] {
        let counts = [
            ("2pow63", "9223372036854775808"), ("int64-max", "9223372036854775807"), ("negative", "-5"),
            ("over-limit", "1000000000001"), ("fraction", "1.5"), ("hex", "0x10"), ("huge-digits", String(repeating: "9", count: 5_000)),
        ]
        let dmarc = counts.map { name, count in
            refused("counts/count-\(name).xml", "a record count of \(count.prefix(24))",
                    .bytes(Data(xmlText(org: "counts.example", id: "count-\(name)", count: count).utf8)))
        }
        let tls = [("2pow63", "9223372036854775808"), ("negative", "-5"), ("exponent", "1e300")].map { name, count in
            refused("counts/tls-count-\(name).json", "a TLS session count of \(count)",
                    .bytes(Data(String(decoding: tlsJSON(id: "tls-count-\(name)", org: "counts.example", successful: 1, failed: 0), as: UTF8.self)
                        .replacingOccurrences(of: "\"total-successful-session-count\":1", with: "\"total-successful-session-count\":\(count)").utf8)))
        }
        return dmarc + tls
    }

    // MARK: - Nesting

    private var nestingFiles: [HostileFile] {
        let depth = 10_000
        let nestedXML = "<?xml version=\"1.0\"?>\n<feedback>" + String(repeating: "<a>", count: depth)
            + String(repeating: "</a>", count: depth) + "</feedback>\n"
        let nestedJSON = "{\"organization-name\":" + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        var nestedMail = "From: reports@evil.example\r\nSubject: nested\r\nMIME-Version: 1.0\r\n"
        for level in 0..<depth {
            nestedMail += "Content-Type: multipart/mixed; boundary=\"b\(level)\"\r\n\r\n--b\(level)\r\n"
        }
        nestedMail += "Content-Type: text/plain\r\n\r\nbottom\r\n"
        for level in (0..<depth).reversed() { nestedMail += "--b\(level)--\r\n" }
        return [
            refused("nesting/deep-elements.xml", "10,000 nested XML elements", .bytes(Data(nestedXML.utf8))),
            refused("nesting/deep-arrays.json", "10,000 nested JSON arrays", .bytes(Data(nestedJSON.utf8))),
            refused("nesting/deep-multipart.eml", "10,000 nested MIME multiparts", .bytes(Data(nestedMail.utf8))),
        ]
    }

    // MARK: - Payloads in report text

    /// `text` with a payload of each kind and bidi controls around it.
    private static func laced(_ text: String, _ index: Int) -> String {
        let markup = markupPayloads[index % markupPayloads.count]
        let bidi = String(bidiControls[index % bidiControls.count])
        return "\(text) \(markup) \u{202E}\(bidi)lmth.exe\u{202C}\u{2069}"
    }

    private var injectionFiles: [HostileFile] {
        let laced = Self.laced
        let report = AggregateReport(
            schema: .rfc7489, version: "1.0",
            metadata: ReportMetadata(
                orgName: laced("Evil Reporter", 0), email: "dmarc@evil.example", extraContactInfo: laced("https://evil.example/", 1),
                reportID: laced("injection-report", 2), dateRange: DateRange(begin: begin, end: begin + 86_399),
                errors: [laced("error text", 3)], generator: laced("generator", 4)),
            policy: PublishedPolicy(domain: domain, p: PolicyAction.none, pct: 100),
            records: [
                ReportRecord(
                    sourceIP: "203.0.113.66", count: 41, disposition: .none, dkimAligned: .fail, spfAligned: .fail,
                    overrideReasons: [OverrideReason(type: .forwarded, comment: laced("reason", 0))],
                    headerFrom: "svg-onload-alert.\(domain)",
                    envelopeFrom: Self.formulaPayloads[0], envelopeTo: laced("envelope-to", 1),
                    dkimResults: [DKIMAuthResult(domain: "evil-\u{202E}moc.example", selector: laced("sel", 2), result: .fail,
                                                 humanResult: laced("human", 3))],
                    spfResults: [SPFAuthResult(domain: Self.formulaPayloads[1], scope: "mfrom", result: .fail,
                                               humanResult: Self.formulaPayloads[2])]),
                ReportRecord(
                    sourceIP: "198.51.100.7", count: 43, disposition: .quarantine, dkimAligned: .pass, spfAligned: .fail,
                    headerFrom: domain, envelopeFrom: laced("envelope", 4),
                    dkimResults: [DKIMAuthResult(domain: domain, selector: "s1", result: .pass)]),
            ])
        let tls = TLSReport(
            organizationName: laced("Evil TLS Reporter", 0), dateRange: DateRange(begin: begin, end: begin + 86_399),
            contactInfo: laced("mailto:tls@evil.example", 1), reportID: laced("injection-tls", 2),
            policies: [TLSPolicyResult(
                policyType: .sts, policyStrings: [laced("version: STSv1", 3), Self.formulaPayloads[0]], policyDomain: domain,
                mxHosts: [laced("mx.evil.example", 4)], totalSuccessfulSessions: 47, totalFailureSessions: 5,
                failures: [TLSFailureDetail(
                    resultType: .unknown(laced("result-type", 0)), sendingMTAIP: laced("192.0.2.9", 1),
                    receivingMXHostname: laced("mx1.evil.example", 2), receivingMXHelo: laced("helo", 3),
                    receivingIP: Self.formulaPayloads[1], failedSessionCount: 5,
                    additionalInformation: laced("javascript:alert(5)", 4), failureReasonCode: Self.formulaPayloads[2])])])
        return [
            HostileFile(path: "injection/markup-in-report.xml", threat: "HTML, CSS, SVG, formula and bidi payloads in every report string",
                        outcome: .read, messages: 84, tlsSessions: 0, contents: .bytes(ReportXMLWriter().data(for: report))),
            HostileFile(path: "injection/markup-in-tls-report.json", threat: "the same payloads in an SMTP TLS report",
                        outcome: .read, messages: 0, tlsSessions: 52, contents: .bytes(TLSReportJSONWriter().data(for: tls))),
        ]
    }

    // MARK: - File names

    private var nameFiles: [HostileFile] {
        let good: [(String, Int)] = [
            ("names/new\nline.xml", 23), ("names/dots..in..name.xml", 29), ("names/x..%2f..%2fetc%2fpasswd.xml", 31),
            ("names/invoice\u{202E}lmx.exe.xml", 53), ("names/<img src=x onerror=alert(1)>.xml", 59),
        ]
        let read = good.map { path, count in
            HostileFile(path: path, threat: "a good report under a hostile file name", outcome: .read, messages: count, tlsSessions: 0,
                        contents: .bytes(ReportXMLWriter().data(for: goodReport(id: "name-\(count)", count: count))))
        }
        return read + [
            refused("names/broken\nfake summary line.xml", "a broken report whose name would forge a line in the run summary",
                    .bytes(Data("<feedback><report_metadata>".utf8))),
            refused("names/broken\u{202E}lmx.xml", "a broken report whose name reorders the run summary",
                    .bytes(Data("<feedback>".utf8))),
        ]
    }

    // MARK: - Building blocks

    private func refused(_ path: String, _ threat: String, _ contents: HostileFile.Contents) -> HostileFile {
        HostileFile(path: path, threat: threat, outcome: .refused, messages: 0, tlsSessions: 0, contents: contents)
    }

    private func xml(prolog: String, org: String, id: String) -> HostileFile.Contents {
        .bytes(Data(xmlText(prolog: prolog, org: org, id: id).utf8))
    }

    /// A report written by hand, so that its parts can be anything, entity references included.
    private func xmlText(declaration: Bool = true, prolog: String = "", org: String, id: String, count: String = "7") -> String {
        """
        \(declaration ? "<?xml version=\"1.0\"?>\n" : "")\(prolog.isEmpty ? "" : prolog + "\n")<feedback>
          <report_metadata><org_name>\(org)</org_name><email>dmarc@evil.example</email>
            <report_id>hostile-\(id)</report_id><date_range><begin>\(begin)</begin><end>\(begin + 86_399)</end></date_range>
          </report_metadata>
          <policy_published><domain>\(domain)</domain><p>none</p></policy_published>
          <record>
            <row><source_ip>192.0.2.99</source_ip><count>\(count)</count>
              <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row>
            <identifiers><header_from>\(domain)</header_from></identifiers>
            <auth_results><dkim><domain>\(domain)</domain><result>pass</result></dkim></auth_results>
          </record>
        </feedback>

        """
    }

    private func goodReport(id: String, count: Int) -> AggregateReport {
        AggregateReport(
            schema: .rfc7489, version: "1.0",
            metadata: ReportMetadata(orgName: "good-reporter.example", email: "dmarc@good-reporter.example", reportID: "hostile-\(id)",
                                     dateRange: DateRange(begin: begin, end: begin + 86_399)),
            policy: PublishedPolicy(domain: domain, p: PolicyAction.none, pct: 100),
            records: [ReportRecord(
                sourceIP: "192.0.2.10", count: count, disposition: .none, dkimAligned: .pass, spfAligned: .pass, headerFrom: domain,
                dkimResults: [DKIMAuthResult(domain: domain, selector: "s1", result: .pass)],
                spfResults: [SPFAuthResult(domain: domain, scope: "mfrom", result: .pass)])])
    }

    private func tlsJSON(id: String, org: String, successful: Int, failed: Int) -> Data {
        let report = TLSReport(
            organizationName: org, dateRange: DateRange(begin: begin, end: begin + 86_399), contactInfo: "tls@evil.example",
            reportID: "hostile-\(id)",
            policies: [TLSPolicyResult(policyType: .sts, policyDomain: domain, totalSuccessfulSessions: successful, totalFailureSessions: failed)])
        return TLSReportJSONWriter().data(for: report)
    }

    private func mail(attachmentName: String, _ attachment: Data) -> Data {
        let body = attachment.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return Data("""
            From: noreply-dmarc@good-reporter.example\r
            To: dmarc@\(domain)\r
            Subject: Report domain: \(domain)\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="hostile-boundary"\r
            \r
            --hostile-boundary\r
            Content-Type: text/plain\r
            \r
            An aggregate report is attached.\r
            --hostile-boundary\r
            Content-Type: application/xml; name="\(attachmentName)"\r
            Content-Disposition: attachment; filename="\(attachmentName)"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(body)\r
            --hostile-boundary--\r

            """.utf8)
    }

    private func utf16LE(_ text: String) -> Data {
        var data = Data()
        for unit in text.utf16 { data.append(contentsOf: [UInt8(unit & 0xFF), UInt8(unit >> 8)]) }
        return data
    }

    /// RFC 2152 UTF-7 with every character outside letters, digits and white space encoded.
    private func utf7(_ text: String) -> String {
        var out = ""
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            let bytes = pending.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
            out += "+" + Data(bytes).base64EncodedString().replacingOccurrences(of: "=", with: "") + "-"
            pending = []
        }
        for scalar in text.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == " " || scalar == "\n" {
                flush()
                out.unicodeScalars.append(scalar)
            } else {
                pending += Array(String(scalar).utf16)
            }
        }
        flush()
        return out
    }
}
