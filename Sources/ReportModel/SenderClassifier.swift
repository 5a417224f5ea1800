/// Groups the source IPs of a client domain's mail into senders and judges each one, from the
/// report data alone.
///
/// Each record is identified from what authenticated: a catalog service by a domain SPF passed
/// for (or the envelope_from of a record SPF passed for), a forward, a catalog service by a
/// passing DKIM signature's `d=`, a catalog service by the selector of a passing signature by the
/// client's domain, a third party by the organisational domain it authenticated as, or the
/// client's own servers. Identifiers that did not pass are ignored: anyone can claim them. Each
/// source IP then goes to the identity with most of its messages (any identity before none), so
/// a relay whose forwarded copies sometimes lose their signature stays one sender. Small third
/// parties that nothing vouches for are folded into the unknown senders (see
/// `namedUnlistedMinimumSources`), or every spoofer's throwaway domain would be a row.
public struct SenderClassifier: Sendable {
    /// A sender is aligned when at least this share of its messages passes DMARC with an aligned
    /// DKIM signature. SPF alone does not count: it breaks as soon as the mail is forwarded.
    public static let alignedShare = 0.95
    /// A sender whose messages look forwarded at least this often is a forwarder.
    public static let forwardedShare = 0.5
    /// A sender the catalog does not list counts as authorised when at least this share of its
    /// messages passes DMARC: the client's own SPF record or DKIM key vouches for it.
    public static let vouchedShare = 0.5
    /// A fix is listed when it concerns at least this share of the sender's messages.
    public static let fixShare = 0.05
    /// An unlisted third party that nothing vouches for is a sender of its own only when it sent
    /// from at least this many source IPs or this share of the mail. Smaller ones, mostly the
    /// throwaway domains of spoofers, join the unknown senders, which keep their domains.
    public static let namedUnlistedMinimumSources = 2
    public static let namedUnlistedMinimumShare = 0.02

    public let catalog: SenderCatalog
    public let publicSuffixes: PublicSuffixList

    public init(catalog: SenderCatalog, publicSuffixes: PublicSuffixList = .system) {
        self.catalog = catalog
        self.publicSuffixes = publicSuffixes
    }

    /// The senders of the configured `domain` among a month's records (records routed to other
    /// domains are left out), most messages first, then by name.
    ///
    /// `otherClientDomains`: the client's other domains, whose signatures count as the client's own.
    public func classify(
        _ records: [AggregatedRecord], for domain: String, otherClientDomains: [String] = []
    ) -> [SenderSummary] {
        let configured = DomainName.normalized(domain)
        let routed = records.filter { DomainName.normalized($0.domain) == configured }.map(\.record)
        return classify(routed, for: configured, otherClientDomains: otherClientDomains)
    }

    /// The senders of `records`, all of them mail with a header_from of `domain` or below it.
    public func classify(
        _ records: [ReportRecord], for domain: String, otherClientDomains: [String] = []
    ) -> [SenderSummary] {
        var client = ClientDomains(domain: domain, others: otherClientDomains, publicSuffixes: publicSuffixes)
        // A record of no messages says nothing about who sends. A month repeats the same
        // authentication results across days and IPs, so each distinct set is judged once
        // (and a record like the one before needs no lookup). Records, judgements, identities
        // and source IPs are referred to by number: copying records or evidence retained all
        // of their strings, and hashing an identity or an IP for every record was most of the
        // work. What a record adds to its sender depends only on its judgement and its count,
        // so it is added once per judgement, with the messages of all its records.
        // A month has a few distinct keys per record or less: room for them is made once.
        var judgementOfKey: [AuthenticationKey: Int] = Dictionary(minimumCapacity: records.count / 2)
        var judgementOfLists: [SharedAuthentication: Int] = Dictionary(minimumCapacity: records.count / 2)
        var judgements: [Judgement] = []
        var identities = SenderIdentityNumbers()
        var sources = SourceNumbers(capacity: records.count / 2)
        var observed: [(judgement: Int, source: Int, count: Int)] = []
        observed.reserveCapacity(records.count)
        // The record before with messages, compared in place: no key is built for a record
        // like it.
        var previous: (record: Int, judgement: Int)?
        /// The judgement of a key, made when the key is new; one hash of the key either way.
        func judgementByKey(of index: Int) -> Int {
            let judgement = judgementOfKey.value(of: AuthenticationKey(records[index]), orInserting: judgements.count)
            if judgement == judgements.count {
                let record = records[index]
                let evidence = RecordEvidence(record)
                let identification = identify(evidence, of: record, &client)
                judgements.append(Judgement(
                    evidence: evidence, identification: identification, example: index,
                    identity: identification.map { identities.number(of: $0.identity) }))
            }
            return judgement
        }
        for index in records.indices where records[index].count > 0 {
            let judgement: Int
            if let previous, AuthenticationKey.alike(records, index, previous.record) {
                judgement = previous.judgement
            } else {
                // Records read from the archive share their result lists: the lists' storage
                // finds a judgement made before without hashing their strings.
                judgement = judgementOfLists.value(of: SharedAuthentication(records[index]), orMaking: { judgementByKey(of: index) })
            }
            previous = (index, judgement)
            observed.append((judgement, sources.add(records[index]), records[index].count))
        }

        // Each source IP goes to the identity with most of its messages.
        var votes = [[(identity: Int, messages: Int)]](repeating: [], count: sources.count)
        var messagesOfJudgement = [Int](repeating: 0, count: judgements.count)
        for item in observed {
            messagesOfJudgement[item.judgement] += item.count
            guard let identity = judgements[item.judgement].identity else { continue }
            if let known = votes[item.source].firstIndex(where: { $0.identity == identity }) {
                votes[item.source][known].messages += item.count
            } else {
                votes[item.source].append((identity, item.count))
            }
        }
        var matches: [Int: [SenderMatch: Int]] = [:]
        for (judgement, messages) in zip(judgements, messagesOfJudgement) {
            guard let identity = judgement.identity, let match = judgement.identification?.match else { continue }
            matches[identity, default: [:]][match, default: 0] += messages
        }
        let unknown = identities.number(of: .unknown)
        let identityOfSource = votes.map { messagesByIdentity in
            messagesByIdentity.max {
                Self.precedes((identities[$1.identity], $1.messages), (identities[$0.identity], $0.messages))
            }?.identity ?? unknown
        }

        var accumulators: [Int: SenderAccumulator] = Dictionary(minimumCapacity: identities.count)
        for source in 0..<sources.count {
            accumulators[identityOfSource[source], default: SenderAccumulator()].add(source: source, sources.tally(of: source))
        }
        var messagesOfSenderJudgement: [SenderJudgement: Int] = Dictionary(minimumCapacity: judgements.count)
        for item in observed {
            messagesOfSenderJudgement[SenderJudgement(identity: identityOfSource[item.source], judgement: item.judgement), default: 0] += item.count
        }
        for (pair, messages) in messagesOfSenderJudgement {
            let judgement = judgements[pair.judgement]
            accumulators[pair.identity, default: SenderAccumulator()].add(messages, like: records[judgement.example], judgement.evidence)
        }
        var senders = Dictionary(uniqueKeysWithValues: accumulators.map { (identities[$0.key], $0.value) })
        let matchesOfIdentity = Dictionary(uniqueKeysWithValues: matches.map { (identities[$0.key], $0.value) })
        let allMessages = senders.values.reduce(0) { $0 + $1.tally.messages }
        for (identity, sender) in senders where isMinorSuspect(identity, sender, of: allMessages) {
            senders[identity] = nil
            senders[.unknown, default: SenderAccumulator()].merge(sender)
        }
        return senders.map { identity, accumulated in
            summary(identity, accumulated, sources: sources, recognisedBy: matchesOfIdentity[identity].flatMap(Self.mostFrequent), client)
        }.sorted {
            ($1.messages, $0.name.lowercased(), Self.sortKey($0.identity))
                < ($0.messages, $1.name.lowercased(), Self.sortKey($1.identity))
        }
    }

    /// What one distinct set of authentication results says, and a record that has it.
    private struct Judgement {
        var evidence: RecordEvidence
        var identification: Identification?
        var example: Int
        /// The number of the identification's identity.
        var identity: Int?
    }

    /// A sender's records of one judgement.
    private struct SenderJudgement: Hashable {
        var identity: Int
        var judgement: Int
    }

    // MARK: Identifying a record

    private struct Identification {
        var identity: SenderIdentity
        var match: SenderMatch?
    }

    private func identify(
        _ evidence: RecordEvidence, of record: ReportRecord, _ client: inout ClientDomains
    ) -> Identification? {
        // SPF says the IP may send for the domain: the strongest hint at who runs it.
        for domain in evidence.spfPassDomains {
            if let sender = catalog.sender(forDomain: domain) {
                return Identification(identity: .known(sender), match: .spfDomain(domain))
            }
        }
        if let envelope = evidence.vouchedEnvelopeDomain, let sender = catalog.sender(forDomain: envelope) {
            return Identification(identity: .known(sender), match: .envelopeFrom(envelope))
        }
        // A forwarded copy keeps the signatures of whoever wrote it: they do not name the relay.
        if evidence.looksForwarded(record) {
            for signature in evidence.dkimPasses {
                if let sender = catalog.sender(forDomain: signature.domain), sender.category == .forwarder {
                    return Identification(identity: .known(sender), match: .dkimDomain(signature.domain))
                }
            }
            let signature = evidence.dkimPasses.first { client.owns($0.domain) }
            return Identification(identity: .forwarded, match: signature.map { .dkimDomain($0.domain) })
        }
        for signature in evidence.dkimPasses {
            if let sender = catalog.sender(forDomain: signature.domain) {
                return Identification(identity: .known(sender), match: .dkimDomain(signature.domain))
            }
        }
        for signature in evidence.dkimPasses where client.owns(signature.domain) {
            if let selector = signature.selector, let sender = catalog.sender(forSelector: selector) {
                return Identification(
                    identity: .known(sender), match: .dkimSelector(selector: selector, domain: signature.domain))
            }
        }
        let candidates = evidence.spfPassDomains.map(SenderMatch.spfDomain)
            + (evidence.vouchedEnvelopeDomain.map { [SenderMatch.envelopeFrom($0)] } ?? [])
            + evidence.dkimPasses.map { SenderMatch.dkimDomain($0.domain) }
        if let thirdParty = candidates.first(where: { !client.owns($0.domain) }) {
            let organisational = client.organisationalDomain(of: thirdParty.domain) ?? thirdParty.domain
            return Identification(identity: .unlisted(organisationalDomain: organisational), match: thirdParty)
        }
        if let ownMatch = candidates.first {
            return Identification(identity: .ownInfrastructure, match: ownMatch)
        }
        return nil
    }

    // MARK: Judging a sender

    private func summary(
        _ identity: SenderIdentity, _ accumulated: SenderAccumulator, sources: SourceNumbers, recognisedBy: SenderMatch?,
        _ client: ClientDomains
    ) -> SenderSummary {
        let name: String
        let category: SenderCategory?
        switch identity {
        case .known(let sender): (name, category) = (sender.name, sender.category)
        case .unlisted(let domain): (name, category) = (domain, nil)
        case .ownInfrastructure: (name, category) = (client.primary, nil)
        case .forwarded: (name, category) = ("Forwarded mail", nil)
        case .unknown: (name, category) = ("Unknown senders", nil)
        }
        return SenderSummary(
            identity: identity, name: name, category: category,
            verdict: verdict(identity, accumulated), tally: accumulated.tally,
            sources: accumulated.sources
                .map { SenderSource(ip: sources.ip(of: $0), tally: sources.tally(of: $0)) }
                .sorted { ($1.tally.messages, $0.ip) < ($0.tally.messages, $1.ip) },
            recognisedBy: recognisedBy,
            signingDomains: Self.byMessages(accumulated.signingDomains),
            envelopeDomains: Self.byMessages(accumulated.envelopeDomains))
    }

    private func verdict(_ identity: SenderIdentity, _ sender: SenderAccumulator) -> SenderVerdict {
        switch identity {
        case .forwarded: return .forwarder
        case .known(let known) where known.category == .forwarder: return .forwarder
        default: break
        }
        if sender.share(sender.tally.dkimAligned) >= Self.alignedShare { return .authorisedAligned }
        if sender.share(sender.forwardedMessages) >= Self.forwardedShare { return .forwarder }
        let authorised = switch identity {
        case .known, .ownInfrastructure: true
        case .unlisted, .unknown, .forwarded: sender.share(sender.tally.dmarcPass) >= Self.vouchedShare
        }
        return authorised ? .authorisedMisaligned(fix: fixes(sender)) : .unknownSuspicious
    }

    private func isMinorSuspect(
        _ identity: SenderIdentity, _ sender: SenderAccumulator, of allMessages: Int
    ) -> Bool {
        guard case .unlisted = identity, verdict(identity, sender) == .unknownSuspicious else { return false }
        let share = allMessages > 0 ? Double(sender.tally.messages) / Double(allMessages) : 0
        return sender.sources.count < Self.namedUnlistedMinimumSources && share < Self.namedUnlistedMinimumShare
    }

    /// The fixes that concern enough of the sender's mail, most messages first; at least the
    /// largest one.
    private func fixes(_ sender: SenderAccumulator) -> [SenderFix] {
        let dkimNotAligned = SenderFix.dkimNotAligned(signingDomains: Self.byMessages(sender.unalignedSignatures))
        let spfNotAligned = SenderFix.spfNotAligned(envelopeDomains: Self.byMessages(sender.unalignedReturnPaths))
        let candidates: [(fix: SenderFix, messages: Int)] = [
            (dkimNotAligned, sender.unalignedSignatureMessages),
            (.dkimMissing, sender.unsignedMessages),
            (spfNotAligned, sender.unalignedReturnPathMessages),
        ].filter { $0.messages > 0 }
        // A stable sort: equal counts keep the order above.
        let ranked = candidates.enumerated()
            .sorted { ($1.element.messages, $0.offset) < ($0.element.messages, $1.offset) }
            .map(\.element)
        let significant = ranked.filter { sender.share($0.messages) >= Self.fixShare }
        return (significant.isEmpty ? Array(ranked.prefix(1)) : significant).map(\.fix)
    }

    // MARK: Ordering

    /// Busier first; equal counts by identity, so the result never depends on input order.
    private static func precedes(_ a: (SenderIdentity, Int), _ b: (SenderIdentity, Int)) -> Bool {
        (b.1, sortKey(a.0)) < (a.1, sortKey(b.0))
    }

    private static func sortKey(_ identity: SenderIdentity) -> SortKey {
        switch identity {
        case .known(let sender): SortKey(name: sender.name.lowercased(), rank: 0)
        case .unlisted(let domain): SortKey(name: domain, rank: 1)
        case .ownInfrastructure: SortKey(name: "", rank: 2)
        case .forwarded: SortKey(name: "", rank: 3)
        case .unknown: SortKey(name: "", rank: 4)
        }
    }

    private struct SortKey: Comparable {
        var name: String
        var rank: Int

        static func < (lhs: Self, rhs: Self) -> Bool { (lhs.rank, lhs.name) < (rhs.rank, rhs.name) }
    }

    private static func mostFrequent(_ matches: [SenderMatch: Int]) -> SenderMatch? {
        matches.max { ($0.value, $1.key.description) < ($1.value, $0.key.description) }?.key
    }

    private static func byMessages(_ counts: [String: Int]) -> [String] {
        counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key)
    }
}

/// Numbers the identities met while one month is classified, so that per-record counting
/// hashes a number instead of an identity.
private struct SenderIdentityNumbers {
    private var identities: [SenderIdentity] = []
    private var numbers: [SenderIdentity: Int] = [:]

    var count: Int { identities.count }

    mutating func number(of identity: SenderIdentity) -> Int {
        let number = numbers.value(of: identity, orInserting: identities.count)
        if number == identities.count { identities.append(identity) }
        return number
    }

    subscript(number: Int) -> SenderIdentity { identities[number] }
}

/// The client's domains as organisational domains: what "the client's own" means.
///
/// Remembers each name's organisational domain while one month is classified: the same few
/// signing and envelope domains come back in many distinct authentication results.
private struct ClientDomains {
    let primary: String
    let organisational: Set<String>
    let publicSuffixes: PublicSuffixList
    private var organisationalDomains: [String: String?] = [:]

    init(domain: String, others: [String], publicSuffixes: PublicSuffixList) {
        func organisationalDomain(_ name: String) -> String {
            let normalized = DomainName.normalized(name)
            return publicSuffixes.organisationalDomain(of: normalized) ?? normalized
        }
        primary = organisationalDomain(domain)
        organisational = Set([primary] + others.map(organisationalDomain))
        self.publicSuffixes = publicSuffixes
    }

    mutating func owns(_ domain: String) -> Bool {
        let normalized = DomainName.normalized(domain)
        return organisational.contains(organisationalDomain(of: normalized) ?? normalized)
    }

    /// `publicSuffixes.organisationalDomain(of:)`, each name worked out once.
    mutating func organisationalDomain(of name: String) -> String? {
        if let known = organisationalDomains[name] { return known }
        let found = publicSuffixes.organisationalDomain(of: name)
        organisationalDomains[name] = .some(found)
        return found
    }
}

/// Everything of a record that its evidence and its identification depend on: records equal
/// here are judged alike.
private struct AuthenticationKey: Hashable {
    var dkimResults: [DKIMAuthResult]
    var spfResults: [SPFAuthResult]
    var envelopeFrom: String?
    var overrideReasons: [OverrideReason]
    var dkimAligned: PolicyResult
    var spfAligned: PolicyResult

    init(_ record: ReportRecord) {
        dkimResults = record.dkimResults
        spfResults = record.spfResults
        envelopeFrom = record.envelopeFrom
        overrideReasons = record.overrideReasons
        dkimAligned = record.dkimAligned
        spfAligned = record.spfAligned
    }

    /// Whether `records[a]` and `records[b]` have equal keys, read where they are.
    static func alike(_ records: [ReportRecord], _ a: Int, _ b: Int) -> Bool {
        records[a].dkimAligned == records[b].dkimAligned && records[a].spfAligned == records[b].spfAligned
            && records[a].envelopeFrom == records[b].envelopeFrom && records[a].dkimResults == records[b].dkimResults
            && records[a].spfResults == records[b].spfResults && records[a].overrideReasons == records[b].overrideReasons
    }

    /// The identifiers only: keys that differ in them alone are rare, and hashing every
    /// result word and human-readable comment of every record cost more than the few extra
    /// comparisons. Equal keys still hash alike.
    func hash(into hasher: inout Hasher) {
        hasher.combine(dkimResults.count)
        for result in dkimResults {
            hasher.combine(result.domain)
            hasher.combine(result.selector)
        }
        hasher.combine(spfResults.count)
        for result in spfResults { hasher.combine(result.domain) }
        hasher.combine(envelopeFrom)
    }
}

/// A record's `AuthenticationKey` with its lists named by their storage. Lists with the same
/// storage are equal, so records equal here have equal keys (the converse need not hold: a
/// list with storage of its own is looked up by its `AuthenticationKey`). Storage stands for
/// content only while the lists are alive, as the records being classified are.
private struct SharedAuthentication: Hashable {
    var dkimResults: UnsafeRawPointer?
    var spfResults: UnsafeRawPointer?
    var overrideReasons: UnsafeRawPointer?
    var envelopeFrom: String?
    var dkimAligned: PolicyResult
    var spfAligned: PolicyResult

    init(_ record: ReportRecord) {
        dkimResults = Self.storage(record.dkimResults)
        spfResults = Self.storage(record.spfResults)
        overrideReasons = Self.storage(record.overrideReasons)
        envelopeFrom = record.envelopeFrom
        dkimAligned = record.dkimAligned
        spfAligned = record.spfAligned
    }

    private static func storage<Element>(_ list: [Element]) -> UnsafeRawPointer? {
        list.withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) }
    }
}

/// The identifiers of one record that authentication vouched for.
private struct RecordEvidence {
    /// Passing signatures, domains and selectors normalised.
    var dkimPasses: [(domain: String, selector: String?)] = []
    /// Domains SPF passed for, in either scope.
    var spfPassDomains: [String] = []
    /// Domains SPF passed for as the MAIL FROM (return-path); a HELO pass never aligns.
    var returnPathPassDomains: [String] = []
    /// The envelope_from, when some SPF check of the record passed: reporters put the HELO name
    /// in the SPF result now and then while envelope_from holds the MAIL FROM.
    var vouchedEnvelopeDomain: String?
    /// The distinct domains of `dkimPasses`; of `spfPassDomains` and `vouchedEnvelopeDomain`;
    /// of `returnPathPassDomains`: what each record of this evidence adds to its sender. A
    /// record has a few results, so these are lists, without a set made for each.
    var signers: [String] = []
    var envelopes: [String] = []
    var returnPaths: [String] = []

    init(_ record: ReportRecord) {
        for result in record.dkimResults where result.result == .pass {
            let domain = DomainName.normalized(result.domain)
            guard !domain.isEmpty else { continue }
            dkimPasses.append((domain, result.selector.map(DomainName.normalized).flatMap { $0.isEmpty ? nil : $0 }))
        }
        for result in record.spfResults where result.result == .pass {
            let domain = DomainName.normalized(result.domain)
            guard !domain.isEmpty else { continue }
            spfPassDomains.append(domain)
            if result.scope.map(DomainName.normalized) != "helo" { returnPathPassDomains.append(domain) }
        }
        if !spfPassDomains.isEmpty, let envelope = record.envelopeFrom.map(Self.domainOfEnvelope), !envelope.isEmpty {
            vouchedEnvelopeDomain = envelope
        }
        signers = Self.distinct(dkimPasses.map(\.domain))
        envelopes = Self.distinct(spfPassDomains + [vouchedEnvelopeDomain].compactMap { $0 })
        returnPaths = Self.distinct(returnPathPassDomains)
    }

    /// The names in their order, each once.
    private static func distinct(_ names: [String]) -> [String] {
        var result: [String] = []
        for name in names where !result.contains(name) { result.append(name) }
        return result
    }

    /// The receiver says it made an exception for a forward, or the client's signature passed
    /// where SPF for the MAIL FROM did not (the relay is not in the client's SPF record).
    ///
    /// `local_policy` counts only when its comment names ARC: receivers also use it when they
    /// quarantine instead of reject, spoofed mail included.
    func looksForwarded(_ record: ReportRecord) -> Bool {
        let receiverSaysForwarded = record.overrideReasons.contains { reason in
            switch reason.type {
            case .forwarded, .mailingList, .trustedForwarder: true
            case .localPolicy: reason.comment?.lowercased().contains("arc") == true
            default: false
            }
        }
        let signatureSurvivedSPFDidNot = returnPathPassDomains.isEmpty && record.dkimAligned == .pass
        return record.spfAligned != .pass && (receiverSaysForwarded || signatureSurvivedSPFDidNot)
    }

    /// envelope_from is a domain, but some reporters write the whole address.
    private static func domainOfEnvelope(_ raw: String) -> String {
        let normalized = DomainName.normalized(raw)
        return normalized.split(separator: "@", omittingEmptySubsequences: false).last.map(String.init) ?? normalized
    }
}

/// The source IPs of one month's records by number, each with the total of its records.
private struct SourceNumbers {
    private var numbers: [String: Int]
    private var ips: [String] = []
    private var tallies: [MessageTally] = []

    init(capacity: Int) {
        numbers = Dictionary(minimumCapacity: capacity)
        ips.reserveCapacity(capacity)
        tallies.reserveCapacity(capacity)
    }

    var count: Int { ips.count }

    /// Counts the record toward its source IP; the IP's number.
    mutating func add(_ record: ReportRecord) -> Int {
        let number = numbers.value(of: record.sourceIP, orInserting: ips.count)
        if number == ips.count {
            ips.append(record.sourceIP)
            tallies.append(MessageTally())
        }
        tallies[number].add(record)
        return number
    }

    func ip(of number: Int) -> String { ips[number] }
    func tally(of number: Int) -> MessageTally { tallies[number] }
}

/// The totals of one sender while its records are added.
private struct SenderAccumulator {
    var tally = MessageTally()
    /// Its source IPs, by number (see `SourceNumbers`).
    var sources: [Int] = []
    var forwardedMessages = 0
    /// Messages without an aligned DKIM signature, by why not.
    var unalignedSignatureMessages = 0
    var unalignedSignatures: [String: Int] = [:]
    var unsignedMessages = 0
    var unalignedReturnPathMessages = 0
    var unalignedReturnPaths: [String: Int] = [:]
    var signingDomains: [String: Int] = [:]
    var envelopeDomains: [String: Int] = [:]

    /// A source IP of the sender, with the total of all its records.
    mutating func add(source: Int, _ sourceTally: MessageTally) {
        sources.append(source)
        tally.add(sourceTally)
    }

    /// `count` messages of records like `record`, which has this evidence.
    mutating func add(_ count: Int, like record: ReportRecord, _ evidence: RecordEvidence) {
        if evidence.looksForwarded(record) { forwardedMessages += count }
        let signers = evidence.signers
        for domain in signers { signingDomains[domain, default: 0] += count }
        for domain in evidence.envelopes { envelopeDomains[domain, default: 0] += count }

        guard record.dkimAligned != .pass else { return }
        if signers.isEmpty {
            unsignedMessages += count
        } else {
            unalignedSignatureMessages += count
            for domain in signers { unalignedSignatures[domain, default: 0] += count }
        }
        let returnPaths = evidence.returnPaths
        if record.spfAligned != .pass && !returnPaths.isEmpty {
            unalignedReturnPathMessages += count
            for domain in returnPaths { unalignedReturnPaths[domain, default: 0] += count }
        }
    }

    /// Another sender's records; the two have no source IP in common.
    mutating func merge(_ other: SenderAccumulator) {
        tally.add(other.tally)
        sources += other.sources
        forwardedMessages += other.forwardedMessages
        unalignedSignatureMessages += other.unalignedSignatureMessages
        unalignedSignatures.merge(other.unalignedSignatures, uniquingKeysWith: +)
        unsignedMessages += other.unsignedMessages
        unalignedReturnPathMessages += other.unalignedReturnPathMessages
        unalignedReturnPaths.merge(other.unalignedReturnPaths, uniquingKeysWith: +)
        signingDomains.merge(other.signingDomains, uniquingKeysWith: +)
        envelopeDomains.merge(other.envelopeDomains, uniquingKeysWith: +)
    }

    func share(_ messages: Int) -> Double {
        tally.messages > 0 ? Double(messages) / Double(tally.messages) : 0
    }
}

extension SenderMatch {
    fileprivate var domain: String {
        switch self {
        case .dkimDomain(let domain), .spfDomain(let domain), .envelopeFrom(let domain): domain
        case .dkimSelector(_, let domain): domain
        }
    }
}

extension Dictionary where Value == Int {
    /// The number stored for `key`, or `next` once it is stored for it: one lookup either way
    /// (the defaulting subscript stores its default when it is accessed for change).
    fileprivate mutating func value(of key: Key, orInserting next: Int) -> Int {
        func read(_ stored: inout Int) -> Int { stored }
        return read(&self[key, default: next])
    }

    /// The number stored for `key`, or `make()`'s once it is stored for it: one lookup either way.
    fileprivate mutating func value(of key: Key, orMaking make: () -> Int) -> Int {
        func resolve(_ stored: inout Int) -> Int {
            if stored < 0 { stored = make() }
            return stored
        }
        return resolve(&self[key, default: -1])
    }
}
