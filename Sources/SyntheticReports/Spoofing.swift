import ReportModel

/// Mail that claims to be from the domain but is not: random hosts, failing or foreign
/// authentication, now and then a subdomain that does not exist.
struct SpoofTraffic {
    let facts: DomainFacts
    /// Hosts of a botnet that come back day after day, so they rank among the top sources.
    let persistentHosts: [String]

    /// Caps the records spoofing adds to one report (the rest lands on the last source).
    static let maxSourcesPerReport = 30

    private static let subdomainLabels = ["mail", "secure", "billing", "hr", "support", "noreply", "payments", "account"]
    private static let spamTLDs = ["xyz", "top", "info", "click", "shop", "online", "ru", "cn", "biz"]
    /// First octets of busy, ordinary public IPv4 space.
    private static let firstOctets = [
        5, 31, 37, 41, 45, 77, 78, 79, 80, 81, 85, 91, 95, 101, 103, 110, 112, 113, 117, 118, 122, 125,
        138, 139, 171, 175, 177, 179, 181, 185, 186, 187, 189, 190, 191, 196, 197, 200, 201,
    ]

    init(facts: DomainFacts, seed: UInt64) {
        self.facts = facts
        var rng = SplitMix64(seed: seed, labels: ["spoof-pool", facts.name])
        persistentHosts = AddressPool.make(count: 8, using: &rng) { Self.randomAddress(&$0) }
    }

    func batches(count: Int, _ rng: inout SplitMix64) -> [MessageBatch] {
        var result: [MessageBatch] = []
        var remaining = count
        while remaining > 0 {
            let isLast = result.count == Self.maxSourcesPerReport - 1
            var size = 1 + rng.below(3)
            if rng.chance(0.25) { size += rng.below(25) }
            size = isLast ? remaining : min(size, remaining)
            let ip = rng.chance(0.3) ? (rng.element(of: persistentHosts) ?? Self.randomAddress(&rng)) : Self.randomAddress(&rng)
            result.append(MessageBatch(sourceIP: ip, count: size, outcome: outcome(&rng)))
            remaining -= size
        }
        return result
    }

    private func outcome(_ rng: inout SplitMix64) -> AuthOutcome {
        let domain = facts.name
        let headerFrom = rng.chance(0.8)
            ? domain
            : "\(Self.subdomainLabels[rng.below(Self.subdomainLabels.count)]).\(domain)"
        let spamDomain = Self.randomSpamDomain(&rng)

        let envelopeFrom: String?
        let spf: SPFAuthResult
        switch rng.unit() {
        case ..<0.40:
            // Forged MAIL FROM: the domain's SPF record says no (a subdomain has none at all).
            envelopeFrom = headerFrom
            spf = SPFAuthResult(domain: headerFrom, scope: "mfrom", result: headerFrom == domain ? facts.spfFailResult : .none)
        case ..<0.80:
            envelopeFrom = spamDomain
            let result: SPFResult = rng.chance(0.5) ? .pass : (rng.chance(0.4) ? .neutral : .none)
            spf = SPFAuthResult(domain: spamDomain, scope: "mfrom", result: result)
        case ..<0.95:
            // Empty MAIL FROM: only the HELO name was checked.
            envelopeFrom = nil
            let helo = "host\(rng.int(in: 1...999)).\(spamDomain)"
            spf = SPFAuthResult(domain: helo, scope: "helo", result: rng.chance(0.5) ? .pass : .none)
        default:
            envelopeFrom = headerFrom
            spf = SPFAuthResult(domain: headerFrom, scope: "mfrom", result: rng.chance(0.5) ? .temperror : .permerror)
        }

        let dkim: [DKIMAuthResult]
        switch rng.unit() {
        case ..<0.65:
            dkim = []
        case ..<0.85:
            dkim = [DKIMAuthResult(domain: spamDomain, selector: ["default", "mail", "s1", "dkim"][rng.below(4)], result: .pass)]
        default:
            // A copied or invented signature for the domain that does not verify.
            dkim = [DKIMAuthResult(domain: headerFrom, selector: facts.primarySignature.selector, result: .fail)]
        }
        return AuthOutcome(headerFrom: headerFrom, envelopeFrom: envelopeFrom, dkim: dkim, spf: spf)
    }

    static func randomAddress(_ rng: inout SplitMix64) -> String {
        if rng.chance(0.12) {
            // IPv6 from the documentation prefix 2001:db8::/32.
            return "2001:db8:\(rng.hex(1 + rng.below(4))):\(rng.hex(1 + rng.below(4)))::\(rng.hex(1 + rng.below(4)))"
                .replacingLeadingZeroGroups()
        }
        let first = firstOctets[rng.below(firstOctets.count)]
        return "\(first).\(rng.int(in: 0...255)).\(rng.int(in: 0...255)).\(rng.int(in: 1...254))"
    }

    private static func randomSpamDomain(_ rng: inout SplitMix64) -> String {
        let consonants = Array("bcdfghjklmnprstvwxz")
        let vowels = Array("aeiou")
        var name = ""
        for _ in 0..<(2 + rng.below(3)) {
            name.append(consonants[rng.below(consonants.count)])
            name.append(vowels[rng.below(vowels.count)])
        }
        if rng.chance(0.4) { name += String(rng.int(in: 1...99)) }
        return "\(name).\(spamTLDs[rng.below(spamTLDs.count)])"
    }
}

extension String {
    /// `2001:db8:0a:0::5` → `2001:db8:a:0::5`: IPv6 groups without leading zeros, as reporters write them.
    fileprivate func replacingLeadingZeroGroups() -> String {
        split(separator: ":", omittingEmptySubsequences: false).map { group -> String in
            let trimmed = group.drop { $0 == "0" }
            return group.isEmpty ? "" : (trimmed.isEmpty ? "0" : String(trimmed))
        }.joined(separator: ":")
    }
}
