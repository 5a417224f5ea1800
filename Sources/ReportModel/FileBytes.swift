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
        withOpenFile(path, limit: limit) { descriptor, size in
            guard size > 0 else { return .success(Data()) }
            // Filled by `read`, so not zeroed first as `Data(count:)` would.
            guard let memory = malloc(size) else { return .failure(.unreadable("no memory for \(size) bytes")) }
            switch readAll(descriptor, into: memory, count: size) {
            case .success(let filled):
                return .success(Data(bytesNoCopy: memory, count: filled, deallocator: .free))
            case .failure(let failure):
                free(memory)
                return .failure(failure)
            }
        }
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

    /// Opens a regular file of at most `limit` bytes and passes its descriptor and size (from
    /// `fstat` on the open file, so the size is that of the file being read).
    static func withOpenFile<Value>(
        _ path: String, limit: Int, _ body: (Int32, Int) -> Result<Value, Failure>
    ) -> Result<Value, Failure> {
        withOpened(open(path, O_RDONLY | O_CLOEXEC), limit: limit, body)
    }

    /// `withOpenFile` for a descriptor just returned by `open` or `openat` (negative when it
    /// failed, with the reason in `errno`); closes it.
    static func withOpened<Value>(
        _ descriptor: Int32, limit: Int, _ body: (Int32, Int) -> Result<Value, Failure>
    ) -> Result<Value, Failure> {
        guard descriptor >= 0 else { return .failure(.unreadable(lastError())) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .failure(.unreadable(lastError())) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { return .failure(.unreadable("not a regular file")) }
        let size = Int(status.st_size)
        guard size <= limit else { return .failure(.tooLarge(size)) }
        return body(descriptor, size)
    }

    /// Reads up to `count` bytes (fewer when the file ends first); the number read.
    static func readAll(_ descriptor: Int32, into memory: UnsafeMutableRawPointer, count: Int) -> Result<Int, Failure> {
        var filled = 0
        while filled < count {
            let got = read(descriptor, memory + filled, count - filled)
            if got < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable(lastError()))
            }
            if got == 0 { break }
            filled += got
        }
        return .success(filled)
    }

    static func lastError() -> String {
        String(cString: strerror(errno))
    }
}

/// Memory that files are read into one after another, kept from one group of files to the
/// next: ingest reads thousands of small files, and a fresh allocation for each one made the
/// allocator grow and shrink its heaps, and the kernel zero new pages, for every batch.
///
/// Not thread-safe: one thread uses it at a time (see `FileReadBuffers`).
public final class FileReadBuffer {
    private var storage: UnsafeMutableRawPointer?
    public private(set) var capacity = 0
    /// Bytes in use: the files read since the last `removeAll`.
    public private(set) var count = 0

    public init() {}

    deinit {
        free(storage)
    }

    /// Forgets the files read; the memory is kept for the next ones.
    public func removeAll() {
        count = 0
    }

    /// Reads the whole file after the files already read, as `FileBytes.contents` would;
    /// where its bytes are in the buffer.
    public func append(contentsOfPath path: String, limit: Int) -> Result<Range<Int>, FileBytes.Failure> {
        append(opened: open(path, O_RDONLY | O_CLOEXEC), limit: limit)
    }

    /// As `append(contentsOfPath:limit:)` for the file `name` (a C string) in the open folder
    /// `folder`: the folder's path is not walked again for each of its files.
    public func append(contentsOf name: UnsafePointer<CChar>, inFolder folder: Int32, limit: Int) -> Result<Range<Int>, FileBytes.Failure> {
        append(opened: openat(folder, name, O_RDONLY | O_CLOEXEC), limit: limit)
    }

    private func append(opened descriptor: Int32, limit: Int) -> Result<Range<Int>, FileBytes.Failure> {
        FileBytes.withOpened(descriptor, limit: limit) { descriptor, size in
            guard size > 0 else { return .success(count..<count) }
            guard reserve(size) else { return .failure(.unreadable("no memory for \(size) bytes")) }
            guard let storage else { return .failure(.unreadable("no memory for \(size) bytes")) }
            return FileBytes.readAll(descriptor, into: storage + count, count: size).map { filled in
                defer { count += filled }
                return count..<count + filled
            }
        }
    }

    /// The bytes at `range`, which an `append` since the last `removeAll` returned. The
    /// pointer is valid only inside `body`.
    public func withBytes<Value>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> Value) rethrows -> Value {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "a range of this buffer's files")
        return try body(UnsafeRawBufferPointer(start: storage.map { $0 + range.lowerBound }, count: range.count))
    }

    /// A copy of the bytes at `range`, for a file that outlives the buffer's reuse.
    public func data(_ range: Range<Int>) -> Data {
        withBytes(range) { Data($0) }
    }

    /// Room for `extra` more bytes, growing by at least half so that a run of files grows it
    /// a few times only.
    private func reserve(_ extra: Int) -> Bool {
        let needed = count + extra
        guard needed > capacity else { return true }
        let grown = max(needed, capacity + capacity / 2, 64 * 1024)
        guard let moved = realloc(storage, grown) else { return false }
        storage = moved
        capacity = grown
        return true
    }
}

/// A few `FileReadBuffer`s shared by the threads of a parallel step: a thread takes one for a
/// group of files and gives it back, so there are about as many as threads at work at once.
public final class FileReadBuffers: @unchecked Sendable {
    private let lock = NSLock()
    /// Guarded by `lock`.
    private var idle: [FileReadBuffer] = []
    /// A buffer grown past this (a large file) is freed when given back, not kept.
    private let keptCapacity: Int

    public init(keptCapacity: Int = 8 << 20) {
        self.keptCapacity = keptCapacity
    }

    /// Runs `body` with a buffer of its own, emptied first.
    public func withBuffer<Value>(_ body: (FileReadBuffer) throws -> Value) rethrows -> Value {
        let buffer = lock.withLock { idle.popLast() } ?? FileReadBuffer()
        buffer.removeAll()
        defer {
            if buffer.capacity <= keptCapacity { lock.withLock { idle.append(buffer) } }
        }
        return try body(buffer)
    }
}
