#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reads a whole file with one `open`, `fstat` and `read` loop: for the many small files of a
/// reports folder this is several times cheaper than `URL.resourceValues` plus
/// `Data(contentsOf:)`.
public enum FileBytes {
    public enum Failure: Error, Equatable {
        /// The file is larger than the limit (its size in bytes).
        case tooLarge(Int)
        /// The system's reason.
        case unreadable(String)
    }

    public static func contents(ofPath path: String, limit: Int) -> Result<Data, Failure> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(.unreadable(lastError())) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .failure(.unreadable(lastError())) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { return .failure(.unreadable("not a regular file")) }
        let size = Int(status.st_size)
        guard size <= limit else { return .failure(.tooLarge(size)) }
        guard size > 0 else { return .success(Data()) }
        // Filled by `read`, so not zeroed first as `Data(count:)` would.
        guard let memory = malloc(size) else { return .failure(.unreadable("no memory for \(size) bytes")) }
        var filled = 0
        while filled < size {
            let got = read(descriptor, memory + filled, size - filled)
            if got < 0 {
                if errno == EINTR { continue }
                let reason = lastError()
                free(memory)
                return .failure(.unreadable(reason))
            }
            if got == 0 { break }
            filled += got
        }
        return .success(Data(bytesNoCopy: memory, count: filled, deallocator: .free))
    }

    /// Up to `count` bytes from the start of the file; nil when it cannot be read.
    public static func head(ofPath path: String, count: Int) -> Data? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = Data(count: count)
        let got = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, count) }
        guard got >= 0 else { return nil }
        return bytes.prefix(got)
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
