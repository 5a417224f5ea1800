import Foundation

/// Shared by the fuzz targets: turns libFuzzer's buffer into `Data`, and replays saved inputs
/// when a target is built without `-sanitize=fuzzer` (the normal `swift build`).
public enum FuzzInput {
    /// Copies the fuzzer's bytes; libFuzzer may pass a null pointer with size 0.
    public static func data(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Data {
        guard let bytes, count > 0 else { return Data() }
        return Data(bytes: bytes, count: count)
    }

    /// Runs `body` once per file named on the command line (a crash input or a corpus folder),
    /// so a finding can be reproduced and debugged without the fuzzer runtime.
    public static func replay(arguments: [String], _ body: (Data) -> Void) -> Int32 {
        let paths = arguments.dropFirst()
        guard !paths.isEmpty else {
            let name = arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "fuzz target"
            print("usage: \(name) FILE_OR_FOLDER...  (replays saved inputs; build with Tests/Fuzz/run.sh to fuzz)")
            return 2
        }
        var files: [URL] = []
        for path in paths {
            let url = URL(fileURLWithPath: path)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                print("\(path): no such file")
                return 1
            }
            if isFolder.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.sorted().map { url.appendingPathComponent($0) }
            } else {
                files.append(url)
            }
        }
        for file in files {
            guard let data = try? Data(contentsOf: file) else { continue }
            body(data)
        }
        print("replayed \(files.count) inputs")
        return 0
    }
}
