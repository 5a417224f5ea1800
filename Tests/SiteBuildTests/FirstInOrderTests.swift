import Testing
@testable import SiteBuild

/// `first(_:by:)` keeps the top rows of the source tables without sorting every source: it must
/// give what sorting all of them and taking the first rows gives.
@Suite("The first elements in order, without sorting them all")
struct FirstInOrderTests {
    /// Pairs from a fixed linear congruential sequence, with many ties in the first value.
    static func pairs(count: Int, seed: UInt64) -> [(messages: Int, key: Int)] {
        var state = seed
        return (0..<count).map { key in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Int(state >> 60), key)
        }
    }

    @Test(arguments: [0, 1, 5, 20, 50, 400]) func sameAsSortedPrefix(limit: Int) {
        let elements = Self.pairs(count: 300, seed: UInt64(limit) + 11)
        // Ties on `messages` alone: the order among tied elements is the sequence's own.
        let byMessages: ((messages: Int, key: Int), (messages: Int, key: Int)) -> Bool = { $0.messages > $1.messages }
        #expect(elements.first(limit, by: byMessages).map(\.key) == elements.sorted(by: byMessages).prefix(limit).map(\.key))
        // The source tables' order: most messages first, then by key.
        let total: ((messages: Int, key: Int), (messages: Int, key: Int)) -> Bool = { ($1.messages, $0.key) < ($0.messages, $1.key) }
        #expect(elements.first(limit, by: total).map(\.key) == elements.sorted(by: total).prefix(limit).map(\.key))
    }

    @Test func sourcesOfADictionary() {
        var sources: [String: Int] = [:]
        for (messages, key) in Self.pairs(count: 500, seed: 3) { sources["192.0.2.\(key)"] = messages }
        let order: ((key: String, value: Int), (key: String, value: Int)) -> Bool = { ($1.value, $0.key) < ($0.value, $1.key) }
        #expect(sources.first(20, by: order).map(\.key) == sources.sorted(by: order).prefix(20).map(\.key))
        #expect(sources.lazy.filter { $0.value > 3 }.first(20, by: order).map(\.key)
            == sources.filter { $0.value > 3 }.sorted(by: order).prefix(20).map(\.key))
    }
}
