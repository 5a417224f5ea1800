/// Domain name helpers for routing records by their header_from domain.
public enum DomainName {
    /// Lowercased, without surrounding white space or a trailing dot.
    public static func normalized(_ raw: String) -> String {
        // The usual case, a lower-case ASCII name without white space or a trailing dot.
        if raw.utf8.last != UInt8(ascii: "."), raw.utf8.allSatisfy(isNormalNameByte) {
            return raw
        }
        var name = raw.trimmingXMLWhitespace().lowercased()
        while name.hasSuffix(".") { name.removeLast() }
        return name
    }

    /// A byte that a name in normal form may hold as it is: printable ASCII other than a space
    /// or an upper-case letter.
    @inlinable
    public static func isNormalNameByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && !(byte >= 0x41 && byte <= 0x5A)
    }

    /// The name itself, then each parent: `a.b.example` → `a.b.example`, `b.example`, `example`.
    public static func selfAndParents(_ name: String) -> [Substring] {
        var result: [Substring] = []
        var rest = Substring(name)
        while !rest.isEmpty {
            result.append(rest)
            guard let dot = rest.firstIndex(of: ".") else { break }
            rest = rest[rest.index(after: dot)...]
        }
        return result
    }

    /// True for a syntactically valid host name: labels of letters, digits and hyphens
    /// (internationalised names in their xn-- form), 1 to 63 characters, at least two labels.
    public static func isValidHostName(_ name: String) -> Bool {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, name.utf8.count <= 253 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.utf8.allSatisfy { byte in
                    (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D
                }
        }
    }
}
