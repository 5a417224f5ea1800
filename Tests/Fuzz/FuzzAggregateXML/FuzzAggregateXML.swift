#if FUZZING
import CLibFuzzer
#endif
import FuzzSupport
import Foundation
import ReportModel

/// Fuzzes the DMARC aggregate report XML parser: any bytes must give a report or a ReportParseError, never a crash, a hang or unbounded memory.
/// It also holds the plain scanner that ingest reads most reports with to the pull parser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = FuzzInput.data(bytes, count)
    _ = try? AggregateReportParser(limits: .standard).parse(data)
    data.withUnsafeBytes { raw in PlainScannerCheck.compare(raw.bindMemory(to: UInt8.self)) }
    return 0
}

/// Wherever `PlainXMLScanner` reads a document to its end, `XMLPullParser` must read it
/// without a fault and give the same events and texts; a difference stops the fuzzer.
enum PlainScannerCheck {
    enum Event: Equatable {
        case start(ReportElement)
        case end([UInt8])
    }

    static func compare(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let scanned = scanned(bytes) else { return }
        let parsed = self.parsed(bytes)
        precondition(parsed == scanned, "the plain scanner and the pull parser differ")
    }

    private static func scanned(_ bytes: UnsafeBufferPointer<UInt8>) -> [Event]? {
        var events: [Event] = []
        let root = { (parser: XMLPullParser) -> Bool in
            events.append(.start(ReportElement(packed: parser.packedLocalName)))
            return true
        }
        return PlainXMLScanner.afterRoot(of: bytes, maxDepth: 64, root: root) { scanner -> [Event]? in
            var copies: [UInt8] = []
            while true {
                switch scanner.next() {
                case .startElement(let element):
                    events.append(.start(element))
                case .endElement(let text):
                    let kept = scanner.texts.trimmed(text, copyingInto: &copies)
                    events.append(.end(kept.lowerBound >= bytes.count
                        ? Array(copies[(kept.lowerBound - bytes.count)..<(kept.upperBound - bytes.count)]) : Array(bytes[kept])))
                case .endOfDocument:
                    return events
                case .declined:
                    return nil
                }
            }
        }
    }

    /// nil when the parser finds a fault.
    private static func parsed(_ bytes: UnsafeBufferPointer<UInt8>) -> [Event]? {
        var parser = XMLPullParser(bytes: bytes)
        var events: [Event] = []
        while true {
            switch try? parser.next() {
            case .startElement:
                events.append(.start(ReportElement(packed: parser.packedLocalName)))
            case .endElement:
                var text: [UInt8] = []
                _ = parser.appendTrimmedText(to: &text)
                events.append(.end(text))
            case .endOfDocument:
                return events
            case nil:
                return nil
            }
        }
    }
}

/// With the fuzzer runtime (`-DFUZZING`), libFuzzer's driver runs the fuzzing loop; without
/// it, the target replays the files it is given. A main of our own either way, so the target
/// links however the build names its entry point.
@main
enum FuzzMain {
    static func main() {
        #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { bytes, count in fuzzOneInput(bytes, count) })
        #else
        exit(FuzzInput.replay(arguments: CommandLine.arguments) { data in
            data.withUnsafeBytes { raw in
                _ = fuzzOneInput(raw.bindMemory(to: UInt8.self).baseAddress, raw.count)
            }
        })
        #endif
    }
}
