import Foundation

/// Turns the bytes of an XML report into UTF-8 that is safe to hand to the XML parser.
///
/// Reporters send BOMs, UTF-16, windows-1252 and ISO-8859-1. The parser is given UTF-8 only,
/// with the declaration rewritten to say so. A DTD is refused outright: aggregate reports never
/// need one, and refusing it rules out external entities and entity-expansion bombs before any
/// parser sees them.
enum XMLText {
    enum Failure: Error, CustomStringConvertible {
        case empty
        case undecodable(encoding: String)
        case unsupportedEncoding(String)
        case doctype
        case nul
        case emptyProcessingInstruction

        var description: String {
            switch self {
            case .empty: "the file is empty"
            case .undecodable(let encoding): "the bytes are not valid \(encoding)"
            case .unsupportedEncoding(let name): "unsupported character encoding \"\(name)\""
            case .doctype: "a DOCTYPE or ENTITY declaration is present; reports never need one, so it is refused"
            case .nul: "the text holds NUL characters, which XML does not allow (UTF-16 or UTF-32 text not marked as such?)"
            case .emptyProcessingInstruction:
                "a processing instruction without data (<?name?>) is present; reports never need one, and the system XML reader crashes on it"
            }
        }
    }

    static func normalized(_ data: Data) throws(Failure) -> Data {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard !bytes.isEmpty else { throw .empty }

        var utf8: Data
        if let utf16 = utf16Encoding(of: bytes) {
            guard let text = String(data: bytes, encoding: utf16) else { throw .undecodable(encoding: "UTF-16") }
            utf8 = Data(removingDeclaration(text).utf8)
        } else if let declared = declaredEncoding(in: bytes), let encoding = try stringEncoding(named: declared),
                  encoding != .utf8 {
            guard let text = String(data: bytes, encoding: encoding) else {
                throw .undecodable(encoding: declared)
            }
            utf8 = Data(removingDeclaration(text).utf8)
        } else {
            // The declaration goes, so the XML parser can never switch to an encoding that
            // hides markup from the checks below (UTF-7 writes '<' as "+ADw-").
            utf8 = droppingDeclaration(Data(bytes))
        }
        // A NUL-interleaved text is UTF-16 to libxml2, which would see a DOCTYPE the byte scan
        // below cannot.
        if utf8.contains(0) { throw .nul }
        if containsDoctype(utf8) { throw .doctype }
        if containsEmptyProcessingInstruction(utf8) { throw .emptyProcessingInstruction }
        if utf8.first != UInt8(ascii: "<") {
            // Leading white space before the declaration makes libxml2 fail; it is harmless.
            let firstMarkup = utf8.firstIndex { !isXMLSpace($0) } ?? utf8.endIndex
            utf8 = utf8[firstMarkup...]
        }
        guard !utf8.isEmpty else { throw .empty }
        return Data(utf8)
    }

    private static func isXMLSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func utf16Encoding(of bytes: Data) -> String.Encoding? {
        let prefix = Array(bytes.prefix(4))
        guard prefix.count >= 2 else { return nil }
        switch (prefix[0], prefix[1]) {
        case (0xFF, 0xFE): return .utf16  // BOM: Foundation reads it and picks the order
        case (0xFE, 0xFF): return .utf16
        case (0x3C, 0x00): return .utf16LittleEndian
        case (0x00, 0x3C): return .utf16BigEndian
        default: return nil
        }
    }

    /// The `encoding` pseudo-attribute of an ASCII-compatible XML declaration, if any.
    private static func declaredEncoding(in bytes: Data) -> String? {
        guard bytes.starts(with: Array("<?xml".utf8)) else { return nil }
        let head = bytes.prefix(1_024)
        guard let close = head.firstIndex(of: UInt8(ascii: ">")),
              let declaration = String(bytes: head[head.startIndex..<close], encoding: .ascii)
        else { return nil }
        guard let range = declaration.range(of: "encoding") else { return nil }
        let rest = declaration[range.upperBound...].drop { $0 == "=" || $0.isWhitespace }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        return String(rest.dropFirst().prefix { $0 != quote })
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

    /// `bytes` with a leading `<?xml …>` declaration replaced by one that names no encoding
    /// (keeping its line breaks, so line numbers in messages stay right). It ends at the first
    /// `>`, well-formed or not: libxml2 switches encoding while it reads the declaration, and
    /// crashed doing so on a mangled one (found by fuzzing).
    private static func droppingDeclaration(_ bytes: Data) -> Data {
        guard bytes.starts(with: Array("<?xml".utf8)), bytes.count > 5, isXMLSpace(bytes[bytes.startIndex + 5]) else {
            return bytes
        }
        let end = bytes.firstIndex(of: UInt8(ascii: ">")).map { $0 + 1 } ?? bytes.endIndex
        let lineBreaks = bytes[bytes.startIndex..<end].filter { $0 == 0x0A }.count
        return Data("<?xml version=\"1.0\"?>".utf8) + Data(repeating: 0x0A, count: lineBreaks) + bytes[end...]
    }

    /// `<?name?>`: libxml2 hands Foundation's XMLParser a NULL for the missing data, and
    /// swift-corelibs-foundation reads it as a C string and crashes (found by fuzzing).
    private static func containsEmptyProcessingInstruction(_ data: Data) -> Bool {
        let opener = Data("<?".utf8)
        var searchStart = data.startIndex
        while let found = data.range(of: opener, in: searchStart..<data.endIndex) {
            var index = found.upperBound
            while index < data.endIndex, !isXMLSpace(data[index]), data[index] != UInt8(ascii: "?") { index += 1 }
            if index > found.upperBound, index + 1 < data.endIndex,
               data[index] == UInt8(ascii: "?"), data[index + 1] == UInt8(ascii: ">") {
                return true
            }
            searchStart = found.upperBound
        }
        return false
    }

    private static func containsDoctype(_ data: Data) -> Bool {
        data.range(of: Data("<!DOCTYPE".utf8)) != nil || data.range(of: Data("<!ENTITY".utf8)) != nil
    }
}
