import Foundation

/// One MIME entity (a whole message or one body part): its header fields and its raw body.
struct MailEntity {
    /// Field names lowercased, values unfolded, in header order.
    private(set) var fields: [(name: String, value: String)] = []
    private(set) var body: ArraySlice<UInt8>

    /// Headers end at the first empty line. A line that is neither a field nor a continuation
    /// also ends them and starts the body: some mailers omit the empty line in body parts.
    init(parsing bytes: ArraySlice<UInt8>, skippingMboxLine: Bool = false) {
        var position = bytes.startIndex
        if skippingMboxLine, bytes.starts(with: "From ".utf8) {
            let lineEnd = MailBytes.lineFeed(in: bytes, from: position)
            if Self.fieldNameEnd(in: bytes[..<(lineEnd ?? bytes.endIndex)]) == nil {
                position = lineEnd.map { $0 + 1 } ?? bytes.endIndex
            }
        }
        var bodyStart = bytes.endIndex
        var currentName: String?
        var currentValue: [UInt8] = []
        while position < bytes.endIndex {
            let lineFeed = MailBytes.lineFeed(in: bytes, from: position)
            let next = lineFeed.map { $0 + 1 } ?? bytes.endIndex
            let line = MailBytes.droppingCarriageReturn(bytes[position..<(lineFeed ?? bytes.endIndex)])
            if line.isEmpty {
                bodyStart = next
                break
            }
            if let first = line.first, MailBytes.isBlank(first), currentName != nil {
                currentValue.append(contentsOf: line)
            } else if let colon = Self.fieldNameEnd(in: line) {
                if let name = currentName { fields.append((name, MailCharset.headerText(currentValue))) }
                currentName = String(decoding: line[..<colon], as: UTF8.self)
                    .trimmingCharacters(in: .whitespaces).lowercased()
                currentValue = Array(line[(colon + 1)...])
            } else {
                bodyStart = position
                break
            }
            position = next
        }
        if let name = currentName { fields.append((name, MailCharset.headerText(currentValue))) }
        body = bytes[bodyStart...]
    }

    /// The first field with this (lowercase) name, trimmed.
    func field(_ name: String) -> String? {
        fields.first { $0.name == name }?.value.trimmingCharacters(in: .whitespaces)
    }

    /// Index of the colon after a field name (printable ASCII, optionally followed by blanks).
    private static func fieldNameEnd(in line: ArraySlice<UInt8>) -> Int? {
        var index = line.startIndex
        while index < line.endIndex, line[index] != UInt8(ascii: ":"), (0x21...0x7E).contains(line[index]) {
            index += 1
        }
        guard index > line.startIndex else { return nil }
        while index < line.endIndex, MailBytes.isBlank(line[index]) { index += 1 }
        return index < line.endIndex && line[index] == UInt8(ascii: ":") ? index : nil
    }
}

enum MailBytes {
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D

    static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// The next line feed at or after `start`; memchr keeps line scans fast in debug builds too.
    static func lineFeed(in bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        guard start < bytes.endIndex else { return nil }
        return bytes[start...].withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, let hit = memchr(base, Int32(lineFeed), buffer.count) else { return nil }
            return start + (UnsafeRawPointer(hit) - UnsafeRawPointer(base))
        }
    }

    static func droppingCarriageReturn(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == carriageReturn ? line.dropLast() : line
    }

    static func trimmingBlanks(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var trimmed = bytes
        while let first = trimmed.first, isBlank(first) || first == carriageReturn || first == lineFeed {
            trimmed = trimmed.dropFirst()
        }
        while let last = trimmed.last, isBlank(last) || last == carriageReturn || last == lineFeed {
            trimmed = trimmed.dropLast()
        }
        return trimmed
    }
}

/// The body parts of a multipart body (RFC 2046 §5.1.1), each with its headers.
enum MailMultipart {
    /// Preamble and epilogue are dropped; without a closing delimiter the last part runs to
    /// the end. The line break before a delimiter belongs to the delimiter, not the part.
    static func parts(of body: ArraySlice<UInt8>, boundary: String) -> [ArraySlice<UInt8>] {
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            let lineFeed = MailBytes.lineFeed(in: body, from: lineStart)
            let next = lineFeed.map { $0 + 1 } ?? body.endIndex
            let line = body[lineStart..<(lineFeed ?? body.endIndex)]
            if line.first == UInt8(ascii: "-"), let isClosing = delimiterKind(line, delimiter) {
                if let start = partStart {
                    parts.append(body[start..<endBeforeLineBreak(lineStart, notBefore: start, in: body)])
                }
                if isClosing { return parts }
                partStart = next
            }
            lineStart = next
        }
        if let start = partStart, start < body.endIndex { parts.append(body[start...]) }
        return parts
    }

    /// nil when the line is not a delimiter; true for the closing `--boundary--`.
    /// Only blanks may follow the boundary, so `--abc-1` is not a delimiter for `abc`.
    private static func delimiterKind(_ line: ArraySlice<UInt8>, _ delimiter: [UInt8]) -> Bool? {
        guard line.starts(with: delimiter) else { return nil }
        let rest = line.dropFirst(delimiter.count)
        if rest.starts(with: "--".utf8) { return true }
        return MailBytes.trimmingBlanks(rest).isEmpty ? false : nil
    }

    private static func endBeforeLineBreak(_ index: Int, notBefore start: Int, in body: ArraySlice<UInt8>) -> Int {
        var end = index
        if end > start, body[end - 1] == MailBytes.lineFeed { end -= 1 }
        if end > start, body[end - 1] == MailBytes.carriageReturn { end -= 1 }
        return end
    }
}

/// A structured header value such as `application/gzip; name="a.xml.gz"`: the lowercased
/// leading token and its parameters, with RFC 2231 continuations and charsets applied.
struct MailHeaderValue {
    var value: String
    var parameters: [String: String]

    init(_ text: String) {
        let bytes = Array(text.utf8)[...]
        value = Self.leadingToken(text)
        var plain: [String: String] = [:]
        var extended = MailExtendedParameters()
        for (name, rawValue) in Self.rawParameters(bytes) {
            if extended.add(name: name, value: rawValue) { continue }
            if plain[name] == nil { plain[name] = String(decoding: rawValue, as: UTF8.self) }
        }
        parameters = plain.merging(extended.values()) { _, fromRFC2231 in fromRFC2231 }
    }

    /// The first token, lowercased: `Base64 (comment)` → `base64`.
    static func leadingToken(_ text: String) -> String {
        let trimmed = text.drop { $0 == " " || $0 == "\t" }
        return String(trimmed.prefix { $0 != ";" && $0 != " " && $0 != "\t" && $0 != "(" }).lowercased()
    }

    /// `name=value` pairs after the leading token; a missing `;` before a parameter is tolerated.
    private static func rawParameters(_ bytes: ArraySlice<UInt8>) -> [(String, ArraySlice<UInt8>)] {
        var result: [(String, ArraySlice<UInt8>)] = []
        var index = bytes.firstIndex { $0 == UInt8(ascii: ";") || MailBytes.isBlank($0) } ?? bytes.endIndex
        while index < bytes.endIndex {
            while index < bytes.endIndex, bytes[index] == UInt8(ascii: ";") || MailBytes.isBlank(bytes[index]) {
                index += 1
            }
            let nameStart = index
            while index < bytes.endIndex, bytes[index] != UInt8(ascii: "="), bytes[index] != UInt8(ascii: ";") {
                index += 1
            }
            guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "=") else { continue }
            let name = String(decoding: MailBytes.trimmingBlanks(bytes[nameStart..<index]), as: UTF8.self).lowercased()
            index += 1
            while index < bytes.endIndex, MailBytes.isBlank(bytes[index]) { index += 1 }
            let value: ArraySlice<UInt8>
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "\"") {
                (value, index) = quotedString(bytes, openingQuote: index)
                while index < bytes.endIndex, bytes[index] != UInt8(ascii: ";") { index += 1 }
            } else {
                let valueStart = index
                while index < bytes.endIndex, bytes[index] != UInt8(ascii: ";") { index += 1 }
                value = MailBytes.trimmingBlanks(bytes[valueStart..<index])
            }
            if !name.isEmpty { result.append((name, value)) }
        }
        return result
    }

    /// The unescaped content and the index after the closing quote (or the end if unclosed).
    private static func quotedString(_ bytes: ArraySlice<UInt8>, openingQuote: Int) -> (ArraySlice<UInt8>, Int) {
        var content: [UInt8] = []
        var index = openingQuote + 1
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return (content[...], index + 1) }
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.endIndex {
                index += 1
            }
            content.append(bytes[index])
            index += 1
        }
        return (content[...], index)
    }
}

/// Collects RFC 2231 parameters: `name*=charset'lang'%XX…` and the `name*0`, `name*1*` … sections.
private struct MailExtendedParameters {
    private struct Section {
        var number: Int
        var isEncoded: Bool
        var value: ArraySlice<UInt8>
    }

    private var sections: [String: [Section]] = [:]
    private static let maxSections = 1_000

    /// false when `name` has no `*` and is an ordinary parameter.
    mutating func add(name: String, value: ArraySlice<UInt8>) -> Bool {
        guard let star = name.firstIndex(of: "*") else { return false }
        let base = String(name[..<star])
        var suffix = name[name.index(after: star)...]
        let isEncoded = suffix.hasSuffix("*") || suffix.isEmpty
        if suffix.hasSuffix("*") { suffix = suffix.dropLast() }
        let number = suffix.isEmpty ? 0 : Int(suffix)
        guard !base.isEmpty, let number, (0..<Self.maxSections).contains(number) else { return false }
        sections[base, default: []].append(Section(number: number, isEncoded: isEncoded, value: value))
        return true
    }

    func values() -> [String: String] {
        sections.mapValues { parts in
            let ordered = parts.sorted { $0.number < $1.number }
            var charset: String?
            var bytes: [UInt8] = []
            for (position, section) in ordered.enumerated() {
                var value = section.value
                if position == 0, section.isEncoded {
                    (charset, value) = Self.splitCharset(value)
                }
                bytes += section.isEncoded ? Self.percentDecoded(value) : Array(value)
            }
            return MailCharset.decode(bytes, charset: charset)
        }
    }

    /// `utf-8'en'rest` → ("utf-8", "rest"); a value without two quotes has no charset.
    private static func splitCharset(_ value: ArraySlice<UInt8>) -> (String?, ArraySlice<UInt8>) {
        guard let first = value.firstIndex(of: UInt8(ascii: "'")),
              let second = value[(first + 1)...].firstIndex(of: UInt8(ascii: "'"))
        else { return (nil, value) }
        return (String(decoding: value[..<first], as: UTF8.self), value[(second + 1)...])
    }

    private static func percentDecoded(_ value: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        var index = value.startIndex
        while index < value.endIndex {
            if value[index] == UInt8(ascii: "%"),
               let high = MailQuotedPrintable.hexValue(value, index + 1),
               let low = MailQuotedPrintable.hexValue(value, index + 2) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(value[index])
                index += 1
            }
        }
        return output
    }
}

/// RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?iso-8859-1?Q?…?=`). Mailers put them in
/// quoted filename parameters too, where the RFC does not allow them.
enum MailEncodedWords {
    static func decode(_ text: String) -> String {
        guard text.contains("=?") else { return text }
        let bytes = Array(text.utf8)[...]
        var output: [UInt8] = []
        var pendingBlanks: [UInt8] = []
        var afterEncodedWord = false
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "="), let (word, end) = encodedWord(in: bytes, at: index) {
                // Blanks between two adjacent encoded words are not part of the text.
                if !afterEncodedWord { output += pendingBlanks }
                pendingBlanks = []
                output += word.utf8
                afterEncodedWord = true
                index = end
            } else if MailBytes.isBlank(bytes[index]) {
                pendingBlanks.append(bytes[index])
                index += 1
            } else {
                output += pendingBlanks
                pendingBlanks = []
                output.append(bytes[index])
                afterEncodedWord = false
                index += 1
            }
        }
        output += pendingBlanks
        return String(decoding: output, as: UTF8.self)
    }

    /// `=?charset?E?text?=` at `start`: the decoded text and the index after it.
    private static func encodedWord(in bytes: ArraySlice<UInt8>, at start: Int) -> (String, Int)? {
        let question = UInt8(ascii: "?")
        guard bytes[start...].starts(with: "=?".utf8),
              let charsetEnd = bytes[(start + 2)...].firstIndex(of: question),
              charsetEnd + 2 < bytes.endIndex, bytes[charsetEnd + 2] == question,
              let textEnd = bytes[(charsetEnd + 3)...].firstIndex(of: question),
              textEnd + 1 < bytes.endIndex, bytes[textEnd + 1] == UInt8(ascii: "=")
        else { return nil }
        let charsetField = bytes[(start + 2)..<charsetEnd]
        guard !charsetField.isEmpty, !charsetField.contains(where: MailBytes.isBlank) else { return nil }
        let charset = String(decoding: charsetField.prefix { $0 != UInt8(ascii: "*") }, as: UTF8.self)
        let text = bytes[(charsetEnd + 3)..<textEnd]
        var decoded: [UInt8] = []
        switch bytes[charsetEnd + 1] {
        case UInt8(ascii: "B"), UInt8(ascii: "b"):
            guard let base64 = try? MailBase64.decode(text) else { return nil }
            decoded = base64
        case UInt8(ascii: "Q"), UInt8(ascii: "q"):
            MailQuotedPrintable.decodeEscapes(text.map { $0 == UInt8(ascii: "_") ? 0x20 : $0 }[...], into: &decoded)
        default:
            return nil
        }
        return (MailCharset.decode(decoded, charset: charset), textEnd + 2)
    }
}

enum MailCharset {
    /// Raw header bytes: UTF-8 when valid (RFC 6532), otherwise Latin-1, which maps every byte.
    static func headerText(_ bytes: [UInt8]) -> String {
        String(validating: bytes, as: UTF8.self) ?? latin1(bytes)
    }

    static func decode(_ bytes: [UInt8], charset: String?) -> String {
        let name = (charset ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        switch name {
        case "", "utf-8", "utf8", "us-ascii", "ascii":
            return String(decoding: bytes, as: UTF8.self)
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1":
            return latin1(bytes)
        default:
            if let encoding = foundationEncodings[name], let text = String(data: Data(bytes), encoding: encoding) {
                return text
            }
            return headerText(bytes)
        }
    }

    private static let foundationEncodings: [String: String.Encoding] = [
        "windows-1252": .windowsCP1252, "cp1252": .windowsCP1252,
        "windows-1250": .windowsCP1250, "windows-1251": .windowsCP1251,
        "iso-8859-2": .isoLatin2, "utf-16": .utf16, "utf-16be": .utf16BigEndian, "utf-16le": .utf16LittleEndian,
        "shift_jis": .shiftJIS, "euc-jp": .japaneseEUC, "iso-2022-jp": .iso2022JP,
    ]

    private static func latin1(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
        return String(scalars)
    }
}
