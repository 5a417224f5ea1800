/// Who operates a group of source IPs, as far as the report data tells.
public enum SenderIdentity: Sendable, Hashable {
    /// A service of the sender catalog, recognised by its domains or DKIM selectors.
    case known(KnownSender)
    /// A third party the catalog does not list, by the organisational domain it authenticates as.
    case unlisted(organisationalDomain: String)
    /// The client's own servers: they authenticate as the client's domain and no one else.
    case ownInfrastructure
    /// Relays passing on mail the client signed (forwarders, mailing lists): SPF fails, the
    /// client's DKIM signature survives, or the receiver says it overrode the policy for a forward.
    case forwarded
    /// Nothing authenticated (no passing DKIM signature, no passing SPF check), or only as a
    /// small third party nothing vouches for (see `SenderClassifier.namedUnlistedMinimumSources`).
    case unknown
}

/// The identifier that recognised a sender (for "recognised by DKIM d=sendgrid.net").
public enum SenderMatch: Sendable, Hashable, CustomStringConvertible {
    /// A passing DKIM signature's `d=` domain.
    case dkimDomain(String)
    /// A domain that SPF passed for (MAIL FROM or HELO).
    case spfDomain(String)
    /// The reported envelope_from, of a record whose SPF check passed.
    case envelopeFrom(String)
    /// The selector of a passing signature by the client's own domain.
    case dkimSelector(selector: String, domain: String)

    public var description: String {
        switch self {
        case .dkimDomain(let domain): "DKIM d=\(domain)"
        case .spfDomain(let domain): "SPF \(domain)"
        case .envelopeFrom(let domain): "envelope_from \(domain)"
        case .dkimSelector(let selector, let domain): "DKIM s=\(selector) d=\(domain)"
        }
    }
}

/// What the client should make of a sender.
public enum SenderVerdict: Sendable, Hashable {
    /// Authorised, and its mail passes DMARC with an aligned DKIM signature.
    case authorisedAligned
    /// Authorised (a known service, the client's own servers, or mostly passing DMARC), but its
    /// mail does not carry an aligned DKIM signature: what to change, most messages first.
    case authorisedMisaligned(fix: [SenderFix])
    /// Passes on mail others sent; not something the client configures.
    case forwarder
    /// Not a known service and nothing of the client's vouches for it: likely spoofing.
    case unknownSuspicious
}

/// One change that makes a sender's mail align.
public enum SenderFix: Sendable, Hashable {
    /// DKIM passes with the sender's own domain (`d=sendgrid.net`), not the client's: publish the
    /// sender's DKIM key under your domain so that it signs as you.
    case dkimNotAligned(signingDomains: [String])
    /// SPF passes for the sender's bounce domain (return-path on `amazonses.com`): set a custom
    /// return-path (MAIL FROM, bounce) domain under your domain.
    case spfNotAligned(envelopeDomains: [String])
    /// No DKIM signature passes; DMARC rests on SPF alone, which forwarding breaks: set up DKIM
    /// signing with your domain.
    case dkimMissing
}

/// One source IP of a sender.
public struct SenderSource: Sendable, Hashable {
    public var ip: String
    public var tally: MessageTally

    public init(ip: String, tally: MessageTally) {
        self.ip = ip
        self.tally = tally
    }
}

/// One sender of a client's domain in a month: its source IPs, totals and verdict.
public struct SenderSummary: Sendable, Hashable {
    public var identity: SenderIdentity
    /// The catalog name, the unlisted organisational domain, the client's organisational domain
    /// for its own servers; `Forwarded mail` and `Unknown senders` otherwise (pages translate by
    /// `identity`).
    public var name: String
    /// The catalog category; nil for senders the catalog does not list.
    public var category: SenderCategory?
    public var verdict: SenderVerdict
    public var tally: MessageTally
    /// Busiest first, then by address.
    public var sources: [SenderSource]
    /// The identifier behind most of the sender's recognised messages; nil for unknown senders.
    public var recognisedBy: SenderMatch?
    /// Domains of passing DKIM signatures, most messages first.
    public var signingDomains: [String]
    /// Domains SPF passed for, and envelope_from domains, most messages first.
    public var envelopeDomains: [String]

    public init(
        identity: SenderIdentity, name: String, category: SenderCategory?, verdict: SenderVerdict,
        tally: MessageTally, sources: [SenderSource], recognisedBy: SenderMatch?,
        signingDomains: [String], envelopeDomains: [String]
    ) {
        self.identity = identity
        self.name = name
        self.category = category
        self.verdict = verdict
        self.tally = tally
        self.sources = sources
        self.recognisedBy = recognisedBy
        self.signingDomains = signingDomains
        self.envelopeDomains = envelopeDomains
    }

    public var messages: Int { tally.messages }
    public var dmarcPass: Int { tally.dmarcPass }
    public var spfAligned: Int { tally.spfAligned }
    public var dkimAligned: Int { tally.dkimAligned }
}
