/// A name of up to 24 bytes packed into three little-endian words, zero past its end, so
/// that matching it against known names compares integers. An XML name has no zero byte, so
/// two names have equal words exactly when they have the same bytes.
package struct PackedName: Equatable {
    package static let maxLength = 24

    package var words: (UInt64, UInt64, UInt64)

    package init(words: (UInt64, UInt64, UInt64)) {
        self.words = words
    }

    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
    }

    /// nil when the name is longer than `maxLength`.
    package init?(_ name: UnsafeBufferPointer<UInt8>) {
        guard name.count <= Self.maxLength else { return nil }
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            for index in name.indices { raw[index] = name[index] }
        }
        self.words = (UInt64(littleEndian: words.0), UInt64(littleEndian: words.1), UInt64(littleEndian: words.2))
    }

    /// The name of `length` bytes at `start` in `bytes`, read a word at a time where the
    /// buffer has 24 bytes from `start`; nil when it is longer than `maxLength`.
    @inline(__always)
    init?(in bytes: UnsafeBufferPointer<UInt8>, start: Int, length: Int) {
        guard length <= Self.maxLength, start >= 0, length >= 0, start + length <= bytes.count else { return nil }
        guard start + Self.maxLength <= bytes.count, let base = bytes.baseAddress else {
            self.init(UnsafeBufferPointer(rebasing: bytes[start..<(start + length)]))
            return
        }
        let raw = UnsafeRawPointer(base + start)
        self.init(words: (
            UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)) & Self.mask(length),
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) & Self.mask(length - 8),
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)) & Self.mask(length - 16)))
    }

    /// The bits of the first `count` bytes of a word (all of them from 8 on, none below 1).
    @inline(__always)
    private static func mask(_ count: Int) -> UInt64 {
        count >= 8 ? ~0 : count <= 0 ? 0 : (1 << UInt64(8 * count)) &- 1
    }

    /// Mixes the words for a table of 2^`bits` slots.
    @inline(__always)
    func slot(bits: Int) -> Int {
        let mixed = words.0 &* 0x9E37_79B9_7F4A_7C15 ^ words.1 &* 0xC2B2_AE3D_27D4_EB4F ^ words.2 &* 0x1656_67B1_9E37_79F9
        return Int(truncatingIfNeeded: mixed >> UInt64(64 - bits))
    }
}
