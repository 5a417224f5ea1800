import Foundation
import ReportModel
import Templating

/// What the domain page concludes from a month of records: who sends, whether the domain is
/// ready for a stricter policy, and how it stands against the mailbox providers' rules.
struct DomainAnalysis {
    /// Share of authorised mail that must pass DMARC before the next policy step.
    static let readyShare = 0.99
    static let almostReadyShare = 0.95
    /// The Google/Yahoo (Feb 2024) and Microsoft (May 2025) bulk-sender threshold, per day.
    static let bulkMessagesPerDay = 5_000
    /// Share of authorised mail that must meet a checklist rule to pass it.
    static let checklistShare = 0.98

    let domain: String
    let senders: [SenderSummary]
    let records: [ReportRecord]
    let stats: DomainMonth?

    init(domain: String, records: [ReportRecord], stats: DomainMonth?, classifier: SenderClassifier, otherDomains: [String]) {
        self.domain = domain
        self.records = records
        self.stats = stats
        senders = classifier.classify(records, for: domain, otherClientDomains: otherDomains)
    }

    /// With the senders already classified (see `ClientSenders`).
    init(domain: String, records: [ReportRecord], stats: DomainMonth?, senders: [SenderSummary]) {
        self.domain = domain
        self.records = records
        self.stats = stats
        self.senders = senders
    }

    /// Senders the client configures: known services, its own servers, third parties that pass.
    var authorisedSenders: [SenderSummary] {
        senders.filter {
            switch $0.verdict {
            case .authorisedAligned, .authorisedMisaligned: true
            case .forwarder, .unknownSuspicious: false
            }
        }
    }

    var authorisedTally: MessageTally {
        authorisedSenders.reduce(into: MessageTally()) { $0.add($1.tally) }
    }

    enum ReadinessLevel: String {
        case ready, almost, notReady = "not_ready", atStrongest = "strongest", noData = "no_data"
    }

    struct Readiness {
        var level: ReadinessLevel
        var alignedShare: Double?
        var current: PublishedPolicy?
        /// The policy to publish next; nil when the current one should stay.
        var next: String?
        var blockers: [SenderSummary]
    }

    var readiness: Readiness {
        let current = FindingsAnalyzer.dominantPolicy(stats)
        let tally = authorisedTally
        let blockers = authorisedSenders.filter { if case .authorisedMisaligned = $0.verdict { true } else { false } }
        guard let current, tally.messages > 0 else {
            return Readiness(level: .noData, alignedShare: nil, current: current, next: nil, blockers: blockers)
        }
        let share = Double(tally.dmarcPass) / Double(tally.messages)
        let step = Self.nextStep(after: current)
        let level: ReadinessLevel
        if step == nil { level = .atStrongest } else if share >= Self.readyShare { level = .ready } else if share >= Self.almostReadyShare { level = .almost } else { level = .notReady }
        return Readiness(level: level, alignedShare: share, current: current,
                         next: level == .ready ? step : nil, blockers: blockers)
    }

    /// none → quarantine at 25 % → quarantine → reject.
    static func nextStep(after policy: PublishedPolicy) -> String? {
        switch policy.p {
        case .reject:
            return nil
        case .quarantine:
            return (policy.pct ?? 100) < 100 ? "p=quarantine" : "p=reject"
        default:
            return "p=quarantine; pct=25"
        }
    }

    /// The TXT record to publish for the next step, keeping the tags reporters saw.
    func recordText(next: String, current: PublishedPolicy) -> String {
        var tags = ["v=DMARC1", next]
        if let sp = current.sp { tags.append("sp=\(sp)") }
        if let np = current.np { tags.append("np=\(np)") }
        if let adkim = current.adkim { tags.append("adkim=\(adkim)") }
        if let aspf = current.aspf { tags.append("aspf=\(aspf)") }
        tags.append("rua=mailto:…")
        return "_dmarc.\(domain). IN TXT \"\(tags.joined(separator: "; "))\""
    }

    enum Status: String {
        case pass, fail, unknown = "cannot_tell"
    }

    struct CheckItem {
        var key: String
        var status: Status
        var values: [String: String]
    }

    /// The rules of Google and Yahoo (February 2024) and Microsoft (May 2025) that the aggregate
    /// data can judge, on the mail of authorised senders.
    func checklist(format: LocaleFormatter) -> [CheckItem] {
        guard let stats, stats.tally.messages > 0 else {
            return ["dmarc_record", "policy", "spf_or_dkim", "aligned", "spf_and_dkim", "microsoft"].map {
                CheckItem(key: $0, status: .unknown, values: [:])
            }
        }
        let policy = FindingsAnalyzer.dominantPolicy(stats)
        let authorised = AuthorisedMessages(records, from: Set(authorisedSenders.flatMap { $0.sources.map(\.ip) }))
        let total = authorised.total
        func share(_ messages: Int) -> Double? {
            total > 0 ? Double(messages) / Double(total) : nil
        }
        func judged(_ key: String, _ value: Double?, applies: Bool = true, extra: [String: String] = [:]) -> CheckItem {
            guard let value else { return CheckItem(key: key, status: .unknown, values: extra) }
            let values = extra.merging(["share": format.oneDecimal(value * 100) + "%"]) { current, _ in current }
            guard applies else { return CheckItem(key: key, status: .pass, values: values.merging(["not_bulk": "1"]) { a, _ in a }) }
            return CheckItem(key: key, status: value >= Self.checklistShare ? .pass : .fail, values: values)
        }
        let google = dailyVolume(of: ["google.com", "yahoo! inc.", "yahoo"])
        let microsoft = dailyVolume(of: ["outlook.com", "enterprise outlook", "microsoft corporation"])
        let googleBulk = google.map { $0 >= Self.bulkMessagesPerDay }
        let microsoftBulk = microsoft.map { $0 >= Self.bulkMessagesPerDay }
        let policyKnown: Bool = {
            switch policy?.p {
            case .none?, .quarantine?, .reject?: true
            default: false
            }
        }()
        return [
            CheckItem(key: "dmarc_record", status: policy == nil ? .unknown : .pass, values: [:]),
            CheckItem(key: "policy", status: policy == nil ? .unknown : (policyKnown ? .pass : .fail),
                      values: ["policy": policy.map(FindingsAnalyzer.policyLabel) ?? "–"]),
            judged("spf_or_dkim", share(authorised.spfOrDKIM)),
            googleBulk == nil ? CheckItem(key: "aligned", status: .unknown, values: [:])
                : judged("aligned", share(authorised.dmarcPass), applies: googleBulk == true,
                         extra: ["volume": format.integer(google ?? 0)]),
            googleBulk == nil ? CheckItem(key: "spf_and_dkim", status: .unknown, values: [:])
                : judged("spf_and_dkim", share(authorised.spfAndDKIM), applies: googleBulk == true,
                         extra: ["volume": format.integer(google ?? 0)]),
            microsoftBulk == nil ? CheckItem(key: "microsoft", status: .unknown, values: [:])
                : judged("microsoft", share(authorised.spfAndDKIMAndDMARC), applies: microsoftBulk == true,
                         extra: ["volume": format.integer(microsoft ?? 0)]),
        ]
    }

    /// Messages a day to these receivers: each sends one report a day, so a reporter's daily
    /// volume is its messages per report; the receivers' volumes add up.
    private func dailyVolume(of reporters: Set<String>) -> Int? {
        let matching = (stats?.reporters ?? [:]).filter { reporters.contains($0.key.lowercased()) && !$0.value.reports.isEmpty }
        guard !matching.isEmpty else { return nil }
        return matching.values.reduce(0) { $0 + $1.tally.messages / $1.reports.count }
    }
}

/// The messages of authorised senders' source IPs, and how many of them pass what the
/// providers' rules ask, counted in one pass over the records.
private struct AuthorisedMessages {
    var total = 0
    var spfOrDKIM = 0
    var dmarcPass = 0
    var spfAndDKIM = 0
    var spfAndDKIMAndDMARC = 0

    /// Records are read in place: copying one out of the array retained each of its strings.
    init(_ records: [ReportRecord], from authorisedIPs: Set<String>) {
        records.withUnsafeBufferPointer { records in
            guard let first = records.baseAddress else { return }
            for record in (first..<first + records.count)
            where record.pointee.count > 0 && authorisedIPs.contains(record.pointee.sourceIP) {
                let count = record.pointee.count
                let spf = record.pointee.spfResults.contains { $0.result == .pass }
                let dkim = record.pointee.dkimResults.contains { $0.result == .pass }
                let dmarc = record.pointee.dmarcPass
                total += count
                if spf || dkim { spfOrDKIM += count }
                if dmarc { dmarcPass += count }
                if spf && dkim { spfAndDKIM += count }
                if spf && dkim && dmarc { spfAndDKIMAndDMARC += count }
            }
        }
    }
}
