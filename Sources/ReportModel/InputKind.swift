import Foundation

/// What a file holds, decided from its first bytes, never from its name.
public enum InputKind: String, Sendable, Hashable {
    case gzip, zlib, zip, xml, json, mail
    /// Several messages in one file, each starting with a `From ` separator line.
    case mbox
    /// The CSV that parsedmarc writes for aggregate reports (`aggregate.csv`).
    case parsedmarcCSV
    case empty, unknown

    public static func detect(_ data: Data) -> InputKind {
        data.withUnsafeBytes { detect($0) }
    }

    /// `detect` on bytes in memory, read in place: every ingested file is detected, and a
    /// copy of its head cost more than the tests.
    public static func detect(_ bytes: UnsafeRawBufferPointer) -> InputKind {
        detect(head: UnsafeBufferPointer(rebasing: bytes.bindMemory(to: UInt8.self).prefix(512)))
    }

    /// `detect` on the first 512 bytes of the data.
    private static func detect(head: UnsafeBufferPointer<UInt8>) -> InputKind {
        guard !head.isEmpty else { return .empty }
        if starts(head, with: 0x1F, 0x8B) { return .gzip }
        if starts(head, with: 0x50, 0x4B), starts(head.dropFirst(2), with: 0x03, 0x04) || starts(head.dropFirst(2), with: 0x05, 0x06) {
            return .zip
        }
        if head.count >= 2, head[0] == 0x78, head[1] == 0x01 || head[1] == 0x5E || head[1] == 0x9C || head[1] == 0xDA { return .zlib }
        // UTF-16 text: look at every other byte.
        if starts(head, with: 0xFF, 0xFE) || starts(head, with: 0xFE, 0xFF)
            || starts(head, with: 0x3C, 0x00) || starts(head, with: 0x00, 0x3C) {
            return .xml
        }
        var text = head[...]
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) }
        let firstVisible = text.first { !(($0 == 0x20) || ($0 == 0x09) || ($0 == 0x0A) || ($0 == 0x0D)) }
        switch firstVisible {
        case UInt8(ascii: "<"): return .xml
        case UInt8(ascii: "{"), UInt8(ascii: "["): return .json
        case nil: return .empty
        default: break
        }
        let firstLine = String(decoding: text.prefix { $0 != 0x0A }, as: UTF8.self)
        if firstLine.hasPrefix("From ") { return .mbox }
        if ParsedmarcCSV.isHeader(firstLine) { return .parsedmarcCSV }
        if looksLikeMailHeader(firstLine) { return .mail }
        return .unknown
    }

    /// Whether the bytes start with `first` and `second`.
    private static func starts(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, with first: UInt8, _ second: UInt8) -> Bool {
        bytes.count >= 2 && bytes[bytes.startIndex] == first && bytes[bytes.startIndex + 1] == second
    }

    private static func starts(_ bytes: UnsafeBufferPointer<UInt8>, with first: UInt8, _ second: UInt8) -> Bool {
        starts(bytes[...], with: first, second)
    }

    /// An RFC 5322 message starts with a header field.
    private static func looksLikeMailHeader(_ firstLine: String) -> Bool {
        guard let colon = firstLine.firstIndex(of: ":") else { return false }
        let field = firstLine[..<colon]
        return !field.isEmpty && field.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
    }

    public var description: String {
        switch self {
        case .gzip: "gzip"
        case .zlib: "zlib"
        case .zip: "zip"
        case .xml: "XML"
        case .json: "JSON"
        case .mail: "e-mail message"
        case .mbox: "mbox"
        case .parsedmarcCSV: "parsedmarc CSV"
        case .empty: "empty file"
        case .unknown: "unrecognised data"
        }
    }
}

extension InputKind {
    /// Whether a file starting with these bytes is of a kind that grows in place as reports
    /// arrive: an mbox, parsedmarc's CSV or JSON output.
    public static func growsInPlace(_ head: Data) -> Bool {
        switch detect(head) {
        case .mbox, .parsedmarcCSV: true
        case .json: ParsedmarcJSONReader.isParsedmarcOutput(head)
        default: false
        }
    }
}
