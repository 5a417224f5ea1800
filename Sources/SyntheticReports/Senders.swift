import ReportModel

/// Messages from one source IP that authenticated the same way.
struct MessageBatch {
    var sourceIP: String
    var count: Int
    var outcome: AuthOutcome
}

/// Facts about a domain that several senders share.
struct DomainFacts {
    let name: String
    /// The result SPF gives to unauthorised hosts: the domain's `-all` or `~all`.
    let spfFailResult: SPFResult
    /// The DKIM signature the domain's own mail carries, which forwarded copies keep.
    let primarySignature: (domain: String, selector: String)

    init(_ domain: SyntheticDomain) {
        name = domain.name
        spfFailResult = StableHash.pick(3, domain.name, "spf-all") == 0 ? .fail : .softfail
        let kinds = domain.senders.map(\.kind)
        let selector = kinds.contains(.googleWorkspace) ? "google"
            : kinds.contains(.microsoft365) ? "selector1" : "s1"
        primarySignature = (domain.name, selector)
    }
}

/// The traffic of one legitimate sender: its IP addresses and how its mail authenticates.
struct SenderTraffic {
    let spec: SenderSpec
    let facts: DomainFacts
    /// Ordered by how busy each address is; the first ones carry most mail every day.
    let ipPool: [String]

    init(spec: SenderSpec, facts: DomainFacts, seed: UInt64) {
        self.spec = spec
        self.facts = facts
        var rng = SplitMix64(seed: seed, labels: ["ip-pool", facts.name, spec.kind.rawValue])
        ipPool = AddressPool.make(count: spec.kind.poolSize, using: &rng) { spec.kind.address(&$0) }
    }

    /// Splits `count` messages over a few of the sender's addresses.
    func batches(count: Int, month: ReportMonth, _ rng: inout SplitMix64) -> [MessageBatch] {
        guard count > 0, !ipPool.isEmpty else { return [] }
        let wanted = 1 + Int(Double(count).squareRoot() / spec.kind.messagesPerAddressScale)
        let addresses = AddressPool.busiest(ipPool, choosing: min(wanted, ipPool.count), &rng)
        let counts = Split.proportional(count, weights: addresses.map { 1 / Double($0.rank + 1) }, noise: 0.5, &rng)
        var result: [MessageBatch] = []
        for (address, messages) in zip(addresses, counts) where messages > 0 {
            result += outcomes(ip: address.ip, count: messages, month: month, &rng)
        }
        return result
    }

    private func outcomes(ip: String, count: Int, month: ReportMonth, _ rng: inout SplitMix64) -> [MessageBatch] {
        let domain = facts.name
        let signed = spec.signsWithDomain(in: month)
        let pass = SPFAuthResult(domain: domain, scope: "mfrom", result: .pass)
        func batch(_ envelope: String, _ spfResult: SPFResult, _ dkim: [DKIMAuthResult]) -> MessageBatch {
            MessageBatch(sourceIP: ip, count: count, outcome: AuthOutcome(
                headerFrom: domain, envelopeFrom: envelope,
                dkim: dkim, spf: SPFAuthResult(domain: envelope, scope: "mfrom", result: spfResult)))
        }
        switch spec.kind {
        case .googleWorkspace:
            let dkim = signed
                ? DKIMAuthResult(domain: domain, selector: "google", result: .pass)
                : DKIMAuthResult(
                    domain: domain.replacingDots(with: "-") + ".20230601.gappssmtp.com",
                    selector: "20230601", result: .pass)
            return [MessageBatch(sourceIP: ip, count: count, outcome: AuthOutcome(
                headerFrom: domain, envelopeFrom: domain, dkim: [dkim], spf: pass))]
        case .microsoft365:
            let firstLabel = domain.split(separator: ".").first.map { $0.filter { $0 != "-" } } ?? domain
            let tenant = firstLabel + (domain.hasSuffix(".jp") ? "jp" : "")
            let dkim = signed
                // Keys are rotated: the selector alternates month by month.
                ? DKIMAuthResult(domain: domain, selector: month.month % 2 == 0 ? "selector1" : "selector2", result: .pass)
                : DKIMAuthResult(
                    domain: "\(tenant).onmicrosoft.com", selector: "selector1-\(tenant)-onmicrosoft-com",
                    result: .pass)
            return [batch(domain, .pass, [dkim])]
        case .sendGrid:
            let bounceDomain = "em\(1_000 + StableHash.pick(9_000, domain, "sendgrid")).\(domain)"
            let own = DKIMAuthResult(domain: "sendgrid.net", selector: "smtpapi", result: .pass)
            let dkim = signed ? [DKIMAuthResult(domain: domain, selector: "s1", result: .pass), own] : [own]
            return [batch(bounceDomain, .pass, dkim)]
        case .mailchimp:
            let site = ["atl11", "atl21", "sea31", "suw11", "suw91"][StableHash.pick(5, ip, "site")]
            let host = StableHash.pick(2, ip) == 0 ? "mcsv.net" : "rsgsv.net"
            let envelope = "mail\(1 + StableHash.pick(250, ip, "n")).\(site).\(host)"
            let own = DKIMAuthResult(domain: "mcsv.net", selector: "k3", result: .pass)
            let dkim = signed ? [DKIMAuthResult(domain: domain, selector: "k1", result: .pass), own] : [own]
            return [batch(envelope, .pass, dkim)]
        case .amazonSES:
            let own = DKIMAuthResult(domain: "amazonses.com", selector: "224i4yxa5dv7c2xz3womw6peuasteono", result: .pass)
            let easyDKIM = DKIMAuthResult(domain: domain, selector: Self.easyDKIMToken(domain), result: .pass)
            return [batch("amazonses.com", .pass, signed ? [easyDKIM, own] : [own])]
        case .helpdesk:
            let dkim = DKIMAuthResult(domain: signed ? domain : "zendesk.com", selector: "zendesk1", result: .pass)
            return [batch("zendesk.com", .pass, [dkim])]
        case .forwarder:
            return forwarded(ip: ip, count: count, &rng)
        }
    }

    /// Forwarded copies keep the original MAIL FROM, so SPF fails at the relay; the DKIM
    /// signature survives unless the relay edited the message (a footer, a subject tag).
    private func forwarded(ip: String, count: Int, _ rng: inout SplitMix64) -> [MessageBatch] {
        let broken = count == 1 ? (rng.chance(0.3) ? 1 : 0) : Split.binomial(count, 0.3, &rng)
        let signature = facts.primarySignature
        let spf = SPFAuthResult(domain: facts.name, scope: "mfrom", result: facts.spfFailResult)
        var result: [MessageBatch] = []
        for (messages, dkimResult) in [(count - broken, DKIMResult.pass), (broken, .fail)] where messages > 0 {
            let dkim = DKIMAuthResult(domain: signature.domain, selector: signature.selector, result: dkimResult)
            result.append(MessageBatch(sourceIP: ip, count: messages, outcome: AuthOutcome(
                headerFrom: facts.name, envelopeFrom: facts.name, dkim: [dkim], spf: spf, forwarded: true)))
        }
        return result
    }

    /// The per-domain selector SES Easy DKIM uses: 32 characters, stable for the domain.
    private static func easyDKIMToken(_ domain: String) -> String {
        var rng = SplitMix64(seed: 0, labels: ["easy-dkim", domain])
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        return String((0..<32).map { _ in alphabet[rng.below(alphabet.count)] })
    }
}

extension SenderKind {
    var poolSize: Int {
        switch self {
        case .googleWorkspace, .microsoft365: 24
        case .amazonSES: 12
        case .mailchimp: 10
        case .sendGrid: 6
        case .helpdesk: 4
        case .forwarder: 2
        }
    }

    /// Larger values put more messages on each address, i.e. fewer records.
    var messagesPerAddressScale: Double {
        switch self {
        case .googleWorkspace, .microsoft365: 2.5
        case .amazonSES, .mailchimp, .sendGrid: 3.5
        case .helpdesk, .forwarder: 5
        }
    }

    /// An address from the ranges the service really sends from (documentation ranges for the relay).
    func address(_ rng: inout SplitMix64) -> String {
        if let ipv6 = ipv6Network, rng.chance(0.15) {
            return ipv6 + String(rng.int(in: 0x100...0xfff), radix: 16)
        }
        let ranges = ipv4Networks
        let network = ranges[rng.below(ranges.count)]
        return "\(network.prefix).\(rng.int(in: network.thirdOctets)).\(rng.int(in: 1...254))"
    }

    /// IPv4 /16 prefixes and the third octets in use below them.
    private var ipv4Networks: [(prefix: String, thirdOctets: ClosedRange<Int>)] {
        switch self {
        case .googleWorkspace: [("209.85", 128...255)]
        case .microsoft365: [("40.107", 0...255), ("52.100", 0...255)]
        case .sendGrid: [("149.72", 0...255), ("167.89", 0...127)]
        case .mailchimp: [("198.2", 128...191), ("205.201", 128...143)]
        case .amazonSES: [("54.240", 0...63), ("23.251", 224...255)]
        case .helpdesk: [("192.161", 144...159), ("216.198", 0...31)]
        case .forwarder: [("198.51", 100...100)]
        }
    }

    /// A /64 some of the mail comes from over IPv6.
    private var ipv6Network: String? {
        switch self {
        case .googleWorkspace: "2607:f8b0:4864:20::"
        case .microsoft365: "2a01:111:f403:c10c::"
        default: nil
        }
    }
}

/// Address pools: a stable list per sender, from which each day draws the busiest few.
enum AddressPool {
    static func make(count: Int, using rng: inout SplitMix64, _ draw: (inout SplitMix64) -> String) -> [String] {
        var seen: Set<String> = []
        var pool: [String] = []
        var attempts = 0
        while pool.count < count && attempts < count * 20 {
            attempts += 1
            let address = draw(&rng)
            if seen.insert(address).inserted { pool.append(address) }
        }
        return pool
    }

    /// `count` distinct addresses, favouring the front of the pool (weight 1 / (rank + 1)).
    static func busiest(_ pool: [String], choosing count: Int, _ rng: inout SplitMix64) -> [(ip: String, rank: Int)] {
        var weights = pool.indices.map { 1 / Double($0 + 1) }
        var chosen: [(ip: String, rank: Int)] = []
        while chosen.count < count, let index = rng.weightedIndex(weights) {
            chosen.append((pool[index], index))
            weights[index] = 0
        }
        return chosen.sorted { $0.rank < $1.rank }
    }
}

/// Splitting whole message counts.
enum Split {
    /// Splits `total` into parts roughly proportional to the weights (each weight jittered by
    /// `noise`); parts sum to `total` exactly and may be zero.
    static func proportional(_ total: Int, weights: [Double], noise: Double, _ rng: inout SplitMix64) -> [Int] {
        guard total > 0, !weights.isEmpty else { return weights.map { _ in 0 } }
        let jittered = weights.map { max(0, $0) * rng.noise(spread: noise) }
        let sum = jittered.reduce(0, +)
        guard sum > 0 else {
            return [total] + Array(repeating: 0, count: weights.count - 1)
        }
        var parts = jittered.map { Int((Double(total) * $0 / sum).rounded(.down)) }
        var remaining = total - parts.reduce(0, +)
        while remaining > 0, let index = rng.weightedIndex(jittered) {
            parts[index] += 1
            remaining -= 1
        }
        return parts
    }

    /// A binomial draw: exact for small counts, the mean with a little spread for large ones.
    static func binomial(_ count: Int, _ probability: Double, _ rng: inout SplitMix64) -> Int {
        guard count > 0 else { return 0 }
        if count <= 64 {
            return (0..<count).reduce(0) { total, _ in total + (rng.chance(probability) ? 1 : 0) }
        }
        let mean = Double(count) * probability
        let spread = (mean * (1 - probability)).squareRoot()
        let draw = mean + spread * 2 * (rng.noise(spread: 1) - 1)
        return min(count, max(0, Int(draw.rounded())))
    }

    /// Rounds up with probability equal to the fraction, so small expected counts still occur.
    static func stochasticRound(_ value: Double, _ rng: inout SplitMix64) -> Int {
        guard value > 0 else { return 0 }
        let whole = value.rounded(.down)
        return Int(whole) + (rng.chance(value - whole) ? 1 : 0)
    }
}

extension String {
    func replacingDots(with replacement: String) -> String {
        split(separator: ".", omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
