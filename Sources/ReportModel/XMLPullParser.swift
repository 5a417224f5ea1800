#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a document is not well-formed XML, with the place it was noticed.
package struct XMLSyntaxError: Error, Equatable {
    enum Kind: Equatable {
        case empty, endsEarlyOrExtraContent, invalidCharacter, entityWithoutSemicolon, undeclaredEntity
        case unescapedMarkup, unclosedTag, mismatchedEndTag, other(String)
    }

    var kind: Kind
    /// Byte offset in the document.
    var offset: Int

    /// The explanation users saw from the libxml2-based parser for the same fault.
    var explanation: String {
        switch kind {
        case .empty: "the document is empty"
        case .endsEarlyOrExtraContent: "the document ends early or has content after the root element"
        case .invalidCharacter: "a character is not valid UTF-8 or not allowed in XML"
        case .entityWithoutSemicolon: "an entity reference lacks its ';'"
        case .undeclaredEntity: "an undeclared entity is used"
        case .unescapedMarkup: "a '&' or '<' is not escaped"
        case .unclosedTag: "a tag is not closed with '>'"
        case .mismatchedEndTag: "a closing tag does not match its opening tag"
        case .other(let reason): reason
        }
    }
}

/// What `XMLPullParser.next()` found.
package enum XMLEvent: Equatable {
    /// An element starts; its name is `XMLPullParser.localName`.
    case startElement
    /// The innermost open element ends; its character data is `XMLPullParser.trimmedText()`.
    case endElement
    case endOfDocument
}

/// A streaming, non-validating XML 1.0 parser over UTF-8 bytes, with namespaces.
///
/// It reads exactly what DMARC reports need, without building strings: elements, character
/// data (the five predefined entities, character references and CDATA sections decoded, line
/// ends normalised), comments and processing instructions (skipped). It checks
/// well-formedness as it goes (UTF-8 and XML characters, names, attribute syntax, matching
/// end tags, a single root) and refuses a DTD, which `XMLText` already keeps out.
///
/// The parser borrows `bytes`: it must not outlive the buffer.
package struct XMLPullParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position: Int

    /// Qualified names of the open elements, as byte offsets (where the local name starts).
    private var openNames: [(start: Int, localStart: Int, end: Int)] = []
    private var rootSeen = false
    /// The declaration says US-ASCII: bytes above 0x7F are refused.
    private var asciiOnly = false
    private var emptyElementPending = false

    /// The local name of the element just started or ended.
    private(set) var localNameStart = 0
    private(set) var localNameEnd = 0
    /// The prefix of the element just started (empty range when it has none).
    private var prefixStart = 0
    private var prefixEnd = 0

    /// Character data since the last tag: one raw run of the document or, once entities,
    /// CDATA sections or several runs take part, a decoded copy.
    private var rawTextStart = 0
    private var rawTextEnd = 0
    private var textIsCopied = false
    private var copiedText: [UInt8] = []

    /// Namespace declarations in scope: prefix (empty for the default namespace), the URI
    /// (decoded, in `namespaceURIs`) and the depth of the element that declared it.
    private var namespaceBindings: [(prefix: [UInt8], uri: Int, depth: Int)] = []
    private var namespaceURIs: [[UInt8]] = []

    /// `bytes` must be UTF-8 with any BOM and leading white space already removed.
    package init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        position = 0
        openNames.reserveCapacity(16)
    }

    // MARK: Events

    package mutating func next() throws(XMLSyntaxError) -> XMLEvent {
        rawTextStart = position
        rawTextEnd = position
        textIsCopied = false
        if emptyElementPending {
            emptyElementPending = false
            closeInnermost()
            return .endElement
        }
        if position == 0 { try skipDeclaration() }
        while true {
            if openNames.isEmpty {
                try skipMiscellany()
                guard position < bytes.count else {
                    guard rootSeen else { throw fault(.endsEarlyOrExtraContent, at: position) }
                    return .endOfDocument
                }
                // skipMiscellany stops at '<' followed by a name start, or at anything else.
                guard !rootSeen else { throw fault(.endsEarlyOrExtraContent, at: position) }
                guard bytes[position] == UInt8(ascii: "<") else { throw fault(.empty, at: position) }
                try readStartTag()
                return .startElement
            }
            try readCharacterData()
            guard position < bytes.count else { throw fault(.endsEarlyOrExtraContent, at: position) }
            // At '<'.
            guard position + 1 < bytes.count else { throw fault(.unclosedTag, at: position + 1) }
            switch bytes[position + 1] {
            case UInt8(ascii: "/"):
                try readEndTag()
                return .endElement
            case UInt8(ascii: "!"):
                if startsWith("<!--", at: position) {
                    try skipComment()
                } else if startsWith("<![CDATA[", at: position) {
                    try readCDATA()
                } else {
                    throw fault(.other("markup starting with '<!' is not a comment or CDATA section"), at: position)
                }
            case UInt8(ascii: "?"):
                try skipProcessingInstruction()
            default:
                try readStartTag()
                return .startElement
            }
        }
    }

    // MARK: Names

    package var localName: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[localNameStart..<localNameEnd])
    }

    /// Where `localName` is in the document.
    package var localNameRange: Range<Int> { localNameStart..<localNameEnd }

    /// Whether the element just started has a prefix (`prefix:local`).
    package var startedElementHasPrefix: Bool { prefixEnd > prefixStart }

    /// Whether the element just started is an empty-element tag (`<name/>`), whose end is
    /// the next event.
    package var startedEmptyElement: Bool { emptyElementPending }

    /// The offset in the document after the last event's tag.
    package var offset: Int { position }

    /// `localName` packed, read in place; nil when it is longer than `PackedName.maxLength`.
    package var packedLocalName: PackedName? {
        PackedName(in: bytes, start: localNameStart, length: localNameEnd - localNameStart)
    }

    /// The namespace URI of the element just started, nil when it has none.
    package func namespaceURI() -> [UInt8]? {
        let prefix = bytes[prefixStart..<prefixEnd]
        for binding in namespaceBindings.reversed() where binding.prefix.elementsEqual(prefix) {
            let uri = namespaceURIs[binding.uri]
            return uri.isEmpty ? nil : uri
        }
        return nil
    }

    // MARK: Text

    /// The character data since the last tag, trimmed like `trimmingXMLWhitespace()`.
    func trimmedText(reusing recent: inout RecentStrings) -> String {
        if textIsCopied {
            return copiedText.withUnsafeBufferPointer { Self.trimmed($0, reusing: &recent) }
        }
        return Self.trimmed(UnsafeBufferPointer(rebasing: bytes[rawTextStart..<rawTextEnd]), reusing: &recent)
    }

    private static func trimmed(_ text: UnsafeBufferPointer<UInt8>, reusing recent: inout RecentStrings) -> String {
        guard let bounds = trimmedBounds(text) else {
            return String(decoding: text, as: UTF8.self).trimmingXMLWhitespace()
        }
        return bounds.isEmpty ? "" : recent.string(UnsafeBufferPointer(rebasing: text[bounds]))
    }

    /// Where the UTF-8 of `trimmedText()` is in the document, when it is there as it is (one
    /// run of the document, trimmed by bytes); nil when it has to be made.
    package func trimmedTextInDocument() -> Range<Int>? {
        guard !textIsCopied,
              let bounds = Self.trimmedBounds(UnsafeBufferPointer(rebasing: bytes[rawTextStart..<rawTextEnd]))
        else { return nil }
        return (rawTextStart + bounds.lowerBound)..<(rawTextStart + bounds.upperBound)
    }

    /// The UTF-8 of `trimmedText()`, appended to `storage`; returns where it is there.
    package func appendTrimmedText(to storage: inout [UInt8]) -> Range<Int> {
        if textIsCopied {
            return copiedText.withUnsafeBufferPointer { Self.appendTrimmed($0, to: &storage) }
        }
        return Self.appendTrimmed(UnsafeBufferPointer(rebasing: bytes[rawTextStart..<rawTextEnd]), to: &storage)
    }

    private static func appendTrimmed(_ text: UnsafeBufferPointer<UInt8>, to storage: inout [UInt8]) -> Range<Int> {
        let start = storage.count
        if let bounds = trimmedBounds(text) {
            storage.append(contentsOf: UnsafeBufferPointer(rebasing: text[bounds]))
        } else {
            storage.append(contentsOf: String(decoding: text, as: UTF8.self).trimmingXMLWhitespace().utf8)
        }
        return start..<storage.count
    }

    /// The part of `text` without the XML white space at either end, when trimming bytes is
    /// certain to give what `trimmingXMLWhitespace()` gives; nil when it must be asked.
    private static func trimmedBounds(_ text: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        var start = 0
        var end = text.count
        while start < end, isSpace(text[start]) { start += 1 }
        while end > start, isSpace(text[end - 1]) { end -= 1 }
        guard start < end else { return 0..<0 }
        // Only ASCII at both ends is certain to be trimmed the way `trimmingXMLWhitespace()`
        // trims grapheme clusters (a combining mark after a space, a BOM); otherwise ask it.
        guard text[start] < 0x80, text[end - 1] < 0x80 else { return nil }
        return start..<end
    }

    /// Inlined: nearly every run is the element's whole text, which is only noted.
    @inline(__always)
    private mutating func appendRaw(_ start: Int, _ end: Int) {
        guard start < end else { return }
        if !textIsCopied {
            if rawTextStart == rawTextEnd {
                rawTextStart = start
                rawTextEnd = end
                return
            }
            if rawTextEnd == start {
                rawTextEnd = end
                return
            }
        }
        appendPiece(start, end)
    }

    private mutating func startCopying() {
        guard !textIsCopied else { return }
        copiedText.removeAll(keepingCapacity: true)
        copiedText.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[rawTextStart..<rawTextEnd]))
        textIsCopied = true
    }

    private mutating func appendScalar(_ value: UInt32) {
        startCopying()
        switch value {
        case 0..<0x80:
            copiedText.append(UInt8(value))
        case 0x80..<0x800:
            copiedText.append(UInt8(0xC0 | (value >> 6)))
            copiedText.append(UInt8(0x80 | (value & 0x3F)))
        case 0x800..<0x10000:
            copiedText.append(UInt8(0xE0 | (value >> 12)))
            copiedText.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            copiedText.append(UInt8(0x80 | (value & 0x3F)))
        default:
            copiedText.append(UInt8(0xF0 | (value >> 18)))
            copiedText.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
            copiedText.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            copiedText.append(UInt8(0x80 | (value & 0x3F)))
        }
    }

    // MARK: Content

    /// Reads character data up to the next '<' or the end of the document.
    private mutating func readCharacterData() throws(XMLSyntaxError) {
        var runStart = position
        var index = position
        let count = bytes.count
        while index < count {
            // Plain text passed over eight bytes at a time, then byte by byte near the end.
            if let base = bytes.baseAddress {
                let raw = UnsafeRawPointer(base)
                while index + 8 <= count {
                    let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                    let special = Self.notPlainText(word)
                    guard special == 0 else {
                        index += special.trailingZeroBitCount / 8
                        break
                    }
                    index += 8
                }
            }
            while index < count, Self.isPlainText(bytes[index]) { index += 1 }
            guard index < count else { break }
            let byte = bytes[index]
            // The usual end of a run, decided without the table.
            if byte == 0x3C {
                appendRaw(runStart, index)
                position = index
                return
            }
            switch Self.byteClass[Int(byte)] {
            case ByteClass.plain:
                index += 1
            case ByteClass.lessThan:
                appendRaw(runStart, index)
                position = index
                return
            case ByteClass.ampersand:
                appendRaw(runStart, index)
                position = index
                let scalar = try readReference()
                appendScalar(scalar)
                index = position
                runStart = index
            case ByteClass.closingBracket:
                if index + 2 < count, bytes[index + 1] == UInt8(ascii: "]"), bytes[index + 2] == UInt8(ascii: ">") {
                    throw fault(.other("']]>' appears outside a CDATA section"), at: index)
                }
                index += 1
            case ByteClass.carriageReturn:
                appendRaw(runStart, index)
                appendScalar(0x0A)
                index += (index + 1 < count && bytes[index + 1] == 0x0A) ? 2 : 1
                runStart = index
            case ByteClass.multiByte:
                index = try skipMultiByteCharacter(at: index)
            default:
                throw fault(.invalidCharacter, at: index)
            }
        }
        appendRaw(runStart, index)
        position = index
    }

    /// Decodes `&name;` or `&#...;` at `position` and moves past it.
    private mutating func readReference() throws(XMLSyntaxError) -> UInt32 {
        let start = position
        var index = position + 1
        guard index < bytes.count else { throw fault(.unescapedMarkup, at: index) }
        if bytes[index] == UInt8(ascii: "#") {
            index += 1
            var value: UInt32 = 0
            var digits = 0
            let hex = index < bytes.count && bytes[index] == UInt8(ascii: "x")
            if hex { index += 1 }
            while index < bytes.count {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f") where hex: digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F") where hex: digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: digit = 99
                }
                guard digit != 99 else { break }
                value = min(value &* (hex ? 16 : 10) &+ digit, 0x11_0000)
                digits += 1
                index += 1
            }
            guard index < bytes.count, bytes[index] == UInt8(ascii: ";"), digits > 0 else {
                throw fault(digits > 0 ? .entityWithoutSemicolon : .other("a character reference has no digits"), at: index)
            }
            guard Self.isXMLCharacter(value) else {
                throw fault(.invalidCharacter, at: start)
            }
            position = index + 1
            return value
        }
        let nameStart = index
        guard index < bytes.count, Self.isNameStart(bytes[index]) else { throw fault(.unescapedMarkup, at: index) }
        while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: ";") else { throw fault(.entityWithoutSemicolon, at: index) }
        let name = UnsafeBufferPointer(rebasing: bytes[nameStart..<index])
        position = index + 1
        switch name.count {
        case 2 where name[0] == UInt8(ascii: "l") && name[1] == UInt8(ascii: "t"): return 0x3C
        case 2 where name[0] == UInt8(ascii: "g") && name[1] == UInt8(ascii: "t"): return 0x3E
        case 3 where name.elementsEqual("amp".utf8): return 0x26
        case 4 where name.elementsEqual("apos".utf8): return 0x27
        case 4 where name.elementsEqual("quot".utf8): return 0x22
        default: throw fault(.undeclaredEntity, at: index + 1)
        }
    }

    private mutating func readCDATA() throws(XMLSyntaxError) {
        var index = position + 9  // "<![CDATA["
        let runStart = index
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            switch Self.byteClass[Int(byte)] {
            case ByteClass.closingBracket:
                if index + 2 < count, bytes[index + 1] == UInt8(ascii: "]"), bytes[index + 2] == UInt8(ascii: ">") {
                    appendPiece(runStart, index)
                    position = index + 3
                    return
                }
                index += 1
            case ByteClass.multiByte:
                index = try skipMultiByteCharacter(at: index)
            case ByteClass.plain, ByteClass.lessThan, ByteClass.ampersand, ByteClass.carriageReturn:
                index += 1
            default:
                throw fault(.invalidCharacter, at: index)
            }
        }
        throw fault(.other("a CDATA section is not closed with ']]>'"), at: position)
    }

    /// A CDATA section is never contiguous with the text before it, so it is always copied.
    private mutating func appendPiece(_ start: Int, _ end: Int) {
        startCopying()
        copiedText.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
    }

    private mutating func skipComment() throws(XMLSyntaxError) {
        let start = position
        var index = position + 4  // "<!--"
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "-"), index + 1 < count, bytes[index + 1] == UInt8(ascii: "-") {
                guard index + 2 < count, bytes[index + 2] == UInt8(ascii: ">") else {
                    throw fault(.other("a comment contains '--' or is not closed with '-->'"), at: index)
                }
                position = index + 3
                return
            }
            index = try skipCharacter(at: index)
        }
        throw fault(.other("a comment is not closed with '-->'"), at: start)
    }

    private mutating func skipProcessingInstruction() throws(XMLSyntaxError) {
        let start = position
        var index = position + 2
        let targetStart = index
        guard index < bytes.count, Self.isNameStart(bytes[index]) else {
            throw fault(.other("a processing instruction has no target name"), at: index)
        }
        index = try skipName(from: index)
        if isWordIgnoringCase("xml", at: targetStart..<index) {
            throw fault(.other("an XML declaration appears after the start of the document"), at: start)
        }
        let count = bytes.count
        if index < count, !Self.isSpace(bytes[index]), !startsWith("?>", at: index) {
            throw fault(.other("a processing instruction target is not followed by a space"), at: index)
        }
        while index < count {
            if bytes[index] == UInt8(ascii: "?"), index + 1 < count, bytes[index + 1] == UInt8(ascii: ">") {
                position = index + 2
                return
            }
            index = try skipCharacter(at: index)
        }
        throw fault(.other("a processing instruction is not closed with '?>'"), at: start)
    }

    /// White space, comments and processing instructions around the root element; stops at
    /// anything else.
    private mutating func skipMiscellany() throws(XMLSyntaxError) {
        while position < bytes.count {
            let byte = bytes[position]
            if Self.isSpace(byte) {
                position += 1
            } else if byte == UInt8(ascii: "<"), startsWith("<!--", at: position) {
                try skipComment()
            } else if byte == UInt8(ascii: "<"), startsWith("<?", at: position) {
                try skipProcessingInstruction()
            } else {
                return
            }
        }
    }

    /// The XML declaration, which only `XMLText` reads; here it is checked and skipped.
    /// Names and values are compared as bytes: every document has a declaration, and for
    /// ASCII words that is what comparing them as strings does.
    private mutating func skipDeclaration() throws(XMLSyntaxError) {
        guard startsWith("<?xml", at: 0), bytes.count > 5, Self.isSpace(bytes[5]) else { return }
        var index = 5
        // The place in `DeclarationName.allCases` of the last name seen; the names must come
        // in that order, each once, starting with the version.
        var lastSeen: Int?
        while true {
            let hadSpace = index < bytes.count && Self.isSpace(bytes[index])
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
            if startsWith("?>", at: index) { break }
            guard hadSpace, index < bytes.count, Self.isNameStart(bytes[index]) else {
                throw fault(.other("the XML declaration is malformed"), at: index)
            }
            let nameStart = index
            index = try skipName(from: index)
            let name = nameStart..<index
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                throw fault(.other("the XML declaration is malformed"), at: index)
            }
            index += 1
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw fault(.other("the XML declaration is malformed"), at: index)
            }
            let quote = bytes[index]
            let valueStart = index + 1
            index = valueStart
            while index < bytes.count, bytes[index] != quote, bytes[index] != UInt8(ascii: "<") { index += 1 }
            guard index < bytes.count, bytes[index] == quote else {
                throw fault(.other("the XML declaration is malformed"), at: index)
            }
            let value = valueStart..<index
            index += 1
            guard let known = DeclarationName.allCases.first(where: { isWord($0.word, at: name) }),
                  let order = DeclarationName.allCases.firstIndex(of: known),
                  order > lastSeen ?? -1, known == .version || lastSeen != nil
            else {
                throw fault(.other("the XML declaration is malformed"), at: nameStart)
            }
            switch known {
            case .version where !isWord("1.0", at: value):
                let given = String(decoding: UnsafeBufferPointer(rebasing: bytes[value]), as: UTF8.self)
                throw fault(.other("the XML declaration gives version \(given.prefix(10)), not 1.0"), at: valueStart)
            case .encoding:
                guard let first = value.first.map({ bytes[$0] }), Self.isASCIILetter(first),
                      bytes[value].allSatisfy({ Self.isASCIILetter($0) || Self.isASCIIDigit($0) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F })
                else { throw fault(.other("the XML declaration gives a malformed encoding name"), at: valueStart) }
                guard !isWordIgnoringCase("utf-16", at: value.prefix(6)) else {
                    throw fault(.other("the XML declaration says UTF-16 but the bytes are not UTF-16"), at: valueStart)
                }
                asciiOnly = isWordIgnoringCase("us-ascii", at: value) || isWordIgnoringCase("ascii", at: value)
            case .standalone where !isWord("yes", at: value) && !isWord("no", at: value):
                throw fault(.other("the XML declaration is malformed"), at: valueStart)
            default:
                break
            }
            lastSeen = order
        }
        guard lastSeen != nil else { throw fault(.other("the XML declaration has no version"), at: index) }
        position = index + 2
    }

    /// The names the XML declaration may give, in the order it must give them.
    private enum DeclarationName: CaseIterable {
        case version, encoding, standalone

        var word: StaticString {
            switch self {
            case .version: "version"
            case .encoding: "encoding"
            case .standalone: "standalone"
            }
        }
    }

    /// Whether the bytes at `range` are `word`.
    private func isWord(_ word: StaticString, at range: Range<Int>) -> Bool {
        range.count == word.utf8CodeUnitCount && startsWith(word, at: range.lowerBound)
    }

    /// Whether the bytes at `range` are `word` (lower-case ASCII) in either case.
    private func isWordIgnoringCase(_ word: StaticString, at range: Range<Int>) -> Bool {
        guard range.count == word.utf8CodeUnitCount, range.upperBound <= bytes.count else { return false }
        let expected = word.utf8Start
        for offset in 0..<range.count {
            let byte = bytes[range.lowerBound + offset]
            let lowered = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            if lowered != expected[offset] { return false }
        }
        return true
    }

    private static func isASCIIDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    // MARK: Tags

    private mutating func readStartTag() throws(XMLSyntaxError) {
        let nameStart = position + 1
        guard nameStart < bytes.count, Self.isNameStart(bytes[nameStart]) else {
            throw fault(.unescapedMarkup, at: nameStart)
        }
        let (nameEnd, elementColon) = try skipQualifiedName(from: nameStart)
        prefixStart = nameStart
        prefixEnd = elementColon ?? nameStart
        localNameStart = elementColon.map { $0 + 1 } ?? nameStart
        localNameEnd = nameEnd
        let tagEnd: Int
        let isEmpty: Bool
        if nameEnd < bytes.count, bytes[nameEnd] == UInt8(ascii: ">") {
            // Nearly every tag: a name and no attributes.
            if prefixEnd > prefixStart { try requireBoundPrefix(prefixStart, prefixEnd) }
            tagEnd = nameEnd + 1
            isEmpty = false
        } else {
            (tagEnd, isEmpty) = try readAttributesAndPrefixes(from: nameEnd)
        }
        openNames.append((nameStart, localNameStart, nameEnd))
        rootSeen = true
        position = tagEnd
        emptyElementPending = isEmpty
    }

    /// Reads the attributes of a start tag (after its name) and then checks that the
    /// element's prefix and the attributes' are declared, the tag's own declarations
    /// included; returns the index after the tag and whether it closes the element.
    private mutating func readAttributesAndPrefixes(from nameEnd: Int) throws(XMLSyntaxError) -> (end: Int, isEmpty: Bool) {
        var attributeNames: [(Int, Int)] = []
        let tag = try readAttributes(from: nameEnd, depth: openNames.count + 1, names: &attributeNames)
        if prefixEnd > prefixStart { try requireBoundPrefix(prefixStart, prefixEnd) }
        for (start, end) in attributeNames {
            guard let colon = bytes[start..<end].firstIndex(of: UInt8(ascii: ":")),
                  !bytes[start..<colon].elementsEqual("xmlns".utf8)
            else { continue }
            try requireBoundPrefix(start, colon)
        }
        return tag
    }

    /// Reads the attributes of a start tag from the end of its name through its '>' or
    /// '/>', declaring the namespaces among them; returns the index after the tag, whether
    /// it closes the element, and the attributes' names in `names`.
    private mutating func readAttributes(
        from nameEnd: Int, depth: Int, names attributeNames: inout [(Int, Int)]
    ) throws(XMLSyntaxError) -> (end: Int, isEmpty: Bool) {
        var index = nameEnd
        while true {
            let hadSpace = index < bytes.count && Self.isSpace(bytes[index])
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count else { throw fault(.unclosedTag, at: index) }
            let byte = bytes[index]
            if byte == UInt8(ascii: ">") {
                return (index + 1, false)
            }
            if byte == UInt8(ascii: "/") {
                guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ">") else {
                    throw fault(.unclosedTag, at: index)
                }
                return (index + 2, true)
            }
            guard Self.isNameStart(byte) else { throw fault(.unescapedMarkup, at: index) }
            guard hadSpace else { throw fault(.other("attributes are not separated by white space"), at: index) }
            let attributeStart = index
            index = try skipName(from: index)
            let attributeEnd = index
            _ = try qualifiedNameColon(attributeStart, attributeEnd)
            for (start, end) in attributeNames
            where bytes[start..<end].elementsEqual(bytes[attributeStart..<attributeEnd]) {
                throw fault(.other("an attribute appears twice in one tag"), at: attributeStart)
            }
            attributeNames.append((attributeStart, attributeEnd))
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                throw fault(.other("an attribute has no value"), at: index)
            }
            index += 1
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw fault(.other("an attribute value is not quoted"), at: index)
            }
            position = index
            let value = try readAttributeValue(decoding: isNamespaceDeclaration(attributeStart, attributeEnd))
            index = position
            if let value {
                try declareNamespace(attributeStart, attributeEnd, uri: value, depth: depth)
            }
        }
    }

    private func isNamespaceDeclaration(_ start: Int, _ end: Int) -> Bool {
        let length = end - start
        guard length >= 5, startsWith("xmlns", at: start) else { return false }
        return length == 5 || bytes[start + 5] == UInt8(ascii: ":")
    }

    private static let xmlNamespace = Array("http://www.w3.org/XML/1998/namespace".utf8)

    private mutating func declareNamespace(_ start: Int, _ end: Int, uri: [UInt8], depth: Int) throws(XMLSyntaxError) {
        let prefix = end - start > 6 ? Array(bytes[(start + 6)..<end]) : []
        if prefix.elementsEqual("xml".utf8) {
            guard uri == Self.xmlNamespace else { throw fault(.other("the prefix 'xml' is bound to another namespace"), at: start) }
            return
        }
        guard !prefix.elementsEqual("xmlns".utf8) else { throw fault(.other("the prefix 'xmlns' is declared"), at: start) }
        if uri.isEmpty {
            guard prefix.isEmpty else { throw fault(.other("a namespace prefix is bound to an empty URI"), at: start) }
        } else {
            guard Self.isURIReference(uri) else { throw fault(.other("a namespace name is not a valid URI"), at: start) }
            // libxml2 warned (and the reports were refused) only for a relative default namespace.
            guard !prefix.isEmpty || Self.hasScheme(uri) else {
                throw fault(.other("the default namespace name is not an absolute URI"), at: start)
            }
        }
        namespaceURIs.append(uri)
        namespaceBindings.append((prefix, namespaceURIs.count - 1, depth))
    }

    /// Only characters URIs allow (RFC 3986), percent signs starting an escape.
    private static func isURIReference(_ uri: [UInt8]) -> Bool {
        var index = 0
        while index < uri.count {
            let byte = uri[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < uri.count, isHexDigit(uri[index + 1]), isHexDigit(uri[index + 2]) else { return false }
                index += 3
                continue
            }
            guard uriCharacters.contains(byte) else { return false }
            index += 1
        }
        return true
    }

    /// Starts with a scheme: a letter, then letters, digits, '+', '-' or '.', then ':'.
    private static func hasScheme(_ uri: [UInt8]) -> Bool {
        guard let colon = uri.firstIndex(of: UInt8(ascii: ":")), colon > 0, isASCIILetter(uri[0]) else { return false }
        return uri[1..<colon].allSatisfy { byte in
            isASCIILetter(byte) || isASCIIDigit(byte) || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isASCIIDigit(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }

    private static let uriCharacters = Set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=".utf8)

    /// The colon of a qualified name (`prefix:local`), nil without one; a name with a colon
    /// at either end or with two is not a qualified name.
    private func qualifiedNameColon(_ start: Int, _ end: Int) throws(XMLSyntaxError) -> Int? {
        var found: Int?
        for index in start..<end where bytes[index] == UInt8(ascii: ":") {
            guard found == nil, index > start, index + 1 < end else {
                throw fault(.other("a name has more than one ':' or one at its start or end"), at: index)
            }
            found = index
        }
        return found
    }

    private func requireBoundPrefix(_ start: Int, _ end: Int) throws(XMLSyntaxError) {
        let prefix = bytes[start..<end]
        if prefix.elementsEqual("xml".utf8) { return }
        guard namespaceBindings.contains(where: { $0.prefix.elementsEqual(prefix) }) else {
            throw fault(.other("the namespace prefix '\(String(decoding: prefix, as: UTF8.self))' is not declared"), at: start)
        }
    }

    /// Checks the quoted value at `position` and moves past it; returns the decoded value
    /// only when asked.
    private mutating func readAttributeValue(decoding: Bool) throws(XMLSyntaxError) -> [UInt8]? {
        let quote = bytes[position]
        var index = position + 1
        var value: [UInt8] = []
        var runStart = index
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte == quote {
                if decoding { value.append(contentsOf: bytes[runStart..<index]) }
                position = index + 1
                return decoding ? value : nil
            }
            switch Self.byteClass[Int(byte)] {
            case ByteClass.lessThan:
                throw fault(.unescapedMarkup, at: index)
            case ByteClass.ampersand:
                if decoding { value.append(contentsOf: bytes[runStart..<index]) }
                position = index
                let scalar = try readReference()
                if decoding { value.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? " ")).utf8) }
                index = position
                runStart = index
            default:
                index = try skipCharacter(at: index)
            }
        }
        throw fault(.unclosedTag, at: index)
    }

    private mutating func readEndTag() throws(XMLSyntaxError) {
        let nameStart = position + 2
        guard let open = openNames.last else { throw fault(.mismatchedEndTag, at: position) }
        let length = open.end - open.start
        var index = nameStart
        let available = min(length, bytes.count - nameStart)
        guard let base = bytes.baseAddress, memcmp(base + nameStart, base + open.start, available) == 0 else {
            throw fault(.mismatchedEndTag, at: nameStart)
        }
        guard nameStart + length < bytes.count else { throw fault(.unclosedTag, at: bytes.count) }
        index += length
        if index < bytes.count, Self.isNameByte(bytes[index]) { throw fault(.mismatchedEndTag, at: nameStart) }
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { throw fault(.unclosedTag, at: index) }
        position = index + 1
        localNameStart = open.localStart
        localNameEnd = open.end
        closeInnermost()
    }

    private mutating func closeInnermost() {
        let depth = openNames.count
        openNames.removeLast()
        while !namespaceBindings.isEmpty, namespaceBindings[namespaceBindings.count - 1].depth >= depth {
            namespaceBindings.removeLast()
        }
    }

    // MARK: Characters

    /// Moves past an element name; returns where it ends and its colon, if any (a name with
    /// a colon at either end or with two is not a qualified name).
    private func skipQualifiedName(from start: Int) throws(XMLSyntaxError) -> (end: Int, colon: Int?) {
        var index = start
        // ASCII letters, digits, '_', '-' and '.': the whole of nearly every name, passed
        // over eight bytes at a time where the document has them; the loop below takes over
        // at a ':' or a non-ASCII byte.
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= bytes.count {
                let special = Self.notPlainName(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
                guard special == 0 else {
                    index += special.trailingZeroBitCount / 8
                    break
                }
                index += 8
            }
        }
        while index < bytes.count, Self.isPlainNameByte(bytes[index]) { index += 1 }
        var colon: Int?
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x80 {
                index = try skipMultiByteCharacter(at: index)
            } else if Self.isNameByte(byte) {
                if byte == UInt8(ascii: ":") {
                    guard colon == nil, index > start else {
                        throw fault(.other("a name has more than one ':' or one at its start or end"), at: index)
                    }
                    colon = index
                }
                index += 1
            } else {
                break
            }
        }
        if let colon, colon + 1 == index {
            throw fault(.other("a name has more than one ':' or one at its start or end"), at: colon)
        }
        return (index, colon)
    }

    /// Moves past a name, checking that non-ASCII bytes in it are UTF-8.
    private func skipName(from start: Int) throws(XMLSyntaxError) -> Int {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x80 {
                index = try skipMultiByteCharacter(at: index)
            } else if Self.isNameByte(byte) {
                index += 1
            } else {
                break
            }
        }
        return index
    }

    /// Moves past one character anywhere in the document, checking it.
    private func skipCharacter(at index: Int) throws(XMLSyntaxError) -> Int {
        let byte = bytes[index]
        switch Self.byteClass[Int(byte)] {
        case ByteClass.multiByte: return try skipMultiByteCharacter(at: index)
        case ByteClass.invalid: throw fault(.invalidCharacter, at: index)
        default: return index + 1
        }
    }

    /// Checks a UTF-8 sequence of two to four bytes at `index` and returns the index after it.
    private func skipMultiByteCharacter(at index: Int) throws(XMLSyntaxError) -> Int {
        let lead = bytes[index]
        guard !asciiOnly else { throw fault(.invalidCharacter, at: index) }
        let length: Int
        var scalar: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; scalar = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; scalar = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; scalar = UInt32(lead & 0x07)
        default: throw fault(.invalidCharacter, at: index)
        }
        guard index + length <= bytes.count else { throw fault(.invalidCharacter, at: index) }
        for offset in 1..<length {
            let continuation = bytes[index + offset]
            guard continuation & 0xC0 == 0x80 else { throw fault(.invalidCharacter, at: index) }
            scalar = scalar << 6 | UInt32(continuation & 0x3F)
        }
        let shortest: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
        guard scalar >= shortest, Self.isXMLCharacter(scalar) else { throw fault(.invalidCharacter, at: index) }
        return index + length
    }

    /// XML 1.0 `Char`: tab, line feed, carriage return and U+0020 upwards, without the
    /// surrogates, U+FFFE and U+FFFF.
    static func isXMLCharacter(_ value: UInt32) -> Bool {
        switch value {
        case 0x09, 0x0A, 0x0D: true
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x1_0000...0x10_FFFF: true
        default: false
        }
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
    }

    /// ASCII letters, '_' and ':' start names; any non-ASCII character may too.
    static func isNameStart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "_"), UInt8(ascii: ":"), 0x80...0xFF: true
        default: false
        }
    }

    /// ASCII letters, digits, '_', ':', '-', '.' and any non-ASCII byte.
    static func isNameByte(_ byte: UInt8) -> Bool {
        // Bit n of the masks is set when byte n (n - 64 for the second) is a name character.
        switch byte {
        case 0..<64: (0x07FF_6000_0000_0000 as UInt64) >> UInt64(byte) & 1 == 1
        case 64..<128: (0x07FF_FFFE_87FF_FFFE as UInt64) >> UInt64(byte - 64) & 1 == 1
        default: true
        }
    }

    /// Printable ASCII other than '<', '&' and ']', or a tab or line feed: character data
    /// that needs no more than to be passed over.
    @inline(__always)
    static func isPlainText(_ byte: UInt8) -> Bool {
        // Bit n of the masks is set when byte n (n - 64 for the second) is plain text.
        let low: UInt64 = 1 << 0x09 | 1 << 0x0A | (0xFFFF_FFFF << 0x20 & ~(1 << 0x26) & ~(1 << 0x3C))
        let high: UInt64 = ~(1 << (0x5D - 64))
        return byte < 0x80 && ((byte < 0x40 ? low : high) >> UInt64(byte & 0x3F)) & 1 == 1
    }

    /// The high bit of each byte of a little-endian word that `isPlainText` refuses, and of
    /// none that it accepts. Each byte is computed on its own (no carry crosses a byte), so
    /// the lowest bit set is the first such byte.
    @inline(__always)
    static func notPlainText(_ word: UInt64) -> UInt64 {
        let control = ~Word.atLeast(word, 0x20) & Word.highBits
        return (word & Word.highBits) | (control & ~Word.equal(word, 0x09) & ~Word.equal(word, 0x0A))
            | Word.equal(word, 0x3C) | Word.equal(word, 0x26) | Word.equal(word, 0x5D)
    }

    /// The high bit of each byte of a little-endian word that `isPlainNameByte` refuses, and
    /// of none that it accepts; computed byte by byte like `notPlainText`.
    @inline(__always)
    static func notPlainName(_ word: UInt64) -> UInt64 {
        let digit = Word.atLeast(word, 0x30) & ~Word.atLeast(word, 0x3A)
        let upper = Word.atLeast(word, 0x41) & ~Word.atLeast(word, 0x5B)
        let lower = Word.atLeast(word, 0x61) & ~Word.atLeast(word, 0x7B)
        let other = Word.equal(word, 0x5F) | Word.equal(word, 0x2D) | Word.equal(word, 0x2E)
        return (word & Word.highBits) | (~(digit | upper | lower | other) & Word.highBits)
    }

    /// Byte-wise tests on eight bytes at once, each byte on its own: no carry crosses from
    /// one byte into the next, so every byte's high bit in a result is exact.
    private enum Word {
        static let ones: UInt64 = 0x0101_0101_0101_0101
        static let highBits: UInt64 = 0x8080_8080_8080_8080
        static let lowBits: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

        /// The high bit of each byte equal to `byte`: a zero byte is the only one that stays
        /// below 0x80 when 0x7F is added to its low seven bits and has no high bit itself.
        @inline(__always)
        static func equal(_ word: UInt64, _ byte: UInt64) -> UInt64 {
            let difference = word ^ (ones &* byte)
            return ~(((difference & lowBits) &+ lowBits) | difference | lowBits)
        }

        /// The high bit of each byte whose low seven bits are `byte` (at most 0x80) or more.
        @inline(__always)
        static func atLeast(_ word: UInt64, _ byte: UInt64) -> UInt64 {
            ((word & lowBits) &+ ones &* (0x80 - byte)) & highBits
        }
    }

    /// `isNameByte` without ':' and non-ASCII bytes.
    static func isPlainNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0..<64: (0x03FF_6000_0000_0000 as UInt64) >> UInt64(byte) & 1 == 1
        case 64..<128: (0x07FF_FFFE_87FF_FFFE as UInt64) >> UInt64(byte - 64) & 1 == 1
        default: false
        }
    }

    private func startsWith(_ literal: StaticString, at index: Int) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard index + length <= bytes.count else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<length where bytes[index + offset] != pointer[offset] {
            return false
        }
        return true
    }

    private func fault(_ kind: XMLSyntaxError.Kind, at offset: Int) -> XMLSyntaxError {
        XMLSyntaxError(kind: kind, offset: min(offset, bytes.count))
    }

    /// 1-based line and column (in characters) of a byte offset.
    func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        var column = 1
        for index in lineStart..<min(offset, bytes.count) where bytes[index] & 0xC0 != 0x80 {
            column += 1
        }
        return (line, column)
    }

    // MARK: Byte classes

    private enum ByteClass {
        static let plain: UInt8 = 0
        static let lessThan: UInt8 = 1
        static let ampersand: UInt8 = 2
        static let closingBracket: UInt8 = 3
        static let carriageReturn: UInt8 = 4
        static let multiByte: UInt8 = 5
        static let invalid: UInt8 = 6
    }

    private static let byteClass: [UInt8] = (0...255).map { (byte: Int) -> UInt8 in
        switch byte {
        case 0x09, 0x0A: ByteClass.plain
        case 0x0D: ByteClass.carriageReturn
        case 0x00..<0x20: ByteClass.invalid
        case 0x3C: ByteClass.lessThan
        case 0x26: ByteClass.ampersand
        case 0x5D: ByteClass.closingBracket
        case 0x20..<0x80: ByteClass.plain
        case 0xC2...0xF4: ByteClass.multiByte
        default: ByteClass.invalid
        }
    }
}

/// Strings too long to be stored inline, recently made from a document's bytes: a report
/// repeats its domain in the header_from, envelope_from and DKIM and SPF results of every
/// record, and one shared copy saves an allocation (and its release) each time.
struct RecentStrings {
    private var entries: [String] = []
    private var next = 0
    private static let capacity = 8
    /// Shorter strings are stored inline and cost no allocation.
    private static let inlineLength = 15

    /// `utf8` as a string, an earlier one when it has the same bytes.
    mutating func string(_ utf8: UnsafeBufferPointer<UInt8>) -> String {
        guard utf8.count > Self.inlineLength, let base = utf8.baseAddress else {
            return String(decoding: utf8, as: UTF8.self)
        }
        for entry in entries where entry.utf8.count == utf8.count {
            let same = entry.utf8.withContiguousStorageIfAvailable { stored in
                stored.baseAddress.map { memcmp($0, base, utf8.count) == 0 } ?? false
            }
            if same == true { return entry }
        }
        let value = String(decoding: utf8, as: UTF8.self)
        if entries.count < Self.capacity {
            entries.append(value)
        } else {
            entries[next] = value
            next = (next + 1) % Self.capacity
        }
        return value
    }
}
