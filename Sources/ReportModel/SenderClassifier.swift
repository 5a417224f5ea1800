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
        let client = ClientDomains(domain: domain, others: otherClientDomains, publicSuffixes: publicSuffixes)
        let judged = records.withUnsafeBufferPointer { judge($0, client) }
        return senders(judged, client)
    }

    // MARK: Judging records

    /// Judges each record with messages and numbers its source IP.
    ///
    /// A month repeats the same authentication results across days and IPs, and what a record
    /// says about its sender depends only on what passed (see `Evidence`), so each distinct
    /// evidence is judged once: spoofers' records whose claims all failed share one judgement
    /// however many throwaway domains they name. A record like the one before needs no lookup,
    /// and records read from the archive share their result lists: the lists' storage finds a
    /// judgement made before without reading their strings.
    ///
    /// Records are read where they are, field by field: a copy of one retains all of its
    /// strings and lists.
    private func judge(_ records: UnsafeBufferPointer<ReportRecord>, _ client: ClientDomains) -> JudgedRecords {
        var judged = JudgedRecords(capacity: records.count)
        guard let first = records.baseAddress else { return judged }
        // A month has a few distinct lists per record or less: room for them is made once.
        var judgementOfLists: [SharedAuthentication: Int] = Dictionary(minimumCapacity: records.count / 2)
        var judgementOfEvidence: [Evidence: Int] = Dictionary(minimumCapacity: records.count / 4)
        // Read into again for each record looked up; its lists are new only after one is stored.
        var evidence = Evidence()
        func judgementByEvidence(of record: UnsafePointer<ReportRecord>) -> Int {
            evidence.read(record)
            let judgement = judgementOfEvidence.value(of: evidence, orInserting: judged.judgements.count)
            if judgement == judged.judgements.count {
                let made = self.judgement(of: evidence, &judged, client)
                judged.judgements.append(made)
            }
            return judgement
        }
        var previous: (record: UnsafePointer<ReportRecord>, judgement: Int)?
        for index in records.indices where records[index].count > 0 {
            let record = first + index
            let judgement: Int
            if let previous, SharedAuthentication.alike(record, previous.record) {
                judgement = previous.judgement
            } else {
                judgement = judgementOfLists.value(
                    of: SharedAuthentication(record), orMaking: { judgementByEvidence(of: record) })
            }
            previous = (record, judgement)
            let source = judged.sources.add(record)
            judged.observed.append(Observation(judgement: judgement, source: source, count: record.pointee.count))
        }
        return judged
    }

    private func judgement(of evidence: Evidence, _ judged: inout JudgedRecords, _ client: ClientDomains) -> Judgement {
        let identification = identify(evidence, client)
        let signers = judged.domains.count
        judged.domains.appendDistinct(evidence.signatures.lazy.map(\.domain), after: signers)
        let envelopes = judged.domains.count
        judged.domains.appendDistinct(evidence.spfPasses.lazy.map(\.domain), after: envelopes)
        if let envelope = evidence.vouchedEnvelopeDomain { judged.domains.appendDistinct(CollectionOfOne(envelope), after: envelopes) }
        let returnPaths = judged.domains.count
        judged.domains.appendDistinct(evidence.spfPasses.lazy.filter { !$0.isHelo }.map(\.domain), after: returnPaths)
        return Judgement(
            identity: identification.map { judged.identities.number(of: $0.identity) },
            match: identification?.match,
            looksForwarded: evidence.looksForwarded, dkimAligned: evidence.dkimAligned, spfAligned: evidence.spfAligned,
            signers: signers..<envelopes, envelopes: envelopes..<returnPaths, returnPaths: returnPaths..<judged.domains.count)
    }

    // MARK: Identifying a record

    private struct Identification {
        var identity: IdentityKey
        var match: SenderMatch?
    }

    private func identify(_ evidence: Evidence, _ client: ClientDomains) -> Identification? {
        // SPF says the IP may send for the domain: the strongest hint at who runs it.
        for pass in evidence.spfPasses {
            if let sender = catalog.index(forDomain: pass.domain) {
                return Identification(identity: .known(sender), match: .spfDomain(pass.domain))
            }
        }
        // The envelope_from is often a domain SPF passed for, looked up just now.
        if let envelope = evidence.vouchedEnvelopeDomain, !evidence.spfPasses.contains(where: { $0.domain == envelope }),
           let sender = catalog.index(forDomain: envelope) {
            return Identification(identity: .known(sender), match: .envelopeFrom(envelope))
        }
        // A forwarded copy keeps the signatures of whoever wrote it: they do not name the relay.
        if evidence.looksForwarded {
            for signature in evidence.signatures {
                if let sender = catalog.index(forDomain: signature.domain), catalog.senders[sender].category == .forwarder {
                    return Identification(identity: .known(sender), match: .dkimDomain(signature.domain))
                }
            }
            let signature = evidence.signatures.first { client.owns($0.domain) }
            return Identification(identity: .forwarded, match: signature.map { .dkimDomain($0.domain) })
        }
        for signature in evidence.signatures {
            if let sender = catalog.index(forDomain: signature.domain) {
                return Identification(identity: .known(sender), match: .dkimDomain(signature.domain))
            }
        }
        for signature in evidence.signatures where client.owns(signature.domain) {
            if let selector = signature.selector, let sender = catalog.index(forSelector: selector) {
                return Identification(
                    identity: .known(sender), match: .dkimSelector(selector: selector, domain: signature.domain))
            }
        }
        // The candidates in order: domains SPF passed for, the vouched envelope_from, signing domains.
        var firstCandidate: SenderMatch?
        func thirdParty(_ domain: String, _ match: @autoclosure () -> SenderMatch) -> Identification? {
            let match = match()
            firstCandidate = firstCandidate ?? match
            guard !client.owns(domain) else { return nil }
            let organisational = publicSuffixes.organisationalDomain(of: domain) ?? domain
            return Identification(identity: .unlisted(organisational), match: match)
        }
        for pass in evidence.spfPasses {
            if let found = thirdParty(pass.domain, .spfDomain(pass.domain)) { return found }
        }
        if let envelope = evidence.vouchedEnvelopeDomain, let found = thirdParty(envelope, .envelopeFrom(envelope)) {
            return found
        }
        for signature in evidence.signatures {
            if let found = thirdParty(signature.domain, .dkimDomain(signature.domain)) { return found }
        }
        return firstCandidate.map { Identification(identity: .ownInfrastructure, match: $0) }
    }

    // MARK: Grouping sources into senders

    /// The senders of the judged records: each source IP goes to the identity with most of its
    /// messages, small unlisted suspects join the unknown senders, then each sender's totals
    /// are added up. Which identities are folded is decided from their totals alone, so only
    /// the senders that remain keep tables of domains and identifiers.
    private func senders(_ judged: JudgedRecords, _ client: ClientDomains) -> [SenderSummary] {
        var numbers = judged.identities
        let unknown = numbers.number(of: .unknown)
        let identities = (0..<numbers.count).map { numbers.identity($0, in: catalog) }
        let judgements = judged.judgements
        let sources = judged.sources

        var votes = SourceVotes(sources: sources.count)
        var messagesOfJudgement = [Int](repeating: 0, count: judgements.count)
        for item in judged.observed {
            messagesOfJudgement[item.judgement] += item.count
            if let identity = judgements[item.judgement].identity {
                votes.add(item.count, for: identity, from: item.source)
            }
        }
        let ownerOfSource = (0..<sources.count).map { source in
            votes.winner(of: source) { Self.precedes((identities[$0.identity], $0.messages), (identities[$1.identity], $1.messages)) }
                ?? unknown
        }

        // What decides whether an identity is folded: its totals, sources and forwarded messages.
        var tallies = [MessageTally](repeating: MessageTally(), count: identities.count)
        var sourceCounts = [Int](repeating: 0, count: identities.count)
        for source in 0..<sources.count {
            tallies[ownerOfSource[source]].add(sources.tally(of: source))
            sourceCounts[ownerOfSource[source]] += 1
        }
        // Each sender's records by judgement: what a record adds to its sender depends only on
        // its judgement and its count, so it is added once per judgement with all its messages.
        var messagesOfPair: [Int: Int] = Dictionary(minimumCapacity: judgements.count)
        for item in judged.observed {
            messagesOfPair[ownerOfSource[item.source] * judgements.count + item.judgement, default: 0] += item.count
        }
        var forwardedMessages = [Int](repeating: 0, count: identities.count)
        for (pair, messages) in messagesOfPair where judgements[pair % judgements.count].looksForwarded {
            forwardedMessages[pair / judgements.count] += messages
        }
        let allMessages = tallies.reduce(0) { $0 + $1.messages }
        let senderOfIdentity = (0..<identities.count).map { identity in
            isMinorSuspect(identities[identity], tallies[identity], sources: sourceCounts[identity],
                           forwardedMessages: forwardedMessages[identity], of: allMessages) ? unknown : identity
        }

        // A sender is an identity left with source IPs.
        var accumulators = [SenderAccumulator](repeating: SenderAccumulator(), count: identities.count)
        for source in 0..<sources.count {
            accumulators[senderOfIdentity[ownerOfSource[source]]].add(source: source, sources.tally(of: source))
        }
        // The unknown senders gather the throwaway domains of many spoofers: their tables are
        // made at their largest size first rather than grown again and again.
        var domainEntries = [(signing: Int, envelope: Int)](repeating: (0, 0), count: identities.count)
        for pair in messagesOfPair.keys {
            let judgement = judgements[pair % judgements.count]
            let sender = senderOfIdentity[pair / judgements.count]
            domainEntries[sender].signing += judgement.signers.count
            domainEntries[sender].envelope += judgement.envelopes.count
        }
        for identity in accumulators.indices {
            accumulators[identity].reserveDomains(signing: domainEntries[identity].signing, envelope: domainEntries[identity].envelope)
        }
        for (pair, messages) in messagesOfPair {
            accumulators[senderOfIdentity[pair / judgements.count]]
                .add(messages, like: judgements[pair % judgements.count], domains: judged.domains)
        }
        // The identifiers that recognised each remaining sender (all messages of its judgements,
        // wherever their source IPs went); a folded identity's are left out.
        var matches = [[SenderMatch: Int]](repeating: [:], count: identities.count)
        for (judgement, messages) in zip(judgements, messagesOfJudgement) {
            guard let identity = judgement.identity, let match = judgement.match,
                  senderOfIdentity[identity] == identity, !accumulators[identity].sources.isEmpty else { continue }
            matches[identity][match, default: 0] += messages
        }
        // Most messages first, then by name and identity; each key made once.
        return accumulators.indices.filter { !accumulators[$0].sources.isEmpty }.map { identity in
            let sender = summary(identities[identity], accumulators[identity], sources: sources,
                                 recognisedBy: Self.mostFrequent(matches[identity]), client)
            return (sender: sender, name: sender.name.lowercased(), identity: Self.sortKey(sender.identity))
        }.sorted {
            ($1.sender.messages, $0.name, $0.identity) < ($0.sender.messages, $1.name, $1.identity)
        }.map(\.sender)
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
            sources: sources.sorted(accumulated.sources).map { SenderSource(ip: sources.ip(of: $0), tally: sources.tally(of: $0)) },
            recognisedBy: recognisedBy,
            signingDomains: Self.byMessages(accumulated.signingDomains),
            envelopeDomains: Self.byMessages(accumulated.envelopeDomains))
    }

    private func verdict(_ identity: SenderIdentity, _ sender: SenderAccumulator) -> SenderVerdict {
        switch standing(identity, sender.tally, forwardedMessages: sender.forwardedMessages) {
        case .forwarder: .forwarder
        case .aligned: .authorisedAligned
        case .misaligned: .authorisedMisaligned(fix: fixes(sender))
        case .suspicious: .unknownSuspicious
        }
    }

    /// The verdict without its fixes, which need the sender's domains: its totals decide it.
    private enum Standing { case forwarder, aligned, misaligned, suspicious }

    private func standing(_ identity: SenderIdentity, _ tally: MessageTally, forwardedMessages: Int) -> Standing {
        switch identity {
        case .forwarded: return .forwarder
        case .known(let known) where known.category == .forwarder: return .forwarder
        default: break
        }
        if Self.share(tally.dkimAligned, of: tally) >= Self.alignedShare { return .aligned }
        if Self.share(forwardedMessages, of: tally) >= Self.forwardedShare { return .forwarder }
        let authorised = switch identity {
        case .known, .ownInfrastructure: true
        case .unlisted, .unknown, .forwarded: Self.share(tally.dmarcPass, of: tally) >= Self.vouchedShare
        }
        return authorised ? .misaligned : .suspicious
    }

    private func isMinorSuspect(
        _ identity: SenderIdentity, _ tally: MessageTally, sources: Int, forwardedMessages: Int, of allMessages: Int
    ) -> Bool {
        guard case .unlisted = identity, standing(identity, tally, forwardedMessages: forwardedMessages) == .suspicious
        else { return false }
        let share = allMessages > 0 ? Double(tally.messages) / Double(allMessages) : 0
        return sources < Self.namedUnlistedMinimumSources && share < Self.namedUnlistedMinimumShare
    }

    private static func share(_ messages: Int, of tally: MessageTally) -> Double {
        tally.messages > 0 ? Double(messages) / Double(tally.messages) : 0
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
        let significant = ranked.filter { Self.share($0.messages, of: sender.tally) >= Self.fixShare }
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

/// What the judging of one month's records leaves for grouping them into senders.
private struct JudgedRecords {
    var judgements: [Judgement] = []
    /// The judgements' domain lists, one after the other (see `Judgement`).
    var domains: [String] = []
    var identities: SenderIdentityNumbers
    var sources: SourceNumbers
    /// Each record with messages, in order.
    var observed: [Observation] = []

    init(capacity: Int) {
        identities = SenderIdentityNumbers(capacity: capacity / 8)
        sources = SourceNumbers(capacity: capacity / 2)
        observed.reserveCapacity(capacity)
    }
}

/// A record by its judgement and its source IP's number.
private struct Observation {
    var judgement: Int
    var source: Int
    var count: Int
}

/// What one distinct evidence says: the identity it names and what each record of it adds to
/// its sender.
private struct Judgement {
    /// The number of the identification's identity; nil when nothing authenticated.
    var identity: Int?
    var match: SenderMatch?
    var looksForwarded: Bool
    var dkimAligned: Bool
    var spfAligned: Bool
    /// In `JudgedRecords.domains`: the distinct domains of passing signatures; of the domains
    /// SPF passed for and the vouched envelope_from; of the domains SPF passed for as the MAIL FROM.
    var signers: Range<Int>
    var envelopes: Range<Int>
    var returnPaths: Range<Int>
}

extension [String] {
    /// Appends each of the names not yet among those from `start` on (a judgement has a few:
    /// a list, not a set).
    fileprivate mutating func appendDistinct(_ names: some Sequence<String>, after start: Int) {
        for name in names where !self[start...].contains(name) { append(name) }
    }
}

/// An identity as the classifier numbers it: a catalog sender by its index, so that no
/// `KnownSender` is hashed.
private enum IdentityKey: Hashable {
    case known(Int)
    case unlisted(String)
    case ownInfrastructure
    case forwarded
    case unknown
}

/// Numbers the identities met while one month is classified, so that per-record counting
/// works with a number instead of an identity.
private struct SenderIdentityNumbers {
    private var identities: [IdentityKey] = []
    private var numbers: [IdentityKey: Int]

    init(capacity: Int) {
        numbers = Dictionary(minimumCapacity: capacity)
    }

    var count: Int { identities.count }

    mutating func number(of identity: IdentityKey) -> Int {
        let number = numbers.value(of: identity, orInserting: identities.count)
        if number == identities.count { identities.append(identity) }
        return number
    }

    func identity(_ number: Int, in catalog: SenderCatalog) -> SenderIdentity {
        switch identities[number] {
        case .known(let index): .known(catalog.senders[index])
        case .unlisted(let domain): .unlisted(organisationalDomain: domain)
        case .ownInfrastructure: .ownInfrastructure
        case .forwarded: .forwarded
        case .unknown: .unknown
        }
    }
}

/// The client's domains as organisational domains: what "the client's own" means.
private struct ClientDomains {
    let primary: String
    let organisational: Set<String>
    let publicSuffixes: PublicSuffixList
    /// Whether every name of `organisational` is ASCII, which `owns` needs to rule names out by
    /// their bytes.
    private let organisationalIsASCII: Bool

    init(domain: String, others: [String], publicSuffixes: PublicSuffixList) {
        func organisationalDomain(_ name: String) -> String {
            let normalized = DomainName.normalized(name)
            return publicSuffixes.organisationalDomain(of: normalized) ?? normalized
        }
        primary = organisationalDomain(domain)
        organisational = Set([primary] + others.map(organisationalDomain))
        organisationalIsASCII = organisational.allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } }
        self.publicSuffixes = publicSuffixes
    }

    func owns(_ domain: String) -> Bool {
        let normalized = DomainName.normalized(domain)
        // Most names a client sees are others': a lower-case ASCII name has its organisational
        // domain among its own labels (itself or a parent), so a name below none of the
        // client's is not its own, and needs no public suffix lookup.
        if organisationalIsASCII, Self.isLowercaseASCII(normalized),
           !organisational.contains(where: { Self.isSelfOrParent($0, of: normalized) }) {
            return false
        }
        return organisational.contains(publicSuffixes.organisationalDomain(of: normalized) ?? normalized)
    }

    /// The names `DomainName.normalized` keeps as they are and `PublicSuffixList` splits into
    /// labels as they are.
    private static func isLowercaseASCII(_ name: String) -> Bool {
        name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !($0 >= 0x41 && $0 <= 0x5A) }
    }

    /// `name` is `ancestor` or ends in `.ancestor`, byte by byte.
    private static func isSelfOrParent(_ ancestor: String, of name: String) -> Bool {
        let suffix = ancestor.utf8, bytes = name.utf8
        guard bytes.count >= suffix.count, bytes.reversed().starts(with: suffix.reversed()) else { return false }
        return bytes.count == suffix.count
            || bytes[bytes.index(bytes.endIndex, offsetBy: -suffix.count - 1)] == UInt8(ascii: ".")
    }
}

/// A record's authentication results with its lists named by their storage. Lists with the
/// same storage are equal, so records equal here have equal evidence (the converse need not
/// hold: a list with storage of its own is looked up by its `Evidence`). Storage stands for
/// content only while the lists are alive, as the records being classified are.
private struct SharedAuthentication: Hashable {
    var dkimResults: UnsafeRawPointer?
    var spfResults: UnsafeRawPointer?
    var overrideReasons: UnsafeRawPointer?
    var envelopeFrom: String?
    var dkimAligned: PolicyResult
    var spfAligned: PolicyResult

    init(_ record: UnsafePointer<ReportRecord>) {
        dkimResults = Self.storage(record.pointee.dkimResults)
        spfResults = Self.storage(record.pointee.spfResults)
        overrideReasons = Self.storage(record.pointee.overrideReasons)
        envelopeFrom = record.pointee.envelopeFrom
        dkimAligned = record.pointee.dkimAligned
        spfAligned = record.pointee.spfAligned
    }

    private static func storage<Element>(_ list: [Element]) -> UnsafeRawPointer? {
        list.withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) }
    }

    /// Whether the two records have equal authentication results, compared where they are.
    static func alike(_ a: UnsafePointer<ReportRecord>, _ b: UnsafePointer<ReportRecord>) -> Bool {
        a.pointee.dkimAligned == b.pointee.dkimAligned && a.pointee.spfAligned == b.pointee.spfAligned
            && a.pointee.envelopeFrom == b.pointee.envelopeFrom && a.pointee.dkimResults == b.pointee.dkimResults
            && a.pointee.spfResults == b.pointee.spfResults && a.pointee.overrideReasons == b.pointee.overrideReasons
    }
}

/// What a record's authentication vouched for, and how it aligned: records with equal evidence
/// are judged alike. Identifiers that did not pass are left out: anyone can claim them.
private struct Evidence: Hashable {
    /// Passing signatures, domains and selectors normalised.
    var signatures: [Signature] = []
    /// Domains SPF passed for, in either scope.
    var spfPasses: [SPFPass] = []
    /// The envelope_from, when some SPF check of the record passed: reporters put the HELO name
    /// in the SPF result now and then while envelope_from holds the MAIL FROM.
    var vouchedEnvelopeDomain: String?
    var looksForwarded = false
    var dkimAligned = false
    var spfAligned = false

    struct Signature: Hashable {
        var domain: String
        var selector: String?
    }

    struct SPFPass: Hashable {
        var domain: String
        /// A HELO pass never aligns: only a MAIL FROM (return-path) pass is a return path.
        var isHelo: Bool
    }

    /// Replaces this evidence with the record's (its lists keep their room).
    mutating func read(_ record: UnsafePointer<ReportRecord>) {
        signatures.removeAll(keepingCapacity: true)
        for result in record.pointee.dkimResults where result.result == .pass {
            let domain = DomainName.normalized(result.domain)
            guard !domain.isEmpty else { continue }
            signatures.append(Signature(
                domain: domain, selector: result.selector.map(DomainName.normalized).flatMap { $0.isEmpty ? nil : $0 }))
        }
        spfPasses.removeAll(keepingCapacity: true)
        var returnPathPassed = false
        for result in record.pointee.spfResults where result.result == .pass {
            let domain = DomainName.normalized(result.domain)
            guard !domain.isEmpty else { continue }
            let isHelo = result.scope.map(DomainName.normalized) == "helo"
            spfPasses.append(SPFPass(domain: domain, isHelo: isHelo))
            if !isHelo { returnPathPassed = true }
        }
        vouchedEnvelopeDomain = nil
        if !spfPasses.isEmpty, let envelope = record.pointee.envelopeFrom.map(Self.domainOfEnvelope), !envelope.isEmpty {
            vouchedEnvelopeDomain = envelope
        }
        dkimAligned = record.pointee.dkimAligned == .pass
        spfAligned = record.pointee.spfAligned == .pass
        // The receiver says it made an exception for a forward, or the client's signature
        // passed where SPF for the MAIL FROM did not (the relay is not in the client's SPF record).
        let signatureSurvivedSPFDidNot = !returnPathPassed && dkimAligned
        looksForwarded = !spfAligned
            && (Self.receiverSaysForwarded(record.pointee.overrideReasons) || signatureSurvivedSPFDidNot)
    }

    /// `local_policy` counts only when its comment names ARC: receivers also use it when they
    /// quarantine instead of reject, spoofed mail included.
    private static func receiverSaysForwarded(_ reasons: [OverrideReason]) -> Bool {
        reasons.contains { reason in
            switch reason.type {
            case .forwarded, .mailingList, .trustedForwarder: true
            case .localPolicy: reason.comment?.lowercased().contains("arc") == true
            default: false
            }
        }
    }

    /// envelope_from is a domain, but some reporters write the whole address.
    private static func domainOfEnvelope(_ raw: String) -> String {
        let normalized = DomainName.normalized(raw)
        // What follows the last `@`, found without a list of the parts. An ASCII name has no
        // character an `@` byte is part of.
        if normalized.utf8.allSatisfy({ $0 < 0x80 }) {
            return normalized.utf8.lastIndex(of: UInt8(ascii: "@")).map { String(normalized[normalized.utf8.index(after: $0)...]) }
                ?? normalized
        }
        return normalized.lastIndex(of: "@").map { String(normalized[normalized.index(after: $0)...]) } ?? normalized
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
    mutating func add(_ record: UnsafePointer<ReportRecord>) -> Int {
        let number = numbers.value(of: record.pointee.sourceIP, orInserting: ips.count)
        if number == ips.count {
            ips.append(record.pointee.sourceIP)
            tallies.append(MessageTally())
        }
        // What `MessageTally.add(_:)` counts, read in place: passing the record copies it.
        let count = record.pointee.count
        let dkimAligned = record.pointee.dkimAligned == .pass, spfAligned = record.pointee.spfAligned == .pass
        tallies[number].messages += count
        if dkimAligned || spfAligned { tallies[number].dmarcPass += count }
        if spfAligned { tallies[number].spfAligned += count }
        if dkimAligned { tallies[number].dkimAligned += count }
        tallies[number].disposition.add(record.pointee.disposition, count: count)
        return number
    }

    func ip(of number: Int) -> String { ips[number] }
    func tally(of number: Int) -> MessageTally { tallies[number] }

    /// Source numbers busiest first, then by address.
    func sorted(_ numbers: [Int]) -> [Int] {
        numbers.sorted { a, b in
            tallies[a].messages != tallies[b].messages ? tallies[a].messages > tallies[b].messages : ips[a] < ips[b]
        }
    }
}

/// The messages of each identity from each source IP, in the order the identities came: a
/// source usually has one, so they are kept in one list, each source's chained.
private struct SourceVotes {
    private var first: [Int]
    private var votes: [(identity: Int, messages: Int, next: Int)] = []

    init(sources: Int) {
        first = [Int](repeating: -1, count: sources)
        votes.reserveCapacity(sources)
    }

    mutating func add(_ messages: Int, for identity: Int, from source: Int) {
        var index = first[source]
        guard index >= 0 else {
            first[source] = votes.count
            votes.append((identity, messages, -1))
            return
        }
        while votes[index].identity != identity {
            guard votes[index].next >= 0 else {
                votes[index].next = votes.count
                votes.append((identity, messages, -1))
                return
            }
            index = votes[index].next
        }
        votes[index].messages += messages
    }

    /// The identity whose vote precedes the others' (the first of those that none precedes),
    /// nil for a source without votes.
    func winner(of source: Int, by precedes: ((identity: Int, messages: Int), (identity: Int, messages: Int)) -> Bool) -> Int? {
        var index = first[source]
        guard index >= 0 else { return nil }
        var best = (identity: votes[index].identity, messages: votes[index].messages)
        while votes[index].next >= 0 {
            index = votes[index].next
            let vote = (identity: votes[index].identity, messages: votes[index].messages)
            if precedes(vote, best) { best = vote }
        }
        return best.identity
    }
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

    /// Room for as many signing and envelope domains as its records will add at most.
    mutating func reserveDomains(signing: Int, envelope: Int) {
        if signing > 1 { signingDomains.reserveCapacity(signing) }
        if envelope > 1 { envelopeDomains.reserveCapacity(envelope) }
    }

    /// A source IP of the sender, with the total of all its records.
    mutating func add(source: Int, _ sourceTally: MessageTally) {
        sources.append(source)
        tally.add(sourceTally)
    }

    /// `count` messages of records of this judgement, whose domain lists are in `domains`.
    mutating func add(_ count: Int, like judgement: Judgement, domains: [String]) {
        if judgement.looksForwarded { forwardedMessages += count }
        let signers = domains[judgement.signers]
        for domain in signers { signingDomains[domain, default: 0] += count }
        for domain in domains[judgement.envelopes] { envelopeDomains[domain, default: 0] += count }

        guard !judgement.dkimAligned else { return }
        if signers.isEmpty {
            unsignedMessages += count
        } else {
            unalignedSignatureMessages += count
            for domain in signers { unalignedSignatures[domain, default: 0] += count }
        }
        let returnPaths = domains[judgement.returnPaths]
        if !judgement.spfAligned && !returnPaths.isEmpty {
            unalignedReturnPathMessages += count
            for domain in returnPaths { unalignedReturnPaths[domain, default: 0] += count }
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
