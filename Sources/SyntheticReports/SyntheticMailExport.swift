import Foundation
import ReportModel

/// One report e-mail of a synthetic mail export.
public struct SyntheticMail: Sendable, Hashable {
    /// The whole message, in its own line ends.
    public var bytes: Data
    /// The report files attached (paths of the generated files), in attachment order.
    public var reportPaths: [String]
    public var usesCRLF: Bool
    /// When the message was sent (Unix time).
    public var sent: Int64
}

/// How an mbox marks body lines that begin with `From `.
public enum SyntheticMboxFormat: String, Sendable, Hashable, CaseIterable {
    /// `From ` → `>From `, `>From ` → `>>From `, ... (reversible).
    case mboxrd
    /// Only `From ` → `>From `.
    case mboxo
}

/// Packs the files of a synthetic workspace into report e-mails, as a mailbox export would
/// hold them: an mbox file or a Maildir folder.
///
/// The messages vary as real reporters' do, each choice drawn from a generator seeded by the
/// seed and the message number: one to three reports per message; the attachment as the whole
/// message, in `multipart/mixed`, inside a nested `multipart/alternative` or `multipart/mixed`,
/// or inside a forwarded `message/rfc822`; base64 or quoted-printable; exact content types
/// (`application/gzip`, `application/tlsrpt+json`, ...) or the wrong ones reporters send
/// (`application/octet-stream`, `text/plain`, `application/x-zip-compressed`, ...); file names
/// in `Content-Disposition` or only in the `Content-Type` `name`; LF or CRLF line ends.
public struct SyntheticMailExport: Sendable {
    public var seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
    }

    /// The report e-mails holding every file of the output once, in path order.
    public func messages(for output: SyntheticOutput) -> [SyntheticMail] {
        var attachments: [Attachment] = output.files.map(Attachment.init(dmarc:)) + output.tlsFiles.map(Attachment.init(tls:))
        attachments.sort { $0.path < $1.path }
        var messages: [SyntheticMail] = []
        var index = 0
        while index < attachments.count {
            var rng = SplitMix64(seed: seed, labels: ["mail", String(messages.count)])
            let roll = rng.below(10)
            let size = min(roll < 7 ? 1 : roll < 9 ? 2 : 3, attachments.count - index)
            messages.append(Self.message(number: messages.count + 1, attachments: Array(attachments[index..<(index + size)]), &rng))
            index += size
        }
        return messages
    }

    /// An mbox of all the messages: a `From ` line before each, body lines beginning with
    /// `From ` quoted as the format says, an empty line after each message.
    public func mbox(for output: SyntheticOutput, format: SyntheticMboxFormat = .mboxrd) -> Data {
        var mbox = Data()
        for mail in messages(for: output) {
            let lineEnd = mail.usesCRLF ? "\r\n" : "\n"
            mbox.append(Data("From MAILER-DAEMON \(MIMEText.asctime(mail.sent))\(lineEnd)".utf8))
            // Bytes, not Characters: "\r\n" is one Character and would hide the line feeds.
            var bytes = [UInt8](mail.bytes)
            if bytes.last != 0x0A { bytes += Array(lineEnd.utf8) }
            for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
                if Self.needsQuoting(line, format) { mbox.append(UInt8(ascii: ">")) }
                mbox.append(contentsOf: line)
                mbox.append(0x0A)
            }
            mbox.append(Data(lineEnd.utf8))
        }
        return mbox
    }

    /// A Maildir holding all the messages, as paths relative to the Maildir and bytes.
    ///
    /// Messages go to `cur/` (seen, `:2,S`) or `new/`; one in seven to the Maildir++
    /// sub-mailbox `.DMARC/`. Beside them are what a mail server leaves: `dovecot-uidlist`,
    /// `subscriptions`, and in `tmp/` a copy of the first message and a message cut off half
    /// way, both still being delivered, which a reader must not count.
    public func maildir(for output: SyntheticOutput) -> [(relativePath: String, bytes: Data)] {
        let mails = messages(for: output)
        var files: [(relativePath: String, bytes: Data)] = []
        for (offset, mail) in mails.enumerated() {
            let folder = offset % 7 == 6 ? ".DMARC/" : ""
            let unique = "\(mail.sent).M\(offset + 1)P4242.synthetic.example"
            let path = offset % 3 == 0 ? "new/\(unique)" : "cur/\(unique):2,S"
            files.append((folder + path, mail.bytes))
        }
        if let first = mails.first {
            files.append(("tmp/\(first.sent).M0P4243.synthetic.example", first.bytes))
            files.append(("tmp/\(first.sent).M0P4244.synthetic.example", first.bytes.prefix(first.bytes.count / 2)))
        }
        files.append(("dovecot-uidlist", Data("3 V1700000000 N\(mails.count + 1)\n".utf8)))
        files.append(("subscriptions", Data("DMARC\n".utf8)))
        files.append((".DMARC/maildirfolder", Data()))
        files.append((".DMARC/tmp/.keep", Data()))
        files.append(("tmp/.keep", Data()))
        return files.sorted { $0.relativePath < $1.relativePath }
    }

    private static func needsQuoting(_ line: ArraySlice<UInt8>, _ format: SyntheticMboxFormat) -> Bool {
        let from = Array("From ".utf8)
        switch format {
        case .mboxrd: return line.drop { $0 == UInt8(ascii: ">") }.starts(with: from)
        case .mboxo: return line.starts(with: from)
        }
    }

    // MARK: Messages

    struct Attachment {
        var path: String
        var bytes: Data
        var kind: Kind
        var sender: String
        var subject: String
        var sent: Int64

        enum Kind { case xml, gzip, zip, tlsJSON, tlsGzip }

        init(dmarc file: GeneratedReportFile) {
            path = file.relativePath
            bytes = file.bytes
            kind = switch file.kind {
            case .xml: .xml
            case .gzip, .gzipInGzip: .gzip
            case .zip: .zip
            }
            sender = file.reporter.email
            let metadata = file.report.metadata
            subject = "Report domain: \(file.report.policy.domain) Submitter: \(metadata.orgName) Report-ID: <\(metadata.reportID)>"
            sent = metadata.dateRange.end + 3_600
        }

        init(tls file: GeneratedTLSReportFile) {
            path = file.relativePath
            bytes = file.bytes
            kind = file.kind == .gzip ? .tlsGzip : .tlsJSON
            sender = "tlsrpt-noreply@\(file.reporter.folderName).example"
            subject = "Report Domain: \(file.report.policies.first?.policyDomain ?? "") Submitter: \(file.report.organizationName) Report-ID: <\(file.report.reportID)>"
            sent = file.report.dateRange.end + 3_600
        }

        var fileName: String { path.split(separator: "/").last.map(String.init) ?? path }

        /// The right type first, then the wrong ones real reporters send.
        var contentTypes: [String] {
            switch kind {
            case .xml: ["text/xml", "application/xml", "text/plain", "application/octet-stream"]
            case .gzip: ["application/gzip", "application/x-gzip", "application/octet-stream"]
            case .zip: ["application/zip", "application/x-zip-compressed", "application/octet-stream"]
            case .tlsJSON: ["application/tlsrpt+json", "application/json", "text/plain"]
            case .tlsGzip: ["application/tlsrpt+gzip", "application/gzip", "application/octet-stream"]
            }
        }

        var isText: Bool { kind == .xml || kind == .tlsJSON }
    }

    private enum Layout: CaseIterable {
        /// The attachment is the message body (one report only).
        case singlePart
        case mixed
        /// mixed ▸ (alternative ▸ text, html) + attachments.
        case mixedWithAlternative
        /// mixed ▸ text + (mixed ▸ attachments).
        case nestedMixed
        /// mixed ▸ text + message/rfc822 ▸ the reporter's message.
        case forwarded
    }

    private static func message(number: Int, attachments: [Attachment], _ rng: inout SplitMix64) -> SyntheticMail {
        let crlf = rng.chance(0.4)
        let first = attachments[0]
        var layouts = Layout.allCases
        if attachments.count > 1 { layouts.removeAll { $0 == .singlePart } }
        let layout = layouts[rng.below(layouts.count)]
        let boundary = "=_sitegen_\(number)_\(rng.below(1_000_000))"
        var lines = [
            "Return-Path: <\(first.sender)>",
            "From: \(first.sender)",
            "To: dmarc-reports@msp.example",
            "Subject: \(first.subject)",
            "Date: \(MIMEText.date(first.sent))",
            "Message-ID: <\(number).\(first.sent)@synthetic.example>",
            "MIME-Version: 1.0",
        ]
        switch layout {
        case .singlePart:
            lines += part(first, &rng)
        case .mixed:
            lines += ["Content-Type: multipart/mixed; boundary=\"\(boundary)\"", "", "This is a multi-part message in MIME format."]
            lines += ["--\(boundary)"] + textPart(first)
            for attachment in attachments { lines += ["--\(boundary)"] + part(attachment, &rng) }
            lines += ["--\(boundary)--", ""]
        case .mixedWithAlternative:
            let inner = boundary + "_alt"
            lines += ["Content-Type: multipart/mixed;", "\tboundary=\"\(boundary)\"", ""]
            lines += ["--\(boundary)", "Content-Type: multipart/alternative; boundary=\"\(inner)\"", ""]
            lines += ["--\(inner)"] + textPart(first)
            lines += ["--\(inner)", "Content-Type: text/html; charset=utf-8", "", "<p>\(escaped(first.subject))</p>", "--\(inner)--", ""]
            for attachment in attachments { lines += ["--\(boundary)"] + part(attachment, &rng) }
            lines += ["--\(boundary)--", ""]
        case .nestedMixed:
            let inner = boundary + "_inner"
            lines += ["Content-Type: multipart/mixed; boundary=\"\(boundary)\"", ""]
            lines += ["--\(boundary)"] + textPart(first)
            lines += ["--\(boundary)", "Content-Type: multipart/mixed; boundary=\"\(inner)\"", ""]
            for attachment in attachments { lines += ["--\(inner)"] + part(attachment, &rng) }
            lines += ["--\(inner)--", "", "--\(boundary)--", ""]
        case .forwarded:
            let inner = boundary + "_fwd"
            lines += ["Content-Type: multipart/mixed; boundary=\"\(boundary)\"", ""]
            lines += ["--\(boundary)", "Content-Type: text/plain; charset=utf-8", "",
                      "Forwarded by the mailbox rule.", ">From the original mailbox, as it arrived:", ""]
            lines += ["--\(boundary)", "Content-Type: message/rfc822", "Content-Disposition: inline", ""]
            lines += ["From: \(first.sender)", "Subject: \(first.subject)", "Date: \(MIMEText.date(first.sent))",
                      "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=\"\(inner)\"", ""]
            lines += ["--\(inner)"] + textPart(first)
            for attachment in attachments { lines += ["--\(inner)"] + part(attachment, &rng) }
            lines += ["--\(inner)--", "", "--\(boundary)--", ""]
        }
        let lineEnd = crlf ? "\r\n" : "\n"
        return SyntheticMail(
            bytes: Data((lines.joined(separator: lineEnd) + lineEnd).utf8), reportPaths: attachments.map(\.path),
            usesCRLF: crlf, sent: first.sent)
    }

    /// The human-readable part; its `From ` lines are what an mbox writer has to quote.
    private static func textPart(_ attachment: Attachment) -> [String] {
        ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 7bit", "",
         "From the receiver's point of view, \(attachment.fileName) is attached.", "",
         "From an empty line on, too.", ">From a quoted line.", ""]
    }

    /// The headers and encoded body of one attachment.
    private static func part(_ attachment: Attachment, _ rng: inout SplitMix64) -> [String] {
        let types = attachment.contentTypes
        // Mostly the right type, often a wrong one.
        let type = rng.chance(0.5) ? types[0] : types[rng.below(types.count)]
        let quotedPrintable = attachment.isText && rng.chance(0.5)
        var lines: [String] = []
        if type.hasPrefix("text/") || rng.chance(0.7) {
            lines.append("Content-Type: \(type); name=\"\(attachment.fileName)\"")
            lines.append("Content-Disposition: attachment;")
            lines.append(" filename=\"\(attachment.fileName)\"")
        } else {
            // Only the Content-Type names the file, as several reporters do.
            lines.append("Content-Type: \(type);")
            lines.append("\tname=\"\(attachment.fileName)\"")
        }
        lines.append("Content-Transfer-Encoding: \(quotedPrintable ? "quoted-printable" : "base64")")
        lines.append("")
        lines += quotedPrintable ? MIMEText.quotedPrintableLines(attachment.bytes) : MIMEText.base64Lines(attachment.bytes)
        lines.append("")
        return lines
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
