import ReportModel

/// A domain written label by label from the top, ending in a dot (`news.contoso.example` →
/// `example.contoso.news.`), so that a domain and all its subdomains form one range of an
/// ordinary index: keys from `example.contoso.` up to (not including) `example.contoso/`.
package enum DomainKey {
    package static func key(_ domain: String) -> String {
        let name = DomainName.normalized(domain)
        // An ASCII name (nearly every one) is split by byte: the same labels as the split by
        // Character below, for a fraction of its cost (every ingested report takes this path).
        if name.utf8.allSatisfy({ $0 < 0x80 }) {
            let utf8 = Array(name.utf8)
            var key: [UInt8] = []
            key.reserveCapacity(utf8.count + 1)
            var end = utf8.count
            for index in utf8.indices.reversed() where utf8[index] == UInt8(ascii: ".") {
                key.append(contentsOf: utf8[(index + 1)..<end])
                key.append(UInt8(ascii: "."))
                end = index
            }
            key.append(contentsOf: utf8[0..<end])
            key.append(UInt8(ascii: "."))
            return String(decoding: key, as: UTF8.self)
        }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return labels.reversed().joined(separator: ".") + "."
    }

    package static func domain(fromKey key: String) -> String {
        key.dropLast().split(separator: ".", omittingEmptySubsequences: false).reversed().joined(separator: ".")
    }

    /// The half-open key range holding the domain and its subdomains.
    package static func subtree(_ domain: String) -> (lower: String, upper: String) {
        let lower = key(domain)
        // '/' is the character right after '.', so every key starting with `lower` sorts below.
        return (lower, String(lower.dropLast()) + "/")
    }

    /// Key ranges in byte order (the index's order), overlapping or nested ones joined.
    package static func merged(_ ranges: [(lower: String, upper: String)]) -> [(lower: String, upper: String)] {
        let sorted = ranges.sorted { $0.lower.utf8.lexicographicallyPrecedes($1.lower.utf8) }
        var merged: [(lower: String, upper: String)] = []
        for range in sorted {
            if let last = merged.last, !last.upper.utf8.lexicographicallyPrecedes(range.lower.utf8) {
                if last.upper.utf8.lexicographicallyPrecedes(range.upper.utf8) { merged[merged.count - 1].upper = range.upper }
            } else {
                merged.append(range)
            }
        }
        return merged
    }
}
