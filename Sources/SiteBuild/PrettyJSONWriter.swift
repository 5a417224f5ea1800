import Foundation

/// Writes JSON byte for byte as Foundation's `JSONEncoder` does with the output formatting
/// `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]` (swift-foundation on Linux): two
/// spaces of indent, `"key" : value`, empty containers as `[`, a blank line and `]`, `/` and
/// non-ASCII kept as they are, `"`, `\` and control characters escaped, whole doubles without
/// `.0`.
///
/// It writes members in the order it is given them: callers list an object's keys sorted by
/// their UTF-8 bytes, as `sortedKeys` does (`sortedByUTF8` for keys known only at run time).
/// The encoder's Codable machinery, key conversion and sorting were a tenth of a build.
struct PrettyJSONWriter {
    private(set) var bytes: [UInt8] = []
    private var depth = 0
    /// Whether the container being written has no element yet.
    private var atFirstElement = true

    init(capacity: Int = 4_096) {
        bytes.reserveCapacity(capacity)
    }

    // MARK: Containers

    mutating func object(_ members: (inout PrettyJSONWriter) throws -> Void) rethrows {
        open(UInt8(ascii: "{"))
        try members(&self)
        close(UInt8(ascii: "}"))
    }

    mutating func array<Element>(_ elements: [Element], _ write: (inout PrettyJSONWriter, Element) throws -> Void) rethrows {
        open(UInt8(ascii: "["))
        for element in elements {
            startElement()
            try write(&self, element)
        }
        close(UInt8(ascii: "]"))
    }

    /// Starts the member `key` of the object being written; its value comes next.
    mutating func key(_ key: String) {
        startElement()
        string(key)
        bytes.append(contentsOf: [UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: " ")])
    }

    // MARK: Members

    mutating func member(_ key: String, _ value: String) {
        self.key(key)
        string(value)
    }

    mutating func member(_ key: String, _ value: Int) {
        self.key(key)
        integer(value)
    }

    /// Left out when nil, as the encoder's `encodeIfPresent` does.
    mutating func member(_ key: String, _ value: String?) {
        guard let value else { return }
        member(key, value)
    }

    mutating func member(_ key: String, _ value: Double?) throws {
        guard let value else { return }
        self.key(key)
        try number(value)
    }

    mutating func member(_ key: String, _ values: [String]) {
        self.key(key)
        array(values) { $0.string($1) }
    }

    /// A dictionary with string keys: an object with its keys sorted by their UTF-8 bytes.
    mutating func member<Value>(
        _ key: String, _ dictionary: [String: Value], _ write: (inout PrettyJSONWriter, Value) throws -> Void
    ) rethrows {
        self.key(key)
        try object { writer in
            for (name, value) in dictionary.sortedByUTF8 {
                writer.key(name)
                try write(&writer, value)
            }
        }
    }

    // MARK: Values

    mutating func integer(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes.append(contentsOf: digits.reversed())
    }

    /// The shortest form that reads back the same (`description`), without a trailing `.0`;
    /// the encoder refuses infinities and NaN, and so does this.
    mutating func number(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "Unable to encode Double.\(value) directly in JSON."))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var clean = 0
            for (index, byte) in utf8.enumerated() {
                guard let escape = Self.escape(byte) else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean..<index]))
                bytes.append(contentsOf: escape)
                clean = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The escape the encoder writes for a byte, nil for a byte written as it is.
    private static func escape(_ byte: UInt8) -> [UInt8]? {
        switch byte {
        case UInt8(ascii: "\""): return [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
        case UInt8(ascii: "\\"): return [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
        case 0x08: return [UInt8(ascii: "\\"), UInt8(ascii: "b")]
        case 0x0C: return [UInt8(ascii: "\\"), UInt8(ascii: "f")]
        case 0x0A: return [UInt8(ascii: "\\"), UInt8(ascii: "n")]
        case 0x0D: return [UInt8(ascii: "\\"), UInt8(ascii: "r")]
        case 0x09: return [UInt8(ascii: "\\"), UInt8(ascii: "t")]
        case 0x00...0x1F:
            let hex = Array("0123456789abcdef".utf8)
            return Array("\\u00".utf8) + [hex[Int(byte / 16)], hex[Int(byte % 16)]]
        default: return nil
        }
    }

    /// The line break the files end with, after the top-level value.
    mutating func newline() {
        bytes.append(0x0A)
    }

    // MARK: Layout

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        bytes.append(0x0A)
        depth += 1
        atFirstElement = true
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(0x0A)
        depth -= 1
        indent()
        bytes.append(bracket)
        // Back in the enclosing container, which has this one as an element.
        atFirstElement = false
    }

    private mutating func startElement() {
        if !atFirstElement { bytes.append(contentsOf: [UInt8(ascii: ","), 0x0A]) }
        atFirstElement = false
        indent()
    }

    private mutating func indent() {
        for _ in 0..<depth { bytes.append(contentsOf: [UInt8(ascii: " "), UInt8(ascii: " ")]) }
    }
}

extension Dictionary where Key == String {
    /// The entries by key in the order of their UTF-8 bytes, the encoder's `sortedKeys` order.
    var sortedByUTF8: [(key: String, value: Value)] {
        sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }
}
