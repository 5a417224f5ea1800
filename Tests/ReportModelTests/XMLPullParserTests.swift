import Testing
@testable import ReportModel

/// The pull parser's events, texts and faults where its fast paths end: text runs that stop
/// at each kind of byte, names and end tags of every length and near the end of the buffer,
/// tags with and without attributes.
@Suite("XMLPullParser: events, text and faults at the edges of its fast paths")
struct XMLPullParserTests {
    /// What the parser made of a document: each event with its local name and text, or the
    /// fault that stopped it.
    enum Step: Equatable, CustomStringConvertible {
        case start(String)
        case end(String, text: String)
        case fault(XMLSyntaxError.Kind, offset: Int)

        var description: String {
            switch self {
            case .start(let name): "<\(name)>"
            case .end(let name, let text): "</\(name)> \(text.debugDescription)"
            case .fault(let kind, let offset): "fault \(kind) at \(offset)"
            }
        }
    }

    static func steps(_ text: String) -> [Step] {
        steps(Array(text.utf8))
    }

    static func steps(_ bytes: [UInt8]) -> [Step] {
        bytes.withUnsafeBufferPointer { buffer in
            var parser = XMLPullParser(bytes: buffer)
            var recent = RecentStrings()
            var steps: [Step] = []
            while true {
                do throws(XMLSyntaxError) {
                    switch try parser.next() {
                    case .startElement:
                        steps.append(.start(String(decoding: parser.localName, as: UTF8.self)))
                    case .endElement:
                        let text = parser.trimmedText(reusing: &recent)
                        steps.append(.end(String(decoding: parser.localName, as: UTF8.self), text: text))
                    case .endOfDocument:
                        return steps
                    }
                } catch {
                    steps.append(.fault(error.kind, offset: error.offset))
                    return steps
                }
            }
        }
    }

    @Test func textRunsEndAtEachKindOfByte() {
        let cases: [(text: String, read: String)] = [
            ("plain words and 0123456789 !\"#$%'()*+,-./:;=>?@[\\^_`{|}~", "plain words and 0123456789 !\"#$%'()*+,-./:;=>?@[\\^_`{|}~"),
            ("a\tb\nc", "a\tb\nc"),
            ("a\r\nb\rc", "a\nb\nc"),
            ("a &amp; b &lt;&gt;&quot;&apos;", "a & b <>\"'"),
            ("&#233;t&#xE9;", "été"),
            ("caf\u{E9} \u{20AC} \u{1F600}", "caf\u{E9} \u{20AC} \u{1F600}"),
            ("a]b]]c", "a]b]]c"),
            ("x<![CDATA[<&]]>y", "x<&y"),
            ("a<!-- note -->b", "ab"),
            ("\u{7F}", "\u{7F}"),
        ]
        for (text, read) in cases {
            for padding in 0..<10 {
                let name = String(repeating: "t", count: padding + 1)
                let document = "<\(name)>\(text)</\(name)>"
                #expect(Self.steps(document) == [.start(name), .end(name, text: read)], "\(document.debugDescription)")
            }
        }
    }

    @Test func controlCharactersAndBadUTF8InTextAreRefusedWhereTheyAre() {
        for byte: UInt8 in [0x00, 0x01, 0x08, 0x0B, 0x0C, 0x1F] {
            for prefix in 0..<12 {
                let text = String(repeating: "v", count: prefix) + String(decoding: [byte], as: UTF8.self)
                let steps = Self.steps("<a>\(text)</a>")
                #expect(steps == [.start("a"), .fault(.invalidCharacter, offset: 3 + prefix)], "byte \(byte), \(prefix) before")
            }
        }
        #expect(Self.steps(Array("<a>ab".utf8) + [0xC3] + Array("</a>".utf8)).last == .fault(.invalidCharacter, offset: 5))
        #expect(Self.steps(Array("<a>ab".utf8) + [0xC3, 0xA9, 0xFF] + Array("</a>".utf8)).last == .fault(.invalidCharacter, offset: 7))
        #expect(Self.steps("<a>ab]]>c</a>").last == .fault(.other("']]>' appears outside a CDATA section"), offset: 5))
        #expect(Self.steps("<a>x & y</a>").last == .fault(.unescapedMarkup, offset: 6))
        #expect(Self.steps("<a>x").last == .fault(.endsEarlyOrExtraContent, offset: 4))
    }

    @Test func endTagsOfEveryLengthAreMatchedByteForByte() {
        for length in 1...30 {
            let name = String((0..<length).map { index in Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8(index % 26))) })
            #expect(Self.steps("<\(name)>v</\(name)>") == [.start(name), .end(name, text: "v")], "\(length)")
            #expect(Self.steps("<\(name)>v</\(name)  >") == [.start(name), .end(name, text: "v")], "\(length) with space")
            let endTagName = length + 5
            for changed in 0..<length {
                var other = Array(name.utf8)
                other[changed] = UInt8(ascii: "Z")
                let document = "<\(name)>v</\(String(decoding: other, as: UTF8.self))>"
                #expect(Self.steps(document) == [.start(name), .fault(.mismatchedEndTag, offset: endTagName)], "\(document)")
            }
            #expect(Self.steps("<\(name)>v</\(name)x>").last == .fault(.mismatchedEndTag, offset: endTagName))
            for cut in 0...length {
                let document = "<\(name)>v</\(name.prefix(cut))"
                #expect(Self.steps(document).last == .fault(.unclosedTag, offset: document.utf8.count), "\(document)")
            }
        }
    }

    @Test func everyReportElementIsFoundByItsPackedNameAnywhereInTheBuffer() {
        var byName: [String: ReportElement] = [:]
        var raw: UInt8 = 1
        while let element = ReportElement(rawValue: raw) {
            byName[element.name] = element
            raw += 1
        }
        #expect(byName.count == 43)
        for (_, element) in byName {
            let name = Array(element.name.utf8)
            for padding in [0, 1, 7, 8, 23, 24, 40] {
                for after in [0, 1, 5, 23, 24, 30] {
                    let buffer = Array(repeating: UInt8(ascii: "x"), count: padding) + name + Array(repeating: UInt8(ascii: "y"), count: after)
                    let packed = buffer.withUnsafeBufferPointer { PackedName(in: $0, start: padding, length: name.count) }
                    #expect(ReportElement(packed: packed) == element, "\(element.name) at \(padding), \(after) after")
                    #expect(packed == name.withUnsafeBufferPointer { PackedName($0) })
                }
            }
            for other in [element.name + "x", String(element.name.dropLast()), element.name.uppercased(), "x" + element.name] {
                let bytes = Array(other.utf8)
                #expect(bytes.withUnsafeBufferPointer { ReportElement(localName: $0) } == byName[other] ?? .other, "\(other)")
            }
        }
        let long = Array(String(repeating: "n", count: 25).utf8)
        #expect(long.withUnsafeBufferPointer { PackedName($0) } == nil)
        #expect(ReportElement(packed: nil) == .other)
    }

    @Test func startTagsWithAndWithoutAttributes() {
        #expect(Self.steps("<a>v</a>") == [.start("a"), .end("a", text: "v")])
        #expect(Self.steps("<a/>") == [.start("a"), .end("a", text: "")])
        #expect(Self.steps("<a  b='1'\tc=\"2\" />") == [.start("a"), .end("a", text: "")])
        #expect(Self.steps("<p:a xmlns:p='urn:x' p:b='1'>v</p:a>") == [.start("a"), .end("a", text: "v")])
        #expect(Self.steps("<a b='1'c='2'>").last == .fault(.other("attributes are not separated by white space"), offset: 8))
        #expect(Self.steps("<a b='1' b='2'>").last == .fault(.other("an attribute appears twice in one tag"), offset: 9))
        #expect(Self.steps("<a b>").last == .fault(.other("an attribute has no value"), offset: 4))
        #expect(Self.steps("<a b=1>").last == .fault(.other("an attribute value is not quoted"), offset: 5))
        #expect(Self.steps("<a b='<'>").last == .fault(.unescapedMarkup, offset: 6))
        #expect(Self.steps("<a").last == .fault(.unclosedTag, offset: 2))
        #expect(Self.steps("<a ").last == .fault(.unclosedTag, offset: 3))
        #expect(Self.steps("<a/").last == .fault(.unclosedTag, offset: 2))
        #expect(Self.steps("<a =''>").last == .fault(.unescapedMarkup, offset: 3))
        #expect(Self.steps("<p:a>").last == .fault(.other("the namespace prefix 'p' is not declared"), offset: 1))
        #expect(Self.steps("<a q:b='1'>").last == .fault(.other("the namespace prefix 'q' is not declared"), offset: 3))
        #expect(Self.steps("<a:>").last == .fault(.other("a name has more than one ':' or one at its start or end"), offset: 2))
    }

    /// Each byte value at each place in a word of bytes that pass, and after one that stops:
    /// the word-at-a-time tests find the first byte the byte-by-byte tests stop at.
    @Test(arguments: [("text", UInt8(ascii: "t")), ("name", UInt8(ascii: "n"))])
    func wordTestsStopAtTheFirstByteTheByteTestsStopAt(kind: String, filler: UInt8) {
        let passes: (UInt8) -> Bool
        let stops: (UInt64) -> UInt64
        if kind == "text" {
            passes = { XMLPullParser.isPlainText($0) }
            stops = { XMLPullParser.notPlainText($0) }
        } else {
            passes = { XMLPullParser.isPlainNameByte($0) }
            stops = { XMLPullParser.notPlainName($0) }
        }
        for value in 0...255 {
            for place in 0..<8 {
                for later: UInt8 in [filler, 0x00, 0x3C, 0xFF] {
                    var bytes = Array(repeating: filler, count: 8)
                    bytes[place] = UInt8(value)
                    if place < 7 { bytes[7] = later }
                    let word = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
                    let first = bytes.firstIndex { !passes($0) } ?? 8
                    let found = stops(word)
                    #expect((found == 0 ? 8 : found.trailingZeroBitCount / 8) == first, "\(kind): byte \(value) at \(place), \(later) last")
                    #expect(found & ~0x8080_8080_8080_8080 == 0)
                }
            }
        }
    }

    @Test func plainTextBytesAreExactlyThoseThatNeedNothing() {
        for value in 0...255 {
            let byte = UInt8(value)
            let plain = byte == 0x09 || byte == 0x0A
                || (byte >= 0x20 && byte < 0x80 && byte != UInt8(ascii: "<") && byte != UInt8(ascii: "&") && byte != UInt8(ascii: "]"))
            #expect(XMLPullParser.isPlainText(byte) == plain, "byte \(byte)")
            let nameByte = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: ".")
            #expect(XMLPullParser.isPlainNameByte(byte) == nameByte, "byte \(byte)")
        }
    }

    /// The XML declaration's names, order, version, encoding and standalone values, compared
    /// as bytes: each fault where it is noticed, and an encoding of US-ASCII in any case
    /// refusing bytes above 0x7F.
    @Test(arguments: [
        ("<?xml version=\"1.0\"?>", nil),
        ("<?xml  version = '1.0'  encoding = 'utf_8'  standalone='no' ?>", nil),
        ("<?xml version=\"1.0\" encoding=\"us-ascii-x\"?>", nil),
        ("<?xml encoding=\"UTF-8\" version=\"1.0\"?>", ("encoding", "the XML declaration is malformed")),
        ("<?xml version=\"1.0\" version=\"1.0\"?>", ("version=\"1.0\"?>", "the XML declaration is malformed")),
        ("<?xml version=\"1.0\" standalone=\"yes\" encoding=\"UTF-8\"?>", ("encoding", "the XML declaration is malformed")),
        ("<?xml Version=\"1.0\"?>", ("Version", "the XML declaration is malformed")),
        ("<?xml standalone=\"yes\"?>", ("standalone", "the XML declaration is malformed")),
        ("<?xml version=\"1.0\" standalone=\"maybe\"?>", ("maybe", "the XML declaration is malformed")),
        ("<?xml version=\"1.1\"?>", ("1.1", "the XML declaration gives version 1.1, not 1.0")),
        ("<?xml version=\"1.0.0.0.0.0\"?>", ("1.0.0", "the XML declaration gives version 1.0.0.0.0., not 1.0")),
        ("<?xml version=\"1.0\" encoding=\"8bit\"?>", ("8bit", "the XML declaration gives a malformed encoding name")),
        ("<?xml version=\"1.0\" encoding=\"\"?>", ("\"?>", "the XML declaration gives a malformed encoding name")),
        ("<?xml version=\"1.0\" encoding=\"Utf-16LE\"?>", ("Utf", "the XML declaration says UTF-16 but the bytes are not UTF-16")),
        ("<?xml ?>", ("?>", "the XML declaration has no version")),
    ] as [(String, (marker: String, reason: String)?)])
    func declarationsAreCheckedByByte(declaration: String, fault: (marker: String, reason: String)?) throws {
        let steps = Self.steps(declaration + "<r>x</r>")
        guard let fault else {
            #expect(steps == [.start("r"), .end("r", text: "x")], "\(declaration)")
            return
        }
        // The marker's first place after the declaration's start, where the fault is noticed.
        let range = try #require(declaration.dropFirst(6).range(of: fault.marker))
        let offset = declaration.utf8.distance(from: declaration.startIndex, to: range.lowerBound)
        #expect(steps == [.fault(.other(fault.reason), offset: offset)], "\(declaration)")
    }

    @Test(arguments: ["US-ASCII", "ascii", "Ascii", "us-ascii"])
    func anASCIIEncodingInAnyCaseRefusesBytesAboveASCII(name: String) {
        let declaration = "<?xml version=\"1.0\" encoding=\"\(name)\"?>"
        let steps = Self.steps(declaration + "<r>\u{E9}</r>")
        #expect(steps == [.start("r"), .fault(.invalidCharacter, offset: declaration.utf8.count + 3)], "\(name)")
        #expect(Self.steps("<?xml version=\"1.0\" encoding=\"UTF-8\"?><r>\u{E9}</r>") == [.start("r"), .end("r", text: "\u{E9}")])
    }
}
