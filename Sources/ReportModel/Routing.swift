/// Finds which configured domain, and so which owner, a header_from domain belongs to:
/// the configured domain equal to it, or else its nearest configured parent.
public struct DomainRouter<Owner: Hashable & Sendable>: Sendable {
    private let owners: [String: Owner]

    /// `owners` maps normalised domain names to their owner.
    public init(owners: [String: Owner]) {
        self.owners = owners
    }

    public func route(_ headerFrom: String) -> (domain: String, owner: Owner)? {
        // Most records are of a configured domain itself: one lookup, no list of parents.
        if let owner = owners[headerFrom] { return (headerFrom, owner) }
        for candidate in DomainName.selfAndParents(headerFrom) {
            if let owner = owners[String(candidate)] { return (String(candidate), owner) }
        }
        return nil
    }
}
