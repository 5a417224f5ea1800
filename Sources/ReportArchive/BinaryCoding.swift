import ReportModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends values as compact bytes: LEB128 varints, zigzag for signed numbers, strings as
/// length and UTF-8. Faster to write and read back than JSON, which matters when a build
/// decodes a year of reports.
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func unsigned(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func signed(_ value: Int64) {
        unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func int(_ value: Int) {
        signed(Int64(value))
    }

    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            unsigned(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// A string given by its UTF-8: the bytes `string(_:)` writes for that string.
    mutating func string(utf8: UnsafeBufferPointer<UInt8>) {
        unsigned(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func optional(_ value: String?) {
        optional(value) { $0.string($1) }
    }

    mutating func optional(utf8 value: UnsafeBufferPointer<UInt8>?) {
        optional(value) { $0.string(utf8: $1) }
    }

    /// The presence byte of an optional value that is there; the value comes next.
    mutating func presence() {
        bytes.append(1)
    }

    /// What another writer wrote, as it is: a part written ahead of the place it goes.
    mutating func append(_ other: BinaryWriter) {
        bytes.append(contentsOf: other.bytes)
    }

    /// Empties the writer, keeping its storage for the next part.
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
    }

    mutating func optional(_ value: Int?) {
        optional(value) { $0.int($1) }
    }

    /// A presence byte, then the value when there is one.
    private mutating func optional<Value>(_ value: Value?, _ write: (inout BinaryWriter, Value) -> Void) {
        guard let value else {
            bytes.append(0)
            return
        }
        bytes.append(1)
        write(&self, value)
    }

    mutating func strings(_ values: [String]) {
        unsigned(UInt64(values.count))
        for value in values { string(value) }
    }

    mutating func list<Element>(_ values: [Element], _ write: (inout BinaryWriter, Element) -> Void) {
        unsigned(UInt64(values.count))
        // Each element is lent to `write` where a `for` loop would copy it (retaining and
        // releasing every string and array a record holds).
        values.withUnsafeBufferPointer { elements in
            for index in elements.indices { write(&self, elements[index]) }
        }
    }
}

/// The archive's stored bytes could not be read back: a damaged or foreign archive.
public struct BinaryDecodingError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

/// Reads what `BinaryWriter` wrote, refusing truncated or out-of-range input.
struct BinaryReader {
    private let bytes: [UInt8]
    private var offset = 0
    /// Strings too long to be stored inline, recently read: a report repeats its header_from
    /// and DKIM/SPF domains in every record, and one shared copy saves an allocation each
    /// time and makes later comparisons of the copies cheap.
    private var recentStrings: [(start: Int, length: Int, value: String)] = []
    private var nextRecent = 0
    private static let recentCapacity = 8
    private static let inlineStringLength = 15

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func byte() throws(BinaryDecodingError) -> UInt8 {
        guard offset < bytes.count else { throw BinaryDecodingError(reason: "stored report ends early") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func unsigned() throws(BinaryDecodingError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64 else { throw BinaryDecodingError(reason: "stored number is too long") }
            value |= UInt64(next & 0x7f) << shift
            if next < 0x80 { return value }
            shift += 7
        }
    }

    mutating func signed() throws(BinaryDecodingError) -> Int64 {
        let raw = try unsigned()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func int() throws(BinaryDecodingError) -> Int {
        Int(try signed())
    }

    mutating func count() throws(BinaryDecodingError) -> Int {
        let value = try unsigned()
        guard value <= UInt64(bytes.count - offset) else { throw BinaryDecodingError(reason: "stored length runs past the end") }
        return Int(value)
    }

    mutating func string() throws(BinaryDecodingError) -> String {
        string(length: try count())
    }

    /// A vocabulary word. A stored word is nearly always one of the vocabulary's own words,
    /// matched here on its bytes, without making or hashing a String; any other word is read
    /// as `init(reported:)` reads it.
    mutating func word<Value: TolerantVocabulary>(_ known: StoredWords<Value>) throws(BinaryDecodingError) -> Value {
        let length = try count()
        let start = offset
        let matched = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { known.value(of: $0 + start, length: length) }
        }
        guard let matched else { return Value(reported: string(length: length)) }
        offset += length
        return matched
    }

    /// The string of `length` bytes at the offset, which `count()` checked.
    private mutating func string(length: Int) -> String {
        defer { offset += length }
        guard length > Self.inlineStringLength else {
            return String(decoding: bytes[offset..<offset + length], as: UTF8.self)
        }
        let start = offset
        let seen = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                recentStrings.first { $0.length == length && memcmp(base + $0.start, base + start, length) == 0 }
            }
        }
        if let seen { return seen.value }
        let value = String(decoding: bytes[start..<start + length], as: UTF8.self)
        if recentStrings.count < Self.recentCapacity {
            recentStrings.append((start, length, value))
        } else {
            recentStrings[nextRecent] = (start, length, value)
            nextRecent = (nextRecent + 1) % Self.recentCapacity
        }
        return value
    }

    mutating func optionalString() throws(BinaryDecodingError) -> String? {
        try byte() == 0 ? nil : try string()
    }

    mutating func optionalInt() throws(BinaryDecodingError) -> Int? {
        try byte() == 0 ? nil : try int()
    }

    mutating func strings() throws(BinaryDecodingError) -> [String] {
        try list { reader throws(BinaryDecodingError) in try reader.string() }
    }

    mutating func list<Element>(_ read: (inout BinaryReader) throws(BinaryDecodingError) -> Element) throws(BinaryDecodingError) -> [Element] {
        let count = try count()
        var values: [Element] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try read(&self)) }
        return values
    }
}

/// A vocabulary's own words as bytes, to match stored words against.
struct StoredWords<Value: TolerantVocabulary>: Sendable {
    private let words: [(bytes: [UInt8], value: Value)]

    /// Only words that `init(reported:)` takes exactly as written (lower-case printable ASCII),
    /// so a match gives the value it gives.
    init() {
        words = Value.knownWords
            .filter { $0.key.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !(0x41...0x5A).contains($0) } }
            .map { (Array($0.key.utf8), $0.value) }
    }

    /// The value of the word of `length` bytes at `start`, when it is one of those words.
    func value(of start: UnsafePointer<UInt8>, length: Int) -> Value? {
        for word in words where word.bytes.count == length {
            let equal = word.bytes.withUnsafeBufferPointer { stored in
                stored.baseAddress.map { memcmp($0, start, length) == 0 } ?? (length == 0)
            }
            if equal { return word.value }
        }
        return nil
    }
}
