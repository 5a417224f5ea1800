import ReportModel

/// A domain written label by label from the top, ending in a dot (`news.contoso.example` →
/// `example.contoso.news.`), so that a domain and all its subdomains form one range of an
/// ordinary index: keys from `example.contoso.` up to (not including) `example.contoso/`.
package enum DomainKey {
    package static func key(_ domain: String) -> String {
        // Nearly every name is already lower-case ASCII without white space or a trailing dot
        // (what `DomainName.normalized` returns unchanged): its key is made in one pass over
        // its bytes, every ingested report takes this path.
        if let key = asciiKey(domain, onlyIfNormalized: true) { return key }
        let name = DomainName.normalized(domain)
        if let key = asciiKey(name, onlyIfNormalized: false) { return key }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return labels.reversed().joined(separator: ".") + "."
    }

    /// The key of an ASCII name, split by byte: the same labels as the split by Character
    /// above. nil when the name is not ASCII, or with `onlyIfNormalized` not in normal form.
    private static func asciiKey(_ name: String, onlyIfNormalized: Bool) -> String? {
        var name = name
        return name.withUTF8 { bytes -> String? in
            if onlyIfNormalized {
                guard bytes.last != UInt8(ascii: "."), bytes.allSatisfy(DomainName.isNormalNameByte) else { return nil }
            } else {
                guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            }
            return String(unsafeUninitializedCapacity: bytes.count + 1) { key in
                // Labels from the last one on, each followed by a dot.
                var written = 0
                var end = bytes.count
                var index = bytes.count
                while index > 0 {
                    index -= 1
                    guard bytes[index] == UInt8(ascii: ".") else { continue }
                    for byte in bytes[(index + 1)..<end] { key[written] = byte; written += 1 }
                    key[written] = UInt8(ascii: ".")
                    written += 1
                    end = index
                }
                for byte in bytes[0..<end] { key[written] = byte; written += 1 }
                key[written] = UInt8(ascii: ".")
                return written + 1
            }
        }
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
