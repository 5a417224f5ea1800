import Foundation

/// Turns the bytes of an XML report into UTF-8 that is safe to hand to the XML parser.
///
/// Reporters send BOMs, UTF-16, windows-1252 and ISO-8859-1. The parser is given UTF-8 only:
/// other encodings are converted, with the declaration removed. UTF-8 (nearly every report)
/// is not copied: the parser reads the caller's bytes. A DTD is refused outright: aggregate
/// reports never need one, and refusing it rules out external entities and entity-expansion
/// bombs before any parser sees them.
package enum XMLText {
    package enum Failure: Error, CustomStringConvertible {
        case empty
        case undecodable(encoding: String)
        case unsupportedEncoding(String)
        case doctype

        package var description: String {
            switch self {
            case .empty: "the file is empty"
            case .undecodable(let encoding): "the bytes are not valid \(encoding)"
            case .unsupportedEncoding(let name): "unsupported character encoding \"\(name)\""
            case .doctype: "a DOCTYPE or ENTITY declaration is present; reports never need one, so it is refused"
            }
        }
    }

    /// What the parser reads.
    package enum Prepared {
        /// These bytes of the input, which is UTF-8 (or declared as such).
        case utf8(Range<Int>)
        /// The input converted to UTF-8.
        case converted([UInt8])
    }

    package static func prepare(_ raw: UnsafeRawBufferPointer) throws(Failure) -> Prepared {
        let input = raw.bindMemory(to: UInt8.self)
        var start = 0
        if input.count >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF { start = 3 }
        guard start < input.count else { throw .empty }
        let body = UnsafeBufferPointer(rebasing: input[start...])

        if let utf16 = utf16Encoding(of: body) {
            guard let text = String(data: Data(body), encoding: utf16) else { throw .undecodable(encoding: "UTF-16") }
            return .converted(try checked(Array(removingDeclaration(text).utf8)))
        }
        if let declared = declaredEncoding(in: body), let encoding = try stringEncoding(named: declared), encoding != .utf8 {
            guard let text = String(data: Data(body), encoding: encoding) else {
                throw .undecodable(encoding: declared)
            }
            return .converted(try checked(Array(removingDeclaration(text).utf8)))
        }
        let range = try checkedRange(body)
        return .utf8((range.lowerBound + start)..<(range.upperBound + start))
    }

    private static func checked(_ utf8: [UInt8]) throws(Failure) -> [UInt8] {
        let result = utf8.withUnsafeBufferPointer { bytes in
            Result { () throws(Failure) -> Range<Int> in try checkedRange(bytes) }
        }
        let range = try result.get()
        return range == utf8.indices ? utf8 : Array(utf8[range])
    }

    /// The bytes without leading white space, after refusing a DTD.
    private static func checkedRange(_ utf8: UnsafeBufferPointer<UInt8>) throws(Failure) -> Range<Int> {
        if containsDoctype(utf8) { throw .doctype }
        var first = 0
        // Leading white space before the declaration makes libxml2 fail; it is harmless.
        while first < utf8.count, isXMLSpace(utf8[first]) { first += 1 }
        guard first < utf8.count else { throw .empty }
        return first..<utf8.count
    }

    private static func isXMLSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func utf16Encoding(of bytes: UnsafeBufferPointer<UInt8>) -> String.Encoding? {
        guard bytes.count >= 2 else { return nil }
        switch (bytes[0], bytes[1]) {
        case (0xFF, 0xFE): return .utf16  // BOM: Foundation reads it and picks the order
        case (0xFE, 0xFF): return .utf16
        case (0x3C, 0x00): return .utf16LittleEndian
        case (0x00, 0x3C): return .utf16BigEndian
        default: return nil
        }
    }

    /// The `encoding` pseudo-attribute of an ASCII-compatible XML declaration, if any.
    private static func declaredEncoding(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.starts(with: "<?xml".utf8) else { return nil }
        let head = UnsafeBufferPointer(rebasing: bytes.prefix(200))
        guard let close = head.firstIndex(of: UInt8(ascii: ">")) else { return nil }
        let declaration = UnsafeBufferPointer(rebasing: head[..<close])
        guard declaration.allSatisfy({ $0 < 0x80 }) else { return nil }
        let keyword = Array("encoding".utf8)
        guard declaration.count >= keyword.count,
              let found = (0...(declaration.count - keyword.count)).first(where: {
                  declaration[$0..<($0 + keyword.count)].elementsEqual(keyword)
              })
        else { return nil }
        var index = found + keyword.count
        while index < declaration.count, declaration[index] == UInt8(ascii: " ") || declaration[index] == UInt8(ascii: "=") {
            index += 1
        }
        guard index < declaration.count else { return nil }
        let quote = declaration[index]
        guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { return nil }
        let value = declaration[(index + 1)...].prefix { $0 != quote }
        return String(decoding: value, as: UTF8.self)
    }

    private static func stringEncoding(named name: String) throws(Failure) -> String.Encoding? {
        switch name.lowercased() {
        case "utf-8", "utf8": return .utf8
        case "us-ascii", "ascii": return .utf8  // ASCII is a subset; libxml2 accepts it as UTF-8
        case "iso-8859-1", "latin1", "iso8859-1", "iso_8859-1": return .isoLatin1
        case "windows-1252", "cp1252": return .windowsCP1252
        case "iso-8859-2": return .isoLatin2
        case "utf-16", "utf-16le", "utf-16be": return nil  // already handled by the byte pattern
        case "shift_jis", "shift-jis", "sjis", "windows-31j": return .shiftJIS
        case "euc-jp": return .japaneseEUC
        case "iso-2022-jp": return .iso2022JP
        default: throw .unsupportedEncoding(name)
        }
    }

    private static func removingDeclaration(_ text: String) -> String {
        var text = Substring(text)
        if text.first == "\u{FEFF}" { text = text.dropFirst() }
        guard text.hasPrefix("<?xml"), let end = text.firstIndex(of: ">") else { return String(text) }
        return String(text[text.index(after: end)...])
    }

    /// `<!DOCTYPE` or `<!ENTITY` anywhere; '!' is rare in reports, so it is what is searched for.
    private static func containsDoctype(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        var index = 1
        while index < bytes.count {
            guard let found = memchr(base + index, Int32(UInt8(ascii: "!")), bytes.count - index) else { return false }
            let at = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if bytes[at - 1] == UInt8(ascii: "<") {
                let rest = bytes[(at + 1)...]
                if rest.starts(with: "DOCTYPE".utf8) || rest.starts(with: "ENTITY".utf8) { return true }
            }
            index = at + 1
        }
        return false
    }
}
