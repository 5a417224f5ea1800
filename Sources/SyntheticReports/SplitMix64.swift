/// A small seeded pseudo-random generator (SplitMix64, Steele, Lea & Flood 2014).
///
/// Every draw is integer arithmetic or IEEE-exact double arithmetic (no `log`, `exp`, `sin`,
/// no standard-library `random(in:)` whose algorithm may change), so the same seed gives the
/// same sequence on every run, platform and Swift version.
public struct SplitMix64: Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// A generator whose seed is `seed` mixed with the labels, e.g. a domain name and a day.
    /// Independent streams per label keep one part of the output stable when another changes.
    public init(seed: UInt64, labels: [String]) {
        self.init(seed: Self.mix(seed ^ StableHash.fnv1a(labels)))
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// Uniform in `0..<bound`; `bound` must be positive. Rejection sampling avoids modulo bias.
    public mutating func below(_ bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        let limit = UInt64(bound)
        let threshold = (0 &- limit) % limit
        while true {
            let value = next()
            if value >= threshold { return Int(value % limit) }
        }
    }

    /// Uniform in the closed range.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// Uniform in [0, 1), with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform in [lower, upper).
    public mutating func double(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * unit()
    }

    public mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// A factor around 1 with a bell-shaped spread (the mean of four uniforms), never negative.
    public mutating func noise(spread: Double) -> Double {
        let centred = (unit() + unit() + unit() + unit()) / 2 - 1  // in [-1, 1), peaked at 0
        return max(0, 1 + spread * centred)
    }

    /// One element, or nil for an empty collection.
    public mutating func element<T>(of items: [T]) -> T? {
        items.isEmpty ? nil : items[below(items.count)]
    }

    /// An index drawn in proportion to the weights; nil when no weight is positive.
    public mutating func weightedIndex(_ weights: [Double]) -> Int? {
        let total = weights.reduce(0) { $0 + max(0, $1) }
        guard total > 0 else { return nil }
        var target = unit() * total
        var lastPositive: Int?
        for (index, weight) in weights.enumerated() where weight > 0 {
            if target < weight { return index }
            target -= weight
            lastPositive = index
        }
        return lastPositive  // only reached through rounding at the very top of the range
    }

    /// Lower-case hexadecimal digits.
    public mutating func hex(_ length: Int) -> String {
        String((0..<length).map { _ in Self.hexDigits[below(16)] })
    }

    /// Decimal digits, the first one not zero.
    public mutating func digits(_ length: Int) -> String {
        guard length > 0 else { return "" }
        let first = Self.decimalDigits[int(in: 1...9)]
        return String([first] + (1..<length).map { _ in Self.decimalDigits[below(10)] })
    }

    private static let hexDigits = Array("0123456789abcdef")
    private static let decimalDigits = Array("0123456789")

    /// The SplitMix64 output function: a bijective scramble of 64 bits.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// FNV-1a over UTF-8 bytes: unlike `Hasher`, the same on every run.
enum StableHash {
    static func fnv1a(_ labels: [String]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for label in labels {
            for byte in label.utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            }
            // A separator byte no UTF-8 text contains keeps ["ab", "c"] apart from ["a", "bc"].
            hash = (hash ^ 0xFF) &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// A stable number in `0..<bound` for a label, for choices that must not change from day to day.
    static func pick(_ bound: Int, _ labels: String...) -> Int {
        guard bound > 1 else { return 0 }
        return Int(SplitMix64.mix(fnv1a(labels)) % UInt64(bound))
    }
}
