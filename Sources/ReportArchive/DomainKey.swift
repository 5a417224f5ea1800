import ReportModel

/// A domain written label by label from the top, ending in a dot (`news.contoso.example` →
/// `example.contoso.news.`), so that a domain and all its subdomains form one range of an
/// ordinary index: keys from `example.contoso.` up to (not including) `example.contoso/`.
package enum DomainKey {
    package static func key(_ domain: String) -> String {
        let labels = DomainName.normalized(domain).split(separator: ".", omittingEmptySubsequences: false)
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
}
