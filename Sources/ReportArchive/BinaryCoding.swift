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

    /// Inlined for the one-byte case, which nearly every count, length and flag takes.
    @inline(__always)
    mutating func unsigned(_ value: UInt64) {
        guard value >= 0x80 else {
            bytes.append(UInt8(truncatingIfNeeded: value))
            return
        }
        multiByteUnsigned(value)
    }

    @inline(never)
    private mutating func multiByteUnsigned(_ value: UInt64) {
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

    /// Shares what repeats with the other reports of one read; nil: nothing is shared.
    private let interner: StoredValueInterner?

    init(_ bytes: [UInt8], sharing interner: StoredValueInterner? = nil) {
        self.bytes = bytes
        self.interner = interner
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
            return makeString(from: offset, length: length)
        }
        let start = offset
        let seen = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                recentStrings.first { $0.length == length && memcmp(base + $0.start, base + start, length) == 0 }
            }
        }
        if let seen { return seen.value }
        let value: String
        if let interner {
            // Not among the last few: maybe in another report of the read.
            let hash = hashOfBytes(from: start, to: start + length)
            if let found = madeBefore(in: &interner.strings, from: start, to: start + length, hash: hash) {
                value = found
            } else {
                value = makeString(from: start, length: length)
                remember(value, in: &interner.strings, from: start, to: start + length, hash: hash)
            }
        } else {
            value = makeString(from: start, length: length)
        }
        if recentStrings.count < Self.recentCapacity {
            recentStrings.append((start, length, value))
        } else {
            recentStrings[nextRecent] = (start, length, value)
            nextRecent = (nextRecent + 1) % Self.recentCapacity
        }
        return value
    }

    /// Made from the bytes where they are: through an `ArraySlice` it took longer.
    private func makeString(from start: Int, length: Int) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<start + length]), as: UTF8.self) }
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

    /// A record's DKIM results, shared with the records before that stored the same bytes.
    mutating func dkimResults(_ read: (inout BinaryReader) throws(BinaryDecodingError) -> DKIMAuthResult) throws(BinaryDecodingError) -> [DKIMAuthResult] {
        guard let interner else { return try list(read) }
        return try sharedList(in: &interner.dkimResults, stringPairs: 2, read)
    }

    /// A record's SPF results, shared like `dkimResults`.
    mutating func spfResults(_ read: (inout BinaryReader) throws(BinaryDecodingError) -> SPFAuthResult) throws(BinaryDecodingError) -> [SPFAuthResult] {
        guard let interner else { return try list(read) }
        return try sharedList(in: &interner.spfResults, stringPairs: 2, read)
    }

    /// A record's policy override reasons, shared like `dkimResults`.
    mutating func overrideReasons(_ read: (inout BinaryReader) throws(BinaryDecodingError) -> OverrideReason) throws(BinaryDecodingError) -> [OverrideReason] {
        guard let interner else { return try list(read) }
        return try sharedList(in: &interner.overrideReasons, stringPairs: 1, read)
    }

    /// A list of elements stored as `stringPairs` pairs of a string and an optional string
    /// each. Its stored bytes (count, lengths and all) are looked up first; only a list not
    /// seen before is read element by element. Equal bytes read back as equal lists, so
    /// sharing changes no value.
    private mutating func sharedList<Element>(
        in table: inout ByteKeyedTable<[Element]>, stringPairs: Int, _ read: (inout BinaryReader) throws(BinaryDecodingError) -> Element
    ) throws(BinaryDecodingError) -> [Element] {
        let start = offset
        let count = try count()
        for _ in 0..<count * stringPairs {
            offset += try self.count()
            if try byte() != 0 { offset += try self.count() }
        }
        let end = offset
        // The record before often has the same list: compared without hashing.
        if let found = bytes.withUnsafeBytes({ table.lastValue(ifEqualTo: UnsafeRawBufferPointer(rebasing: $0[start..<end])) }) {
            return found
        }
        let hash = hashOfBytes(from: start, to: end)
        if let found = madeBefore(in: &table, from: start, to: end, hash: hash) { return found }
        offset = start
        let list = try list(read)
        guard offset == end else { throw BinaryDecodingError(reason: "stored list was read past its own bytes") }
        remember(list, in: &table, from: start, to: end, hash: hash)
        return list
    }

    private func hashOfBytes(from start: Int, to end: Int) -> UInt64 {
        bytes.withUnsafeBytes { ByteKeyedTable<Never>.hash(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    /// The value made before from `bytes[start..<end]`, if any.
    private func madeBefore<Value>(in table: inout ByteKeyedTable<Value>, from start: Int, to end: Int, hash: UInt64) -> Value? {
        bytes.withUnsafeBytes { table.value(of: UnsafeRawBufferPointer(rebasing: $0[start..<end]), hash: hash) }
    }

    private func remember<Value>(_ value: Value, in table: inout ByteKeyedTable<Value>, from start: Int, to end: Int, hash: UInt64) {
        bytes.withUnsafeBytes { table.insert(value, for: UnsafeRawBufferPointer(rebasing: $0[start..<end]), hash: hash) }
    }
}

/// Values that repeat across the reports of one read from the archive (a client's months of
/// reports): the same header_from, envelope and DKIM domains and selectors, and the same lists
/// of DKIM, SPF and override results, record after record. Each distinct value is made once,
/// found again by its stored bytes, and shared: reading allocates less, the reports take less
/// memory, and comparing two shared copies later ends at their identity.
///
/// For one read on one thread: it is not `Sendable`.
package final class StoredValueInterner {
    /// Strings too long to be stored inline in a `String`.
    fileprivate var strings = ByteKeyedTable<String>()
    fileprivate var dkimResults = ByteKeyedTable<[DKIMAuthResult]>()
    fileprivate var spfResults = ByteKeyedTable<[SPFAuthResult]>()
    fileprivate var overrideReasons = ByteKeyedTable<[OverrideReason]>()

    package init() {}
}

/// A hash table from byte strings to values, the keys kept in one buffer: looking up bytes
/// read from a stored report needs no `String` or array made of them first.
struct ByteKeyedTable<Value> {
    private var keyBytes: [UInt8] = []
    private var keys: [(start: Int, length: Int, hash: UInt64)] = []
    private var values: [Value] = []
    /// Open addressing, linear probing: an index into `keys`, or -1. A power of two long.
    private var slots = [Int32](repeating: -1, count: 64)
    /// The entry found or added last, or -1.
    private var last = -1

    /// The value of the entry found or added last, when its key is `key`.
    func lastValue(ifEqualTo key: UnsafeRawBufferPointer) -> Value? {
        guard last >= 0, keys[last].length == key.count, equal(keys[last].start, key) else { return nil }
        return values[last]
    }

    /// `Hasher`, seeded per process, so that crafted report contents cannot make keys collide.
    static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(bytes: key)
        return UInt64(UInt(bitPattern: hasher.finalize()))
    }

    mutating func value(of key: UnsafeRawBufferPointer, hash: UInt64) -> Value? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let index = Int(slots[slot])
            guard index >= 0 else { return nil }
            let stored = keys[index]
            if stored.hash == hash, stored.length == key.count, equal(stored.start, key) {
                last = index
                return values[index]
            }
            slot = (slot + 1) & mask
        }
    }

    /// Adds a key that `value(of:hash:)` did not find.
    mutating func insert(_ value: Value, for key: UnsafeRawBufferPointer, hash: UInt64) {
        keys.append((keyBytes.count, key.count, hash))
        keyBytes.append(contentsOf: key)
        values.append(value)
        last = keys.count - 1
        if keys.count * 2 > slots.count {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            for index in keys.indices { place(index) }
        } else {
            place(keys.count - 1)
        }
    }

    private mutating func place(_ index: Int) {
        let mask = slots.count - 1
        let hash = keys[index].hash
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(index)
    }

    private func equal(_ start: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        guard let other = key.baseAddress else { return true }
        return keyBytes.withUnsafeBytes { stored in
            stored.baseAddress.map { memcmp($0 + start, other, key.count) == 0 } ?? false
        }
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
