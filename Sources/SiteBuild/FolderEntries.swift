#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The entry names of an open folder, as the raw bytes the file system holds (they need not
/// be UTF-8), without `.` and `..`, in the order the folder gives them.
enum FolderEntries {
    static func names(of folder: OpaquePointer) -> [[UInt8]] {
        var names: [[UInt8]] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name != [0x2E], name != [0x2E, 0x2E] { names.append(name) }
        }
        return names
    }

    static func names(atPath path: String) throws -> [[UInt8]] {
        guard let folder = opendir(path) else { throw SiteFileError(path: path, step: "list", code: errno) }
        defer { closedir(folder) }
        return names(of: folder)
    }
}
