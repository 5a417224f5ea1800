import Foundation

/// The bytes of one generated file, written in place into storage of their own and handed over
/// to `Data` as they are: a large file is neither copied from an array into `Data` nor grown
/// through an array's checks byte by byte.
///
/// Writers make room first (`reserve`), then write into that room with the unchecked
/// `append`s, whose callers have made room for what they write. Debug builds (the tests) check
/// that they did.
struct OutputBytes: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    /// Storage for `capacity` bytes; untouched room costs no memory (the pages are never touched).
    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        start = .allocate(capacity: self.capacity)
    }

    deinit {
        start.deallocate()
    }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    private mutating func grow(to needed: Int) {
        let larger = max(needed, capacity * 2)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.initialize(from: start, count: count)
        start.deallocate()
        start = moved
        capacity = larger
    }

    /// One byte, in room made before.
    @inline(__always)
    mutating func appendReserved(_ byte: UInt8) {
        assert(count < capacity, "OutputBytes: a byte written past the room made")
        start[count] = byte
        count += 1
    }

    /// Bytes, in room made before.
    @inline(__always)
    mutating func appendReserved(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        assert(count + bytes.count <= capacity, "OutputBytes: bytes written past the room made")
        (start + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ byte: UInt8) {
        reserve(1)
        appendReserved(byte)
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        reserve(bytes.count)
        appendReserved(bytes)
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// A word known when the program is built, such as `pass`.
    mutating func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// The bytes written, without a copy: the storage goes with them.
    consuming func data() -> Data {
        let data = Data(bytesNoCopy: start, count: count, deallocator: .custom { bytes, _ in bytes.deallocate() })
        discard self
        return data
    }
}
