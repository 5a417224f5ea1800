import CByteClasses

/// Reads the elements below the root of a report in the plain form nearly every report
/// takes, faster than `XMLPullParser`: printable ASCII text without '&' or ']' (line feeds,
/// tabs and carriage returns allowed); tags of plain names (`[A-Za-z_][A-Za-z0-9_.-]*`, no
/// prefix) without attributes; no comments, CDATA sections or processing instructions; only
/// white space after the root.
/// `XMLPullParser` reads everything up to the root's start tag (the declaration, what comes
/// before the root, the root's attributes and namespaces) and hands over after it.
///
/// A document in that form is well-formed exactly when `XMLPullParser` finds it so, and the
/// scanner gives the events and texts that parser gives. At the first byte outside the form
/// (or the first fault) it declines, and the caller reads the document with the parser.
///
/// One pass over the bytes after the root's start tag (`sitegen_classify_plain_bytes`, 16
/// bytes at a time where the processor has SSE2) checks that they are all allowed and marks
/// the '<' and the bytes that end a name in two bitmaps; the scanner then goes from tag to
/// tag by the bitmaps instead of testing the bytes between. Texts are trimmed only when
/// asked for (`texts`), and copied only where a carriage return is inside one.
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

    /// What a scanner works in, lent for one document: the names of the elements open at
    /// once and the two bitmaps.
    private struct Storage {
        let names: UnsafeMutableBufferPointer<OpenName>
        let bitmaps: UnsafeMutableBufferPointer<UInt64>
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let base: UnsafePointer<UInt8>
    private let count: Int
    private let names: UnsafeMutableBufferPointer<OpenName>
    /// Bit i of word w stands for the byte at `origin + 64 * w + i`.
    private let lessThan: UnsafeMutablePointer<UInt64>
    private let notName: UnsafeMutablePointer<UInt64>
    private let origin: Int
    private let words: Int
    private let elements = ReportElementNames.shared
    /// Gives the texts of `.endElement` as the parser gives them.
    package let texts: TextReader
    private var depth = 1
    private var position: Int
    private var emptyElementPending = false

    /// Reads `bytes` with `XMLPullParser` up to the root's start tag, hands the parser to
    /// `root`, then runs `body` with a scanner that goes on from there (`maxDepth` elements
    /// open at once at most). nil when the parser faults first, `root` returns false, or the
    /// root or the bytes after its start tag are not in the plain form.
    package static func afterRoot<Result>(
        of bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, root: (XMLPullParser) -> Bool,
        _ body: (inout PlainXMLScanner) -> Result?
    ) -> Result? {
        var parser = XMLPullParser(bytes: bytes)
        guard (try? parser.next()) == .startElement, root(parser) else { return nil }
        return withUnsafeTemporaryAllocation(of: OpenName.self, capacity: max(maxDepth, 1)) { names in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * ((bytes.count + 63) / 64) + 2) { bitmaps in
                guard var scanner = PlainXMLScanner(after: parser, in: bytes, storage: Storage(names: names, bitmaps: bitmaps))
                else { return nil }
                return body(&scanner)
            }
        }
    }

    /// Takes over from `parser` after it started the root element; nil when the root or the
    /// bytes after its start tag are not in the plain form. `storage` must be made for
    /// `bytes`.
    private init?(after parser: XMLPullParser, in bytes: UnsafeBufferPointer<UInt8>, storage: Storage) {
        let root = parser.localNameRange
        let origin = parser.offset
        let words = (bytes.count - origin + 63) / 64
        guard let base = bytes.baseAddress, !storage.names.isEmpty, storage.bitmaps.count >= 2 * words,
              let bitmaps = storage.bitmaps.baseAddress, origin <= bytes.count,
              !parser.startedEmptyElement, !parser.startedElementHasPrefix,
              let packed = PackedName(in: bytes, start: root.lowerBound, length: root.count)
        else { return nil }
        let classes = sitegen_classify_plain_bytes(base + origin, bytes.count - origin, bitmaps, bitmaps + words)
        guard classes != 0 else { return nil }
        texts = TextReader(bytes: bytes, hasCarriageReturns: classes == 2)
        self.bytes = bytes
        self.base = base
        count = bytes.count
        names = storage.names
        lessThan = bitmaps
        notName = bitmaps + words
        self.origin = origin
        self.words = words
        names.initializeElement(at: 0, to: OpenName(packed: packed, length: root.count))
        position = origin
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
            return .startElement(elements.element(of: packed))
        } else {
            return .declined
        }
        names.initializeElement(at: depth, to: OpenName(packed: packed, length: nameEnd - nameStart))
        depth += 1
        return .startElement(elements.element(of: packed))
    }

    /// The next '<' from `position`; nil when there is none.
    @inline(__always)
    private func nextTag() -> Int? {
        nextBit(in: lessThan, from: position)
    }

    /// The end of a plain name from `start`: the next byte that is not a name byte.
    @inline(__always)
    private func plainNameEnd(from start: Int) -> Int {
        min(nextBit(in: notName, from: start) ?? count, count)
    }

    /// The position of the first bit set in `bitmap` for a byte at `start` or after.
    @inline(__always)
    private func nextBit(in bitmap: UnsafeMutablePointer<UInt64>, from start: Int) -> Int? {
        let index = start - origin
        var word = index >> 6
        guard index >= 0, word < words else { return nil }
        var bits = bitmap[word] & (~0 << UInt64(index & 63))
        while bits == 0 {
            word += 1
            guard word < words else { return nil }
            bits = bitmap[word]
        }
        return origin + word << 6 + bits.trailingZeroBitCount
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

    /// Reads the texts `.endElement` gives as the parser reads them, trimmed.
    package struct TextReader {
        let bytes: UnsafeBufferPointer<UInt8>
        /// The document has carriage returns, which the parser turns into line feeds.
        let hasCarriageReturns: Bool

        /// The text without the white space at either end: where it is in the document, or,
        /// when it holds a carriage return, a copy with the parser's line ends (CR LF and CR
        /// made LF) appended to `copies`, whose range there is returned offset by the
        /// document's length.
        package func trimmed(_ text: Range<Int>, copyingInto copies: inout [UInt8]) -> Range<Int> {
            var lower = text.lowerBound
            var upper = text.upperBound
            while lower < upper, XMLPullParser.isSpace(bytes[lower]) { lower += 1 }
            while upper > lower, XMLPullParser.isSpace(bytes[upper - 1]) { upper -= 1 }
            // The trimmed text starts and ends with other bytes, so a CR LF is never cut.
            guard hasCarriageReturns, bytes[lower..<upper].contains(0x0D) else { return lower..<upper }
            let start = copies.count
            var index = lower
            while index < upper {
                if bytes[index] == 0x0D {
                    copies.append(0x0A)
                    if index + 1 < upper, bytes[index + 1] == 0x0A { index += 1 }
                } else {
                    copies.append(bytes[index])
                }
                index += 1
            }
            return (start + bytes.count)..<(copies.count + bytes.count)
        }
    }

    /// An ASCII letter or '_': the start of a plain name.
    @inline(__always)
    private static func isPlainNameStart(_ byte: UInt8) -> Bool {
        let folded = byte | 0x20
        return (folded >= UInt8(ascii: "a") && folded <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
    }
}
