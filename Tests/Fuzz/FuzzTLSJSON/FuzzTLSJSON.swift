#if FUZZING
import CLibFuzzer
#endif
import FuzzSupport
import Foundation
import ReportModel

/// Fuzzes the SMTP TLS report (RFC 8460 JSON) parser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = FuzzInput.data(bytes, count)
    _ = try? TLSReportParser(limits: .standard).parse(data)
    return 0
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
