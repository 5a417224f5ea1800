import Foundation
@testable import ReportModel
import Testing

@Suite("MailMessage")
struct MailMessageTests {
    /// Joins header and body lines with CRLF (or `lineEnd`), as a mail transport would.
    private static func mail(_ lines: [String], lineEnd: String = "\r\n") -> Data {
        Data(lines.joined(separator: lineEnd).utf8)
    }

    private static func attachments(_ lines: [String], lineEnd: String = "\r\n", limits: InputLimits = .standard)
        throws(MailError) -> [MailPart] {
        try MailMessage.attachments(of: mail(lines, lineEnd: lineEnd), limits: limits)
    }

    private static let gzipBytes: [UInt8] = [0x1F, 0x8B, 0x08, 0x00] + (0..<201).map { UInt8(truncatingIfNeeded: $0 &* 37) }

    // MARK: Transfer encodings

    @Test func base64WithCRLFAndMissingPaddingDecodes() throws {
        let encoded = Data(Self.gzipBytes).base64EncodedString(options: .lineLength64Characters)
            .replacingOccurrences(of: "=", with: "")
        #expect(Self.gzipBytes.count % 3 != 0, "the sample must need padding")
        let parts = try Self.attachments([
            "From: reporter@example.org",
            "Content-Type: multipart/mixed; boundary=XYZ",
            "",
            "--XYZ",
            "Content-Type: application/gzip; name=report.xml.gz",
            "Content-Transfer-Encoding: BASE64",
            "",
            encoded, "  ", "",
            "--XYZ--",
        ])
        #expect(parts == [MailPart(filename: "report.xml.gz", contentType: "application/gzip", data: Data(Self.gzipBytes))])
    }

    @Test func base64ChunksWithTheirOwnPaddingAreConcatenated() throws {
        #expect(try MailBase64.decode(Array("YQ==YmM=".utf8)[...]) == Array("abc".utf8))
        #expect(try MailBase64.decode(Array("YW Jj\r\nZA".utf8)[...]) == Array("abcd".utf8))
    }

    @Test func quotedPrintableXMLAttachmentIsKeptAndDecoded() throws {
        let parts = try Self.attachments([
            "Content-Type: multipart/mixed; boundary=\"b1\"",
            "",
            "--b1",
            "Content-Type: text/plain",
            "",
            "Report attached.",
            "--b1",
            "Content-Type: text/xml",
            "Content-Transfer-Encoding: quoted-printable",
            "Content-Disposition: attachment",
            "",
            "<?xml version=3D\"1.0\" encoding=3D\"UTF-8\"?>   ",
            "<feedback><org_name>Caf=C3=A9 Mail</org_name><report_id>a=",
            "b</report_id></feedback>",
            "--b1--",
        ])
        try #require(parts.count == 1)
        #expect(parts[0].filename == nil)
        #expect(parts[0].contentType == "text/xml")
        #expect(String(decoding: parts[0].data, as: UTF8.self) == """
            <?xml version="1.0" encoding="UTF-8"?>\r
            <feedback><org_name>Café Mail</org_name><report_id>ab</report_id></feedback>
            """)
    }

    @Test func quotedPrintableKeepsMalformedEscapes() {
        #expect(MailQuotedPrintable.decode(Array("a=3Db =ZZ c=\nd=".utf8)[...]) == Array("a=b =ZZ cd".utf8))
    }

    // MARK: Structure

    @Test func nestedMultipartInsideMultipartReportIsWalkedInOrder() throws {
        let parts = try Self.attachments([
            "Content-Type: multipart/report; report-type=feedback-report;",
            "\tboundary=\"outer\"",
            "",
            "This is the preamble.",
            "--outer",
            "Content-Type: multipart/alternative; boundary=alt",
            "",
            "--alt",
            "Content-Type: text/plain; charset=us-ascii",
            "",
            "Plain body",
            "--alt",
            "Content-Type: text/html; charset=us-ascii",
            "",
            "<p>HTML body</p>",
            "--alt--",
            "--outer",
            "Content-Type: multipart/mixed; boundary=\"inner\"",
            "",
            "--inner",
            "Content-Type: application/gzip",
            "Content-Transfer-Encoding: base64",
            "",
            Data(Self.gzipBytes).base64EncodedString(),
            "--inner",
            "Content-Type: application/zip; name=\"second.zip\"",
            "",
            "PK-not-really",
            "--inner--",
            "--outer--",
            "This is the epilogue.",
        ])
        #expect(parts.map(\.contentType) == ["application/gzip", "application/zip"])
        #expect(parts.map(\.filename) == [nil, "second.zip"])
        #expect(parts.first?.data == Data(Self.gzipBytes))
        #expect(parts.last?.data == Data("PK-not-really".utf8))
    }

    @Test func messageRFC822PartIsDescendedInto() throws {
        let parts = try Self.attachments([
            "Subject: Fwd: DMARC report",
            "Content-Type: multipart/mixed; boundary=fwd",
            "",
            "--fwd",
            "Content-Type: text/plain",
            "",
            "See the forwarded report.",
            "--fwd",
            "Content-Type: message/rfc822",
            "Content-Disposition: attachment; filename=\"original.eml\"",
            "",
            "From: noreply-dmarc-support@google.com",
            "Subject: Report domain: example.com",
            "Content-Type: application/zip;",
            " name=\"google.com!example.com!1!2.zip\"",
            "Content-Transfer-Encoding: base64",
            "",
            Data("PK\u{3}\u{4}zipdata".utf8).base64EncodedString(),
            "--fwd--",
        ])
        #expect(parts == [MailPart(
            filename: "google.com!example.com!1!2.zip", contentType: "application/zip",
            data: Data("PK\u{3}\u{4}zipdata".utf8))])
    }

    @Test func missingFinalBoundaryKeepsTheLastPart() throws {
        let parts = try Self.attachments([
            "Content-Type: multipart/mixed; boundary=cut",
            "",
            "--cut",
            "Content-Type: text/plain",
            "",
            "body",
            "--cut",
            "Content-Type: application/gzip; name=a.gz",
            "Content-Transfer-Encoding: base64",
            "",
            Data(Self.gzipBytes).base64EncodedString(),
            "",
        ])
        #expect(parts.map(\.data) == [Data(Self.gzipBytes)])
    }

    @Test func boundaryThatPrefixesANestedBoundaryDoesNotSplitIt() throws {
        let parts = try Self.attachments([
            "Content-Type: multipart/mixed; boundary=abc",
            "",
            "--abc",
            "Content-Type: multipart/mixed; boundary=abc-1",
            "",
            "--abc-1",
            "Content-Type: application/json; name=one.json",
            "",
            "{}",
            "--abc-1--",
            "--abc  ",
            "Content-Type: application/xml; name=two.xml",
            "",
            "<feedback/>",
            "--abc--",
        ], lineEnd: "\n")
        #expect(parts.map(\.filename) == ["one.json", "two.xml"])
        #expect(parts.map(\.data) == [Data("{}".utf8), Data("<feedback/>".utf8)])
    }

    @Test func partWithoutHeaderSeparatorStillYieldsItsBody() throws {
        let parts = try Self.attachments([
            "Content-Type: multipart/mixed; boundary=z",
            "",
            "--z",
            "no headers, just text",
            "--z",
            "",
            "also headerless",
            "--z",
            "Content-Type: application/octet-stream",
            "",
            "binary",
            "--z--",
        ])
        #expect(parts.map(\.data) == [Data("binary".utf8)])
    }

    @Test func headersAreUnfoldedAndCaseInsensitive() throws {
        let parts = try Self.attachments([
            "CONTENT-type: Multipart/Mixed;",
            "\tboundary=",
            "   \"fold\"",
            "",
            "--fold",
            "content-transfer-encoding : Base64",
            "Content-Type: application/gzip; name=fallback.gz",
            "Content-Disposition: ATTACHMENT; FileName=\"\"",
            "",
            Data(Self.gzipBytes).base64EncodedString(),
            "--fold--",
        ], lineEnd: "\n")
        #expect(parts == [MailPart(filename: "fallback.gz", contentType: "application/gzip", data: Data(Self.gzipBytes))])
    }

    // MARK: File names

    @Test func rfc2231FilenamesAreDecoded() throws {
        let parts = try Self.attachments([
            "Content-Type: multipart/mixed; boundary=p",
            "",
            "--p",
            "Content-Type: application/gzip",
            "Content-Disposition: attachment; filename*=UTF-8''rapport%20%C3%A9t%C3%A9.xml.gz",
            "",
            "x",
            "--p",
            "Content-Type: application/gzip; name=\"fallback.gz\"",
            "Content-Disposition: attachment;",
            " filename*0*=utf-8'fr'd%C3%A9but;",
            " filename*1=\"-suite.xml.gz\"",
            "",
            "y",
            "--p",
            "Content-Type: application/gzip; name*=iso-8859-1''caf%E9.gz",
            "",
            "z",
            "--p--",
        ])
        #expect(parts.map(\.filename) == ["rapport été.xml.gz", "début-suite.xml.gz", "café.gz"])
    }

    @Test func rfc2047FilenamesAreDecoded() throws {
        let encodedName = "=?UTF-8?B?" + Data("rapport-été.xml.gz".utf8).base64EncodedString() + "?="
        let parts = try Self.attachments([
            "Content-Type: multipart/mixed; boundary=q",
            "",
            "--q",
            "Content-Type: application/gzip; name=\"\(encodedName)\"",
            "",
            "x",
            "--q",
            "Content-Type: application/zip",
            "Content-Disposition: attachment; filename=\"=?iso-8859-1?Q?r=E9sum=E9?= =?utf-8?q?_final.zip?=\"",
            "",
            "y",
            "--q--",
        ])
        #expect(parts.map(\.filename) == ["rapport-été.xml.gz", "résumé final.zip"])
    }

    // MARK: Which parts

    @Test func singlePartGzipMessageWithMboxLineIsReturned() throws {
        let parts = try Self.attachments([
            "From MAILER-DAEMON Thu Jan  1 00:00:00 2024",
            "From: dmarc@example.net",
            "Subject: Report",
            "MIME-Version: 1.0",
            "Content-Type: application/gzip",
            "Content-Disposition: attachment;",
            "\tfilename=\"example.net!example.com!1!2.xml.gz\"",
            "Content-Transfer-Encoding: base64",
            "",
            Data(Self.gzipBytes).base64EncodedString(options: .lineLength76Characters),
        ], lineEnd: "\n")
        #expect(parts == [MailPart(
            filename: "example.net!example.com!1!2.xml.gz", contentType: "application/gzip", data: Data(Self.gzipBytes))])
    }

    @Test func plainTextMailHasNoAttachments() throws {
        #expect(try Self.attachments(["From: a@example.com", "Subject: hi", "", "Hello."]).isEmpty)
        #expect(try Self.attachments(["Subject: no content type, no body"]).isEmpty)
        #expect(try Self.attachments([
            "Content-Type: multipart/alternative; boundary=alt",
            "",
            "--alt",
            "Content-Type: text/plain",
            "",
            "text",
            "--alt",
            "Content-Type: text/html",
            "Content-Transfer-Encoding: base64",
            "",
            "not base64 but never decoded!",
            "--alt--",
        ]).isEmpty)
    }

    @Test func wrongContentTypesAreKeptAndNonReportPartsAreNot() throws {
        let parts = try Self.attachments([
            "Content-Type: multipart/report; report-type=feedback-report; boundary=r",
            "",
            "--r",
            "Content-Type: message/feedback-report; name=report",
            "",
            "Feedback-Type: auth-failure",
            "--r",
            "Content-Type: text/rfc822-headers",
            "",
            "From: someone@example.com",
            "--r",
            "Content-Type: image/png; name=logo.png",
            "",
            "PNG",
            "--r",
            "Content-Type: application/octet-stream; name=\"report.xml.gz\"",
            "",
            "gzip really",
            "--r",
            "Content-Type: text/plain; name=\"report.xml\"",
            "",
            "<feedback/>",
            "--r",
            "Content-Type: Application/TLSRPT+JSON",
            "",
            "{}",
            "--r--",
        ])
        #expect(parts.map(\.contentType) == ["application/octet-stream", "text/plain", "application/tlsrpt+json"])
    }

    // MARK: Broken messages and limits

    @Test func invalidBase64NamesThePart() {
        #expect(throws: MailError(reason: "part 2 (report.xml.gz): base64 body is not valid (unexpected '*' on line 2)")) {
            try Self.attachments([
                "Content-Type: multipart/mixed; boundary=b",
                "",
                "--b",
                "Content-Type: text/plain",
                "",
                "hi",
                "--b",
                "Content-Type: application/gzip; name=report.xml.gz",
                "Content-Transfer-Encoding: base64",
                "",
                "H4sIAAAA",
                "AAAA*AAA",
                "--b--",
            ])
        }
        #expect(throws: MailError(reason: "part 1 (application/gzip): base64 body is not valid (it ends with a lone character that cannot form a byte)")) {
            try Self.attachments(["Content-Type: application/gzip", "Content-Transfer-Encoding: base64", "", "H4sIA"])
        }
    }

    @Test func multipartWithoutBoundaryIsAnError() {
        #expect(throws: MailError(reason: "the message (multipart/mixed): no boundary parameter, so its parts cannot be found")) {
            try Self.attachments(["Content-Type: multipart/mixed", "", "--x", "", "y", "--x--"])
        }
    }

    @Test func totalDecodedSizeIsBounded() {
        let lines = [
            "Content-Type: multipart/mixed; boundary=b", "",
            "--b", "Content-Type: application/gzip", "", String(repeating: "a", count: 60),
            "--b", "Content-Type: application/gzip", "", String(repeating: "b", count: 60),
            "--b--",
        ]
        #expect(throws: MailError(reason: "the attachments decode to more than 100 bytes (the expansion limit)")) {
            try Self.attachments(lines, limits: InputLimits(maxExpandedBytes: 100))
        }
        #expect((try? Self.attachments(lines, limits: InputLimits(maxExpandedBytes: 120)))?.count == 2)
    }

    @Test func inputSizePartCountAndNestingAreBounded() {
        #expect(throws: MailError(reason: "the message is 12 bytes, over the 10 bytes file limit")) {
            try MailMessage.attachments(of: Data("Subject: x\n\n".utf8), limits: InputLimits(maxFileBytes: 10))
        }

        let manyParts = ["Content-Type: multipart/mixed; boundary=b", ""]
            + Array(repeating: ["--b", "Content-Type: application/zip", "", "z"], count: 5).flatMap { $0 } + ["--b--"]
        #expect(throws: MailError(reason: "the message has more than 4 MIME parts (the entry limit)")) {
            try Self.attachments(manyParts, limits: InputLimits(maxArchiveEntries: 4))
        }
        #expect((try? Self.attachments(manyParts, limits: InputLimits(maxArchiveEntries: 6)))?.count == 5)

        var nested = ["Content-Type: multipart/mixed; boundary=b0", ""]
        for level in 1...10 {
            nested += ["--b\(level - 1)", "Content-Type: multipart/mixed; boundary=b\(level)", ""]
        }
        #expect(throws: MailError(reason: "part 1.1.1.1.1 (multipart/mixed): MIME parts nest deeper than 5 levels")) {
            try Self.attachments(nested, limits: InputLimits(maxNesting: 1))
        }
    }

    @Test func tenMegabyteAttachmentDecodesExactly() throws {
        let payload = (0..<(10 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        let message = Self.mail([
            "Content-Type: multipart/mixed; boundary=big",
            "",
            "--big",
            "Content-Type: text/plain",
            "",
            "A big one.",
            "--big",
            "Content-Type: application/octet-stream; name=big.bin",
            "Content-Transfer-Encoding: base64",
            "",
            Data(payload).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed]),
            "--big--",
        ])
        let parts = try MailMessage.attachments(of: message, limits: .standard)
        #expect(parts.map(\.data) == [Data(payload)])
    }

    // MARK: Real mail

    private static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/corpus").standardizedFileURL
    private static let corpusExists = FileManager.default.fileExists(atPath: corpus.appendingPathComponent("extracted/EXTRACTED.tsv").path)

    @Test(.enabled(if: corpusExists, "needs ../shared/corpus"))
    func extractedAttachmentsMatchByteForByte() throws {
        let table = try String(contentsOf: Self.corpus.appendingPathComponent("extracted/EXTRACTED.tsv"), encoding: .utf8)
        // The table has CRLF line ends: split on any line break.
        let rows = table.split(whereSeparator: \.isNewline).dropFirst()
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        try #require(!rows.isEmpty)
        var matched = 0
        for row in rows where row.count >= 3 {
            let (extracted, mail, filename) = (String(row[0]), String(row[1]), String(row[2]))
            let expected = try Data(contentsOf: Self.corpus.appendingPathComponent(extracted))
            let parts = try MailMessage.attachments(of: Data(contentsOf: Self.corpus.appendingPathComponent(mail)), limits: .standard)
            let part = parts.first { $0.filename == filename }
            #expect(part?.data == expected, "\(mail): \(parts.map { ($0.filename ?? "-", $0.contentType, $0.data.count) })")
            if part?.data == expected { matched += 1 }
        }
        #expect(matched == rows.count)
        print("MailMessageTests: \(matched) of \(rows.count) EXTRACTED.tsv rows matched")
    }

    @Test(.enabled(if: corpusExists, "needs ../shared/corpus"))
    func everyCorpusMailIsReadWithoutError() throws {
        let files = FileManager.default.enumerator(at: Self.corpus, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "eml" } ?? []
        #expect(!files.isEmpty)
        for file in files.sorted(by: { $0.path < $1.path }) {
            let parts = try MailMessage.attachments(of: Data(contentsOf: file), limits: .standard)
            #expect(parts.allSatisfy { !$0.data.isEmpty }, "\(file.lastPathComponent)")
        }
    }

    @Test(.enabled(if: corpusExists, "needs ../shared/corpus"))
    func negativeAndCorruptSamplesBehave() throws {
        let plain = Self.corpus.appendingPathComponent("ZeWaren__dmarc-report-milter/tests__dmarc_emails__not-a-dmarc-report.eml")
        #expect(try MailMessage.attachments(of: Data(contentsOf: plain), limits: .standard).isEmpty)
        // The zip is corrupt, but that is for the zip reader to say; the mail itself is fine.
        let corrupt = Self.corpus.appendingPathComponent("ZeWaren__dmarc-report-milter/tests__dmarc_emails__report-with-unreadable-zip.eml")
        #expect(try MailMessage.attachments(of: Data(contentsOf: corrupt), limits: .standard).map(\.contentType) == ["application/zip"])
    }
}
