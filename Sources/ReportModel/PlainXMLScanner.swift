/// Reads the elements below the root of a report in the plain form nearly every report
/// takes, faster than `XMLPullParser`: printable ASCII text without '&', ']' or carriage
/// returns; tags of plain names (`[A-Za-z_][A-Za-z0-9_.-]*`, no prefix) without attributes;
/// no comments, CDATA sections or processing instructions; only white space after the root.
/// `XMLPullParser` reads everything up to the root's start tag (the declaration, what comes
/// before the root, the root's attributes and namespaces) and hands over after it.
///
/// A document in that form is well-formed exactly when `XMLPullParser` finds it so, and the
/// scanner gives the events and texts that parser gives. At the first byte outside the form
/// (or the first fault) it declines, and the caller reads the document with the parser.
package struct PlainXMLScanner {
    package enum Event: Equatable {
        case startElement(ReportElement)
        /// The element's text: the range of the document since the last tag, untrimmed.
        case endElement(text: Range<Int>)
        case endOfDocument
        /// Outside the plain form, or not well-formed: the parser must read the document.
        case declined
    }

    /// An open element's name, to match its end tag with.
    package struct OpenName {
        var packed: PackedName
        var length: Int
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let base: UnsafePointer<UInt8>
    private let count: Int
    private let names: UnsafeMutableBufferPointer<OpenName>
    private var depth = 1
    private var position: Int
    private var emptyElementPending = false

    /// Runs `body` with storage for the names of elements open at once, `maxDepth` at most.
    package static func withNameStorage<Result>(
        maxDepth: Int, _ body: (UnsafeMutableBufferPointer<OpenName>) -> Result
    ) -> Result {
        withUnsafeTemporaryAllocation(of: OpenName.self, capacity: max(maxDepth, 1), body)
    }

    /// Takes over from `parser` after it started the root element; nil when the root is not
    /// in the plain form. `names` must hold at least one name.
    package init?(after parser: XMLPullParser, in bytes: UnsafeBufferPointer<UInt8>, names: UnsafeMutableBufferPointer<OpenName>) {
        let root = parser.localNameRange
        guard let base = bytes.baseAddress, !names.isEmpty, !parser.startedEmptyElement, !parser.startedElementHasPrefix,
              let packed = PackedName(in: bytes, start: root.lowerBound, length: root.count)
        else { return nil }
        self.bytes = bytes
        self.base = base
        count = bytes.count
        self.names = names
        names.initializeElement(at: 0, to: OpenName(packed: packed, length: root.count))
        position = parser.offset
    }

    package mutating func next() -> Event {
        if emptyElementPending {
            emptyElementPending = false
            return .endElement(text: position..<position)
        }
        if depth == 0 { return .endOfDocument }
        // The text since the last tag runs up to `tag`.
        guard let tag = nextTag(), tag + 1 < count else { return .declined }
        let textStart = position
        if base[tag + 1] == UInt8(ascii: "/") {
            let open = names[depth - 1]
            let nameStart = tag + 2
            guard let closing = PackedName(in: bytes, start: nameStart, length: open.length), closing == open.packed,
                  let tagEnd = afterSpaces(from: nameStart + open.length, expecting: UInt8(ascii: ">"))
            else { return .declined }
            depth -= 1
            position = tagEnd
            if depth == 0, !onlySpacesRemain() { return .declined }
            return .endElement(text: textStart..<tag)
        }
        let nameStart = tag + 1
        guard depth < names.count, Self.isPlainNameStart(base[nameStart]) else { return .declined }
        let nameEnd = plainNameEnd(from: nameStart + 1)
        guard nameEnd < count, let packed = PackedName(in: bytes, start: nameStart, length: nameEnd - nameStart) else {
            return .declined
        }
        if base[nameEnd] == UInt8(ascii: ">") {
            position = nameEnd + 1
        } else if let tagEnd = afterSpaces(from: nameEnd, expecting: UInt8(ascii: ">")) {
            position = tagEnd
        } else if let slash = afterSpaces(from: nameEnd, expecting: UInt8(ascii: "/")), slash < count,
                  base[slash] == UInt8(ascii: ">") {
            position = slash + 1
            emptyElementPending = true
            return .startElement(ReportElement(packed: packed))
        } else {
            return .declined
        }
        names.initializeElement(at: depth, to: OpenName(packed: packed, length: nameEnd - nameStart))
        depth += 1
        return .startElement(ReportElement(packed: packed))
    }

    /// The '<' that ends the plain text from `position`; nil when a byte the plain form
    /// leaves out comes first, or the document ends.
    @inline(__always)
    private func nextTag() -> Int? {
        var index = position
        let raw = UnsafeRawPointer(base)
        while index + 8 <= count {
            let special = XMLPullParser.notPlainText(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
            if special != 0 {
                index += special.trailingZeroBitCount / 8
                return base[index] == UInt8(ascii: "<") ? index : nil
            }
            index += 8
        }
        while index < count {
            let byte = base[index]
            if byte == UInt8(ascii: "<") { return index }
            guard XMLPullParser.isPlainText(byte) else { return nil }
            index += 1
        }
        return nil
    }

    /// The end of a plain name from `start`.
    @inline(__always)
    private func plainNameEnd(from start: Int) -> Int {
        var index = start
        let raw = UnsafeRawPointer(base)
        while index + 8 <= count {
            let special = XMLPullParser.notPlainName(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
            if special != 0 { return index + special.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < count, XMLPullParser.isPlainNameByte(base[index]) { index += 1 }
        return index
    }

    /// The index after `expected`, when only white space comes before it from `start`.
    @inline(__always)
    private func afterSpaces(from start: Int, expecting expected: UInt8) -> Int? {
        var index = start
        while index < count, XMLPullParser.isSpace(base[index]) { index += 1 }
        return index < count && base[index] == expected ? index + 1 : nil
    }

    private func onlySpacesRemain() -> Bool {
        var index = position
        while index < count, XMLPullParser.isSpace(base[index]) { index += 1 }
        return index == count
    }

    /// Text of the document (as `.endElement` gives it) without the white space at either
    /// end: what the parser's `trimmedTextInDocument()` gives for the same element.
    package static func trimmed(_ text: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var lower = text.lowerBound
        var upper = text.upperBound
        while lower < upper, XMLPullParser.isSpace(bytes[lower]) { lower += 1 }
        while upper > lower, XMLPullParser.isSpace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// An ASCII letter or '_': the start of a plain name.
    @inline(__always)
    private static func isPlainNameStart(_ byte: UInt8) -> Bool {
        let folded = byte | 0x20
        return (folded >= UInt8(ascii: "a") && folded <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
    }
}
