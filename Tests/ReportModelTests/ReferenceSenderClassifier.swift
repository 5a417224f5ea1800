@testable import ReportModel

// Sender classification as plainly as it can be written: every record judged on its own,
// every sender a table of its own, small suspects merged into the unknown senders at the end.
// Kept only as the reference the differential tests compare `SenderClassifier` against; the
// rules are those of `SenderClassifier`'s documentation.

/// Classifies records one by one, like `SenderClassifier`.
struct ReferenceSenderClassifier {
    let catalog: SenderCatalog
    let publicSuffixes: PublicSuffixList

    func classify(_ records: [ReportRecord], for domain: String, otherClientDomains: [String] = []) -> [SenderSummary] {
        let client = Client(domain: domain, others: otherClientDomains, publicSuffixes: publicSuffixes)
        var votes: [String: [(identity: SenderIdentity, messages: Int)]] = [:]
        var matches: [SenderIdentity: [SenderMatch: Int]] = [:]
        var judged: [(record: ReportRecord, evidence: Evidence)] = []
        for record in records where record.count > 0 {
            let evidence = Evidence(record)
            judged.append((record, evidence))
            guard let identification = identify(evidence, client) else { continue }
            let (identity, match) = identification
            var ofSource = votes[record.sourceIP, default: []]
            if let known = ofSource.firstIndex(where: { $0.identity == identity }) {
                ofSource[known].messages += record.count
            } else {
                ofSource.append((identity, record.count))
            }
            votes[record.sourceIP] = ofSource
            if let match { matches[identity, default: [:]][match, default: 0] += record.count }
        }
        // Each source IP goes to the identity with most of its messages, then by identity.
        let identityOfSource = votes.mapValues { ofSource in
            ofSource.max { Self.precedes(($1.identity, $1.messages), ($0.identity, $0.messages)) }?.identity ?? .unknown
        }
        var senders: [SenderIdentity: Sender] = [:]
        for (record, evidence) in judged {
            senders[identityOfSource[record.sourceIP] ?? .unknown, default: Sender()].add(record, evidence)
        }
        let allMessages = senders.values.reduce(0) { $0 + $1.tally.messages }
        for (identity, sender) in senders where isMinorSuspect(identity, sender, of: allMessages) {
            senders[identity] = nil
            senders[.unknown, default: Sender()].merge(sender)
        }
        return senders.map { identity, sender in
            summary(identity, sender, recognisedBy: matches[identity].flatMap(Self.mostFrequent), client)
        }.sorted {
            ($1.messages, $0.name.lowercased(), Self.sortKey($0.identity))
                < ($0.messages, $1.name.lowercased(), Self.sortKey($1.identity))
        }
    }

    // MARK: Identifying a record

    private func identify(_ evidence: Evidence, _ client: Client) -> (SenderIdentity, SenderMatch?)? {
        for domain in evidence.spfPassDomains {
            if let sender = catalog.sender(forDomain: domain) { return (.known(sender), .spfDomain(domain)) }
        }
        if let envelope = evidence.vouchedEnvelopeDomain, let sender = catalog.sender(forDomain: envelope) {
            return (.known(sender), .envelopeFrom(envelope))
        }
        if evidence.looksForwarded {
            for signature in evidence.dkimPasses {
                if let sender = catalog.sender(forDomain: signature.domain), sender.category == .forwarder {
                    return (.known(sender), .dkimDomain(signature.domain))
                }
            }
            return (.forwarded, evidence.dkimPasses.first { client.owns($0.domain) }.map { .dkimDomain($0.domain) })
        }
        for signature in evidence.dkimPasses {
            if let sender = catalog.sender(forDomain: signature.domain) { return (.known(sender), .dkimDomain(signature.domain)) }
        }
        for signature in evidence.dkimPasses where client.owns(signature.domain) {
            if let selector = signature.selector, let sender = catalog.sender(forSelector: selector) {
                return (.known(sender), .dkimSelector(selector: selector, domain: signature.domain))
            }
        }
        let candidates: [(domain: String, match: SenderMatch)] = evidence.spfPassDomains.map { ($0, .spfDomain($0)) }
            + (evidence.vouchedEnvelopeDomain.map { [($0, .envelopeFrom($0))] } ?? [])
            + evidence.dkimPasses.map { ($0.domain, .dkimDomain($0.domain)) }
        if let thirdParty = candidates.first(where: { !client.owns($0.domain) }) {
            let organisational = publicSuffixes.organisationalDomain(of: thirdParty.domain) ?? thirdParty.domain
            return (.unlisted(organisationalDomain: organisational), thirdParty.match)
        }
        return candidates.first.map { (.ownInfrastructure, $0.match) }
    }

    // MARK: Judging a sender

    private func summary(_ identity: SenderIdentity, _ sender: Sender, recognisedBy: SenderMatch?, _ client: Client) -> SenderSummary {
        let (name, category): (String, SenderCategory?) = switch identity {
        case .known(let known): (known.name, known.category)
        case .unlisted(let domain): (domain, nil)
        case .ownInfrastructure: (client.primary, nil)
        case .forwarded: ("Forwarded mail", nil)
        case .unknown: ("Unknown senders", nil)
        }
        return SenderSummary(
            identity: identity, name: name, category: category, verdict: verdict(identity, sender), tally: sender.tally,
            sources: sender.sources.map { SenderSource(ip: $0.key, tally: $0.value) }
                .sorted { ($1.tally.messages, $0.ip) < ($0.tally.messages, $1.ip) },
            recognisedBy: recognisedBy,
            signingDomains: Self.byMessages(sender.signingDomains), envelopeDomains: Self.byMessages(sender.envelopeDomains))
    }

    private func verdict(_ identity: SenderIdentity, _ sender: Sender) -> SenderVerdict {
        switch identity {
        case .forwarded: return .forwarder
        case .known(let known) where known.category == .forwarder: return .forwarder
        default: break
        }
        if sender.share(sender.tally.dkimAligned) >= SenderClassifier.alignedShare { return .authorisedAligned }
        if sender.share(sender.forwardedMessages) >= SenderClassifier.forwardedShare { return .forwarder }
        let authorised = switch identity {
        case .known, .ownInfrastructure: true
        case .unlisted, .unknown, .forwarded: sender.share(sender.tally.dmarcPass) >= SenderClassifier.vouchedShare
        }
        return authorised ? .authorisedMisaligned(fix: fixes(sender)) : .unknownSuspicious
    }

    private func isMinorSuspect(_ identity: SenderIdentity, _ sender: Sender, of allMessages: Int) -> Bool {
        guard case .unlisted = identity, verdict(identity, sender) == .unknownSuspicious else { return false }
        let share = allMessages > 0 ? Double(sender.tally.messages) / Double(allMessages) : 0
        return sender.sources.count < SenderClassifier.namedUnlistedMinimumSources
            && share < SenderClassifier.namedUnlistedMinimumShare
    }

    private func fixes(_ sender: Sender) -> [SenderFix] {
        let candidates: [(fix: SenderFix, messages: Int)] = [
            (.dkimNotAligned(signingDomains: Self.byMessages(sender.unalignedSignatures)), sender.unalignedSignatureMessages),
            (.dkimMissing, sender.unsignedMessages),
            (.spfNotAligned(envelopeDomains: Self.byMessages(sender.unalignedReturnPaths)), sender.unalignedReturnPathMessages),
        ].filter { $0.messages > 0 }
        let ranked = candidates.enumerated()
            .sorted { ($1.element.messages, $0.offset) < ($0.element.messages, $1.offset) }
            .map(\.element)
        let significant = ranked.filter { sender.share($0.messages) >= SenderClassifier.fixShare }
        return (significant.isEmpty ? Array(ranked.prefix(1)) : significant).map(\.fix)
    }

    // MARK: Ordering

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

/// The client's domains as organisational domains.
private struct Client {
    let primary: String
    let organisational: Set<String>
    let publicSuffixes: PublicSuffixList

    init(domain: String, others: [String], publicSuffixes: PublicSuffixList) {
        func organisationalDomain(_ name: String) -> String {
            let normalized = DomainName.normalized(name)
            return publicSuffixes.organisationalDomain(of: normalized) ?? normalized
        }
        primary = organisationalDomain(domain)
        organisational = Set([primary] + others.map(organisationalDomain))
        self.publicSuffixes = publicSuffixes
    }

    func owns(_ domain: String) -> Bool {
        let normalized = DomainName.normalized(domain)
        return organisational.contains(publicSuffixes.organisationalDomain(of: normalized) ?? normalized)
    }
}

/// What one record's authentication vouched for.
private struct Evidence {
    var dkimPasses: [(domain: String, selector: String?)] = []
    var spfPassDomains: [String] = []
    var returnPathPassDomains: [String] = []
    var vouchedEnvelopeDomain: String?
    var looksForwarded = false

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
        if !spfPassDomains.isEmpty, let raw = record.envelopeFrom {
            let normalized = DomainName.normalized(raw)
            let envelope = normalized.split(separator: "@", omittingEmptySubsequences: false).last.map(String.init) ?? normalized
            if !envelope.isEmpty { vouchedEnvelopeDomain = envelope }
        }
        let receiverSaysForwarded = record.overrideReasons.contains { reason in
            switch reason.type {
            case .forwarded, .mailingList, .trustedForwarder: true
            case .localPolicy: reason.comment?.lowercased().contains("arc") == true
            default: false
            }
        }
        let signatureSurvivedSPFDidNot = returnPathPassDomains.isEmpty && record.dkimAligned == .pass
        looksForwarded = record.spfAligned != .pass && (receiverSaysForwarded || signatureSurvivedSPFDidNot)
    }

    /// Each name once, in order.
    static func distinct(_ names: [String]) -> [String] {
        names.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }
}

/// The totals of one sender.
private struct Sender {
    var tally = MessageTally()
    var sources: [String: MessageTally] = [:]
    var forwardedMessages = 0
    var unalignedSignatureMessages = 0
    var unalignedSignatures: [String: Int] = [:]
    var unsignedMessages = 0
    var unalignedReturnPathMessages = 0
    var unalignedReturnPaths: [String: Int] = [:]
    var signingDomains: [String: Int] = [:]
    var envelopeDomains: [String: Int] = [:]

    mutating func add(_ record: ReportRecord, _ evidence: Evidence) {
        tally.add(record)
        sources[record.sourceIP, default: MessageTally()].add(record)
        let count = record.count
        if evidence.looksForwarded { forwardedMessages += count }
        let signers = Evidence.distinct(evidence.dkimPasses.map(\.domain))
        for domain in signers { signingDomains[domain, default: 0] += count }
        let envelopes = Evidence.distinct(evidence.spfPassDomains + [evidence.vouchedEnvelopeDomain].compactMap { $0 })
        for domain in envelopes { envelopeDomains[domain, default: 0] += count }
        guard record.dkimAligned != .pass else { return }
        if signers.isEmpty {
            unsignedMessages += count
        } else {
            unalignedSignatureMessages += count
            for domain in signers { unalignedSignatures[domain, default: 0] += count }
        }
        let returnPaths = Evidence.distinct(evidence.returnPathPassDomains)
        if record.spfAligned != .pass && !returnPaths.isEmpty {
            unalignedReturnPathMessages += count
            for domain in returnPaths { unalignedReturnPaths[domain, default: 0] += count }
        }
    }

    mutating func merge(_ other: Sender) {
        tally.add(other.tally)
        sources.merge(other.sources) { mine, _ in mine }
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

/// The Public Suffix List as plainly as it can be written: three sets of rules, and a name's
/// suffixes tried longest first.
struct ReferencePublicSuffixList {
    private var plain: Set<String> = []
    private var wildcardParents: Set<String> = []
    private var exceptions: Set<String> = []

    init(listText: String) {
        for line in listText.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            guard let word = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).first,
                  !word.hasPrefix("//"), let rule = Self.asciiName(String(word))
            else { continue }
            if rule.hasPrefix("!") {
                exceptions.insert(String(rule.dropFirst()))
            } else if rule.hasPrefix("*.") {
                wildcardParents.insert(String(rule.dropFirst(2)))
            } else {
                plain.insert(rule)
            }
        }
    }

    func publicSuffix(of domain: String) -> String? {
        labels(of: domain).map { $0[suffixStart($0)...].joined(separator: ".") }
    }

    func organisationalDomain(of domain: String) -> String? {
        guard let labels = labels(of: domain) else { return nil }
        let start = suffixStart(labels)
        return start > 0 ? labels[(start - 1)...].joined(separator: ".") : nil
    }

    func isPublicSuffix(_ domain: String) -> Bool {
        labels(of: domain).map { suffixStart($0) == 0 } ?? false
    }

    private func suffixStart(_ labels: [String]) -> Int {
        let suffixes = labels.indices.map { labels[$0...].joined(separator: ".") }
        if let exception = suffixes.firstIndex(where: exceptions.contains) { return exception + 1 }
        for index in suffixes.indices {
            if plain.contains(suffixes[index]) || (index + 1 < suffixes.count && wildcardParents.contains(suffixes[index + 1])) {
                return index
            }
        }
        return suffixes.count - 1
    }

    private func labels(of domain: String) -> [String]? {
        guard let name = Self.asciiName(DomainName.normalized(domain)), !name.isEmpty else { return nil }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        return labels.contains(where: \.isEmpty) ? nil : labels
    }

    private static func asciiName(_ name: String) -> String? {
        var result: [String] = []
        for label in name.lowercased().split(separator: ".", omittingEmptySubsequences: false) {
            if label.unicodeScalars.allSatisfy(\.isASCII) {
                result.append(String(label))
            } else if let encoded = Punycode.encode(String(label)) {
                result.append("xn--" + encoded)
            } else {
                return nil
            }
        }
        return result.joined(separator: ".")
    }
}
