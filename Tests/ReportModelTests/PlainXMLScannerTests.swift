import CByteClasses
import Foundation
import SyntheticReports
import Testing
@testable import ReportModel

/// The plain scanner against the pull parser it stands in for: for every document it reads
/// to the end, the same events and texts as the parser, and a parser that finds no fault;
/// anything outside the plain form, or not well-formed, declined.
@Suite("PlainXMLScanner: the parser's events for plain documents, declined for the rest")
struct PlainXMLScannerTests {
    enum Step: Equatable, CustomStringConvertible {
        case start(ReportElement)
        case end(text: String)

        var description: String {
            switch self {
            case .start(let element): "<\(element.name)>"
            case .end(let text): "</> \(text.debugDescription)"
            }
        }
    }

    /// The scanner's steps, the root's start (read by the parser) first; nil when it declines.
    static func scanned(_ bytes: [UInt8], maxDepth: Int = 64) -> [Step]? {
        bytes.withUnsafeBufferPointer { buffer -> [Step]? in
            var steps: [Step] = []
            let root = { (parser: XMLPullParser) -> Bool in
                steps.append(.start(ReportElement(packed: parser.packedLocalName)))
                return true
            }
            return PlainXMLScanner.afterRoot(of: buffer, maxDepth: maxDepth, root: root) { scanner -> [Step]? in
                var copies: [UInt8] = []
                while true {
                    switch scanner.next() {
                    case .startElement(let element): steps.append(.start(element))
                    case .endElement(let text):
                        let kept = scanner.texts.trimmed(text, copyingInto: &copies)
                        let utf8 = kept.lowerBound >= buffer.count
                            ? Array(copies[(kept.lowerBound - buffer.count)..<(kept.upperBound - buffer.count)]) : Array(buffer[kept])
                        steps.append(.end(text: String(decoding: utf8, as: UTF8.self)))
                    case .endOfDocument: return steps
                    case .declined: return nil
                    }
                }
            }
        }
    }

    /// The parser's steps; nil when it finds a fault.
    static func parsed(_ bytes: [UInt8]) -> [Step]? {
        bytes.withUnsafeBufferPointer { buffer -> [Step]? in
            var parser = XMLPullParser(bytes: buffer)
            var recent = RecentStrings()
            var steps: [Step] = []
            while true {
                switch try? parser.next() {
                case .startElement: steps.append(.start(ReportElement(packed: parser.packedLocalName)))
                case .endElement: steps.append(.end(text: parser.trimmedText(reusing: &recent)))
                case .endOfDocument: return steps
                case nil: return nil
                }
            }
        }
    }

    static func expectReadAsTheParserReads(_ document: String, _ comment: Comment? = nil) {
        let bytes = Array(document.utf8)
        let scanned = Self.scanned(bytes)
        #expect(scanned != nil, "declined: \(document.debugDescription)")
        #expect(scanned == Self.parsed(bytes), "\(document.debugDescription)")
    }

    static func generatedReports(seed: UInt64, count: Int) throws -> [ReportModel.AggregateReport] {
        var spec = SyntheticWorkspaceSpec.demo(seed: seed)
        spec.monthCount = 1
        return try SyntheticWorkspace(spec: spec).generate().files.prefix(count).map(\.report)
    }

    @Test func generatedReportsAreReadToTheEndWithTheParsersEvents() throws {
        for seed: UInt64 in [3, 2_026] {
            for (index, report) in try Self.generatedReports(seed: seed, count: 150).enumerated() {
                let quirks: ReportXMLWriter.Quirks = [[], [.paddedValues], [.capitalisedResults]][index % 3]
                let bytes = Array(ReportXMLWriter(quirks: quirks).data(for: report))
                let scanned = Self.scanned(bytes)
                #expect(scanned != nil, "seed \(seed) report \(index) declined")
                #expect(scanned == Self.parsed(bytes), "seed \(seed) report \(index)")
            }
        }
    }

    @Test func whatThePlainFormAllows() {
        for document in [
            "<feedback></feedback>",
            "<feedback>\n  <a/>\n  <b />\n  <c\t/>\n</feedback>\n\t \n",
            "<feedback><record >x</record\n></feedback>",
            "<feedback><x>printable !\"#$%'()*+,-./:;=>?@[\\^_`{|}~ and \u{7F} and tab\tand\nline</x></feedback>",
            "<feedback><_a.b-c9>v</_a.b-c9><A1>V</A1></feedback>",
            "<feedback><org_name>  padded  </org_name><email/><report_id>\n\t</report_id></feedback>",
            "<feedback>\r\n  <a>x\r\ny</a>\r\n  <b>\r\n  v \r\n</b><c>p\rq\r\r\nr\n\rs</c><d\r\n/></feedback>\r\n",
            "<feedback><a\r>\r</a\r\n><b>\r\r</b></feedback>\r",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- before --><?pi x?>\n<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\" a='1'><version>2.0</version></feedback>",
            "<feedback><a><b><c>deep</c></b>after</a>x<record/></feedback>",
            "<other><record><count>1</count></record></other>",
        ] {
            Self.expectReadAsTheParserReads(document)
        }
        // Names of every length up to the packed maximum, near the end of the buffer.
        for length in 1...24 {
            let name = String(repeating: "n", count: length)
            Self.expectReadAsTheParserReads("<feedback><\(name)>v</\(name)></feedback>")
            Self.expectReadAsTheParserReads("<feedback><\(name)/></feedback>")
        }
    }

    /// Well-formed documents the parser reads, with one thing the plain form leaves out.
    @Test(arguments: [
        "<feedback><a>x &amp; y</a></feedback>",
        "<feedback><a>&#65;</a></feedback>",
        "<feedback><a><![CDATA[x]]></a></feedback>",
        "<feedback><!-- c --><a>x</a></feedback>",
        "<feedback><a>x<?pi y?></a></feedback>",
        "<feedback><a>caf\u{E9}</a></feedback>",
        "<feedback><caf\u{E9}>x</caf\u{E9}></feedback>",
        "<feedback><a b=\"1\">x</a></feedback>",
        "<feedback xmlns:p=\"urn:x\"><p:a>x</p:a></feedback>",
        "<feedback><a>x]y</a></feedback>",
        "<feedback></feedback><!-- after -->",
        "<feedback></feedback><?pi after?>",
        "<feedback/>",
        "<p:feedback xmlns:p=\"urn:x\"></p:feedback>",
        "<feedback><abcdefghijklmnopqrstuvwxy>x</abcdefghijklmnopqrstuvwxy></feedback>",
    ])
    func formsOutsideThePlainOneAreDeclined(_ document: String) {
        let bytes = Array(document.utf8)
        #expect(Self.parsed(bytes) != nil, "the parser reads it")
        #expect(Self.scanned(bytes) == nil)
    }

    /// Faults after the root's start tag, each declined (the parser then names it).
    @Test(arguments: [
        "<feedback><a>x</b></feedback>",
        "<feedback><a>x</ab></feedback>",
        "<feedback><ab>x</a></feedback>",
        "<feedback><a>x</a ",
        "<feedback><a>x</a",
        "<feedback><a>x",
        "<feedback><a>x</a></feedback><b/>",
        "<feedback><a>x</a></feedback>x",
        "<feedback><a>x</a></feedback></feedback>",
        "<feedback><a>x & y</a></feedback>",
        "<feedback><a>x ]]> y</a></feedback>",
        "<feedback><a>x\u{0}y</a></feedback>",
        "<feedback><a>x\u{1F}y</a></feedback>",
        "<feedback><1a>x</1a></feedback>",
        "<feedback><a/ ></feedback>",
        "<feedback><a b></a></feedback>",
        "<feedback>< a></a></feedback>",
        "<feedback><",
        "<feedback></",
    ])
    func faultsAreDeclined(_ document: String) {
        let bytes = Array(document.utf8)
        #expect(Self.parsed(bytes) == nil, "the parser finds the fault")
        #expect(Self.scanned(bytes) == nil)
    }

    /// The bitmaps and the checks of `sitegen_classify_plain_bytes` against their definition,
    /// for lengths around its blocks of 16 and 64 bytes and each refused byte at the edges.
    @Test func byteClassesMatchTheirDefinition() {
        let plain = Array("ab<Z>/ 09_-.:=\"'!?\t\n\u{7F}#<<x\r".utf8)
        func isName(_ byte: UInt8) -> Bool {
            (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
        func classify(_ bytes: [UInt8]) -> (plain: Bool, carriageReturn: Bool, lessThan: [UInt64], notName: [UInt64]) {
            let words = (bytes.count + 63) / 64
            var bitmaps = [UInt64](repeating: 0xDEAD, count: 2 * words + 1)
            let plain = bytes.withUnsafeBufferPointer { buffer in
                bitmaps.withUnsafeMutableBufferPointer { maps in
                    sitegen_classify_plain_bytes(buffer.baseAddress, buffer.count, maps.baseAddress!, maps.baseAddress! + words)
                }
            }
            return (plain != 0, plain == 2, Array(bitmaps[0..<words]), Array(bitmaps[words..<(2 * words)]))
        }
        for length in [0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 200] {
            let bytes = (0..<length).map { plain[($0 * 7 + length) % plain.count] }
            let (isPlain, carriageReturn, lessThan, notName) = classify(bytes)
            #expect(isPlain, "length \(length)")
            #expect(carriageReturn == bytes.contains(0x0D), "length \(length)")
            if let last = bytes.lastIndex(of: 0x0D) {
                var without = bytes
                without[last] = UInt8(ascii: " ")
                #expect(classify(without).carriageReturn == without.contains(0x0D), "length \(length) without its last CR")
            }
            for (index, byte) in bytes.enumerated() {
                #expect((lessThan[index / 64] >> UInt64(index % 64)) & 1 == (byte == UInt8(ascii: "<") ? 1 : 0), "length \(length) at \(index)")
                #expect((notName[index / 64] >> UInt64(index % 64)) & 1 == (isName(byte) ? 0 : 1), "length \(length) at \(index)")
            }
            if length % 64 != 0 {
                #expect(lessThan.last! >> UInt64(length % 64) == 0, "length \(length): no '<' past the end")
                #expect(~notName.last! >> UInt64(length % 64) == 0, "length \(length): every place past the end ends a name")
            }
            for place in Set([0, 15, 16, 63, 64, length - 1]) where place >= 0 && place < length {
                for refused in (0...255).map(UInt8.init)
                where !XMLPullParser.isPlainText(refused) && refused != UInt8(ascii: "<") && refused != 0x0D {
                    var damaged = bytes
                    damaged[place] = refused
                    #expect(!classify(damaged).plain, "byte \(refused) at \(place) of \(length)")
                }
            }
        }
    }

    @Test func elementsDeeperThanItsStorageAreDeclined() {
        let document = Array(("<feedback>" + String(repeating: "<x>", count: 10) + String(repeating: "</x>", count: 10) + "</feedback>").utf8)
        #expect(Self.scanned(document, maxDepth: 11) == Self.parsed(document))
        #expect(Self.scanned(document, maxDepth: 10) == nil)
    }

    /// Generated reports with seeded pieces inserted, bytes dropped or replaced, and cuts:
    /// whatever the scanner reads to the end, the parser reads the same way.
    @Test func damagedReportsAreDeclinedOrReadAsTheParserReadsThem() throws {
        let pieces = ["<", ">", "/", "&", "&amp;", "]", "]]>", "\r", "\r\n", "\t", " ", "\u{0}", "\u{E9}", ":", "=", "\"", "'",
                      "<!-- c -->", "<![CDATA[c]]>", "<?p i?>", "<x/>", "<x>", "</x>", " a=\"1\"", "</", "/>", "<count>", "</row>"]
            .map { Array($0.utf8) }
        var random = SplitMix64(seed: 42)
        var read = 0
        var declined = 0
        for (index, report) in try Self.generatedReports(seed: 9, count: 400).enumerated() {
            let original = Array(ReportXMLWriter(quirks: index % 2 == 0 ? [] : [.paddedValues]).data(for: report))
            for _ in 0..<6 {
                var bytes = original
                for _ in 0..<(1 + random.below(2)) {
                    let at = random.below(bytes.count)
                    switch random.below(4) {
                    case 0: bytes.remove(at: at)
                    case 1: bytes[at] = pieces[random.below(pieces.count)].first ?? 0x20
                    case 2: bytes.insert(contentsOf: pieces[random.below(pieces.count)], at: at)
                    default: bytes.removeSubrange(at..<min(bytes.count, at + 1 + random.below(12)))
                    }
                }
                guard let scanned = Self.scanned(bytes) else {
                    declined += 1
                    continue
                }
                read += 1
                #expect(scanned == Self.parsed(bytes), "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
            }
        }
        #expect(read > 300)
        #expect(declined > 300)
    }
}
