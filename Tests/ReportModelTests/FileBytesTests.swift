#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import ReportModel
import Testing

@Suite("FileBytes and FileReadBuffer")
struct FileBytesTests {
    /// A folder of its own with the named files, removed after `body`.
    private static func withFiles<Value>(_ files: [String: Data], _ body: (URL) throws -> Value) throws -> Value {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("file-bytes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, data) in files { try data.write(to: folder.appendingPathComponent(name)) }
        return try body(folder)
    }

    private static func bytes(_ count: Int, seed: UInt32) -> Data {
        Data((0..<count).map { UInt8(truncatingIfNeeded: (UInt32($0) &+ seed) &* 2_654_435_761 >> 13) })
    }

    @Test func bufferHoldsEachFileAsFileBytesReadsIt() throws {
        // Larger than the first allocation together, so the buffer grows (and may move) between files.
        let files = ["a": Self.bytes(40_000, seed: 1), "b": Data(), "c": Self.bytes(70_000, seed: 2), "d": Data("x".utf8)]
        try Self.withFiles(files) { folder in
            let buffer = FileReadBuffer()
            var ranges: [String: Range<Int>] = [:]
            for name in files.keys.sorted() {
                let path = folder.appendingPathComponent(name).path
                ranges[name] = try buffer.append(contentsOfPath: path, limit: 1 << 20).get()
                #expect(FileBytes.contents(ofPath: path, limit: 1 << 20) == .success(files[name]!))
            }
            for (name, data) in files {
                #expect(buffer.data(ranges[name]!) == data, "file \(name)")
                #expect(buffer.withBytes(ranges[name]!) { Data($0) } == data, "file \(name)")
            }
            #expect(buffer.count == files.values.reduce(0) { $0 + $1.count })

            buffer.removeAll()
            let again = try buffer.append(contentsOfPath: folder.appendingPathComponent("d").path, limit: 10).get()
            #expect(again == 0..<1)
            #expect(buffer.data(again) == Data("x".utf8))
        }
    }

    @Test func bufferRefusesWhatFileBytesRefuses() throws {
        try Self.withFiles(["big": Self.bytes(100, seed: 3)]) { folder in
            let buffer = FileReadBuffer()
            let big = folder.appendingPathComponent("big").path
            #expect(buffer.append(contentsOfPath: big, limit: 99) == .failure(.tooLarge(100)))
            #expect(FileBytes.contents(ofPath: big, limit: 99) == .failure(.tooLarge(100)))

            let missing = folder.appendingPathComponent("missing").path
            #expect(buffer.append(contentsOfPath: missing, limit: 99) == .failure(.unreadable("No such file or directory")))
            #expect(FileBytes.contents(ofPath: missing, limit: 99) == .failure(.unreadable("No such file or directory")))

            #expect(buffer.append(contentsOfPath: folder.path, limit: 1 << 20) == .failure(.unreadable("not a regular file")))
            #expect(FileBytes.contents(ofPath: folder.path, limit: 1 << 20) == .failure(.unreadable("not a regular file")))
            // Nothing refused took room.
            #expect(buffer.count == 0)
        }
    }

    @Test func fileInAnOpenFolderReadsAsByItsPath() throws {
        let files = ["a": Self.bytes(5_000, seed: 6), "b": Self.bytes(20_000, seed: 7)]
        try Self.withFiles(files) { folder in
            let descriptor = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            try #require(descriptor >= 0)
            defer { close(descriptor) }
            let buffer = FileReadBuffer()
            for (name, data) in files.sorted(by: { $0.key < $1.key }) {
                let range = try buffer.append(contentsOf: name, inFolder: descriptor, limit: 1 << 20).get()
                #expect(buffer.data(range) == data, "file \(name)")
            }
            #expect(buffer.append(contentsOf: "missing", inFolder: descriptor, limit: 1 << 20)
                    == buffer.append(contentsOfPath: folder.appendingPathComponent("missing").path, limit: 1 << 20))
            #expect(buffer.append(contentsOf: "b", inFolder: descriptor, limit: 100) == .failure(.tooLarge(20_000)))
        }
    }

    @Test func buffersAreReusedAndLargeOnesDropped() throws {
        try Self.withFiles(["small": Self.bytes(1_000, seed: 4), "large": Self.bytes(300_000, seed: 5)]) { folder in
            let buffers = FileReadBuffers(keptCapacity: 200_000)
            let first = buffers.withBuffer { buffer in
                _ = buffer.append(contentsOfPath: folder.appendingPathComponent("small").path, limit: 1 << 20)
                return ObjectIdentifier(buffer)
            }
            let second = buffers.withBuffer { buffer in
                // Emptied when taken.
                #expect(buffer.count == 0)
                _ = buffer.append(contentsOfPath: folder.appendingPathComponent("large").path, limit: 1 << 20)
                return ObjectIdentifier(buffer)
            }
            #expect(first == second)
            // Grown past the kept capacity, so it was not given back.
            let capacity = buffers.withBuffer { $0.capacity }
            #expect(capacity == 0)
        }
    }
}
