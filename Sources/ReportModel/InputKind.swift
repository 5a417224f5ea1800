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
        let head = Array(data.prefix(512))
        guard !head.isEmpty else { return .empty }
        if head.starts(with: [0x1F, 0x8B]) { return .gzip }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return .zip
        }
        if head.count >= 2, head[0] == 0x78, [0x01, 0x5E, 0x9C, 0xDA].contains(head[1]) { return .zlib }
        // UTF-16 text: look at every other byte.
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF])
            || head.starts(with: [0x3C, 0x00]) || head.starts(with: [0x00, 0x3C]) {
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
