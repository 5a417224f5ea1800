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
        var data = Data(count: size)
        var filled = 0
        let failure: String? = data.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return "no memory for \(size) bytes" }
            while filled < size {
                let got = read(descriptor, base + filled, size - filled)
                if got < 0 {
                    if errno == EINTR { continue }
                    return lastError()
                }
                if got == 0 { break }
                filled += got
            }
            return nil
        }
        if let failure { return .failure(.unreadable(failure)) }
        if filled < size { data.count = filled }
        return .success(data)
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
