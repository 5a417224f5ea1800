#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The entries of an open folder, with their names as the raw bytes the file system holds
/// (they need not be UTF-8), without `.` and `..`, in the order the folder gives them.
enum FolderEntries {
    /// Entries with their names in one NUL-separated buffer, so looking one up needs no copy
    /// of its name: a month of reports is tens of thousands of entries in one folder.
    struct List: Sendable {
        private var bytes: [UInt8] = []
        private var starts: [Int] = []
        private var inodes: [UInt64] = []
        private var types: [UInt8] = []

        var count: Int { starts.count }

        fileprivate mutating func append(_ name: UnsafeBufferPointer<UInt8>, inode: UInt64, type: UInt8) {
            starts.append(bytes.count)
            bytes.append(contentsOf: name)
            bytes.append(0)
            inodes.append(inode)
            types.append(type)
        }

        func inode(_ index: Int) -> UInt64 { inodes[index] }

        /// As the folder says, without a lookup (false when the file system does not say).
        func isRegularFile(_ index: Int) -> Bool { types[index] == UInt8(DT_REG) }

        func name(_ index: Int) -> [UInt8] { Array(bytes[starts[index]..<end(index)]) }

        /// The name's bytes (without the NUL) and the same bytes as a C string.
        func withName<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>, UnsafePointer<CChar>) -> Result) -> Result? {
            let start = starts[index]
            let end = end(index)
            return bytes.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return nil }
                let name = UnsafeBufferPointer(rebasing: buffer[start..<end])
                return UnsafeRawPointer(base + start).withMemoryRebound(to: CChar.self, capacity: end - start + 1) { body(name, $0) }
            }
        }

        private func end(_ index: Int) -> Int {
            index + 1 < starts.count ? starts[index + 1] - 1 : bytes.count - 1
        }
    }

    static func list(of folder: OpaquePointer) -> List {
        var list = List()
        while let entry = readdir(folder) {
            withUnsafeBytes(of: entry.pointee.d_name) { raw in
                let bytes = raw.bindMemory(to: UInt8.self)
                let length = bytes.firstIndex(of: 0) ?? bytes.count
                let name = UnsafeBufferPointer(rebasing: bytes[..<length])
                if !name.elementsEqual([0x2E]), !name.elementsEqual([0x2E, 0x2E]) {
                    list.append(name, inode: UInt64(entry.pointee.d_ino), type: entry.pointee.d_type)
                }
            }
        }
        return list
    }

    static func names(of folder: OpaquePointer) -> [[UInt8]] {
        let list = list(of: folder)
        return (0..<list.count).map(list.name)
    }

    static func names(atPath path: String) throws -> [[UInt8]] {
        guard let folder = opendir(path) else { throw SiteFileError(path: path, step: "list", code: errno) }
        defer { closedir(folder) }
        return names(of: folder)
    }
}
