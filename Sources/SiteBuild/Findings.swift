import Foundation
import ReportModel
import Templating

/// Something a client-month needs attention for, most urgent first.
struct Finding: Hashable {
    enum Severity: Int, Comparable {
        case critical = 0, warning = 1, notice = 2

        static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

        var name: String {
            switch self {
            case .critical: "critical"
            case .warning: "warning"
            case .notice: "notice"
            }
        }
    }

    enum Kind: String {
        case passRateDrop = "pass_rate_drop"
        case lowPassRate = "low_pass_rate"
        case policyWeakened = "policy_weakened"
        case reportsStopped = "reports_stopped"
        case tlsFailuresRising = "tls_failures_rising"
        case tlsFailures = "tls_failures"
        case senderMisaligned = "sender_misaligned"
        case unknownSenders = "unknown_senders"
        case newSender = "new_sender"
    }

    var severity: Severity
    var kind: Kind
    var domain: String
    /// Values for the locale's sentence (`finding.<kind>`), already formatted.
    var values: [String: String]
    /// The same values as numbers or words, for `summary.json`.
    var data: [String: String]
}

/// Compares a client-month with the month before and lists what needs attention.
struct FindingsAnalyzer {
    /// A drop of the DMARC pass rate by at least this many percentage points is a finding.
    static let passRateDropPoints = 2.0
    /// Below this DMARC pass rate a domain with enough mail is a finding.
    static let lowPassRate = 90.0
    /// Pass rates of fewer messages than this are too noisy to judge.
    static let minimumMessages = 100

    let client: ClientConfig
    let format: LocaleFormatter

    /// Unknown senders are a finding from this share of a domain's mail (and `minimumMessages`).
    static let unknownSenderShare = 0.01

    func findings(
        current: OwnerMonth, previous: OwnerMonth?, senders: [String: [SenderSummary]] = [:],
        previousSenders: [String: [SenderSummary]]? = nil
    ) -> [Finding] {
        var findings: [Finding] = []
        for domain in client.domains {
            findings += senderFindings(domain, senders[domain] ?? [], current.domains[domain])
            if let before = previousSenders?[domain] {
                findings += newSenders(domain, senders[domain] ?? [], before)
            }
            let now = current.domains[domain]
            let before = previous?.domains[domain]
            findings += passRate(domain, now, before)
            findings += policyChange(domain, now, before)
            if now == nil, let before, before.tally.messages > 0 {
                findings.append(Finding(severity: .warning, kind: .reportsStopped, domain: domain,
                                        values: ["messages": format.integer(before.tally.messages)],
                                        data: ["previous_messages": String(before.tally.messages)]))
            }
            findings += tls(domain, current.tls[domain], previous?.tls[domain])
        }
        return findings.sorted { ($0.severity, $0.domain, $0.kind.rawValue) < ($1.severity, $1.domain, $1.kind.rawValue) }
    }

    private func senderFindings(_ domain: String, _ senders: [SenderSummary], _ stats: DomainMonth?) -> [Finding] {
        var findings: [Finding] = []
        for sender in senders {
            if case .authorisedMisaligned = sender.verdict, sender.messages >= Self.minimumMessages {
                findings.append(Finding(severity: .warning, kind: .senderMisaligned, domain: domain,
                                        values: ["sender": sender.name, "messages": format.integer(sender.messages)],
                                        data: ["sender": sender.name, "messages": String(sender.messages)]))
            }
        }
        let unknown = senders.filter { $0.verdict == .unknownSuspicious }.reduce(0) { $0 + $1.messages }
        if let stats, unknown >= Self.minimumMessages, Double(unknown) >= Double(stats.tally.messages) * Self.unknownSenderShare {
            let enforced = Self.dominantPolicy(stats).map { Self.strength($0) >= 200 } ?? false
            findings.append(Finding(severity: enforced ? .notice : .warning, kind: .unknownSenders, domain: domain,
                                    values: ["messages": format.integer(unknown),
                                             "sources": format.integer(senders.filter { $0.verdict == .unknownSuspicious }.reduce(0) { $0 + $1.sources.count })],
                                    data: ["messages": String(unknown)]))
        }
        return findings
    }

    /// Third parties sending as the domain that did not last month: a new service someone set
    /// up, or someone abusing the name.
    private func newSenders(_ domain: String, _ now: [SenderSummary], _ before: [SenderSummary]) -> [Finding] {
        let known = Set(before.map(\.identity))
        return now.filter { sender in
            guard sender.messages >= Self.minimumMessages, !known.contains(sender.identity) else { return false }
            switch sender.identity {
            case .known, .unlisted: return true
            case .ownInfrastructure, .forwarded, .unknown: return false
            }
        }.map { sender in
            Finding(severity: sender.verdict == .unknownSuspicious ? .warning : .notice, kind: .newSender, domain: domain,
                    values: ["sender": sender.name, "messages": format.integer(sender.messages)],
                    data: ["sender": sender.name, "messages": String(sender.messages)])
        }
    }

    private func rate(_ tally: MessageTally) -> Double? {
        tally.messages >= Self.minimumMessages ? Double(tally.dmarcPass) * 100 / Double(tally.messages) : nil
    }

    private func passRate(_ domain: String, _ now: DomainMonth?, _ before: DomainMonth?) -> [Finding] {
        guard let now, let current = rate(now.tally) else { return [] }
        var findings: [Finding] = []
        if let before, let previous = rate(before.tally), previous - current >= Self.passRateDropPoints {
            findings.append(Finding(
                severity: current < Self.lowPassRate ? .critical : .warning, kind: .passRateDrop, domain: domain,
                values: ["from": format.oneDecimal(previous) + "%", "to": format.oneDecimal(current) + "%"],
                data: ["from": format.oneDecimal(previous), "to": format.oneDecimal(current)]))
        } else if current < Self.lowPassRate {
            findings.append(Finding(
                severity: .warning, kind: .lowPassRate, domain: domain,
                values: ["rate": format.oneDecimal(current) + "%", "failed": format.integer(now.tally.messages - now.tally.dmarcPass)],
                data: ["rate": format.oneDecimal(current), "failed": String(now.tally.messages - now.tally.dmarcPass)]))
        }
        return findings
    }

    /// The policy most reports saw, e.g. `quarantine` at 25 %.
    static func dominantPolicy(_ stats: DomainMonth?) -> PublishedPolicy? {
        guard let policies = stats?.publishedPolicies, policies.count > 1 else { return stats?.publishedPolicies.first?.key }
        return ranked(policies).first?.policy
    }

    /// Most reports first; equal counts by the policy's text. The text takes reflection: it is
    /// worked out only for policies whose count another one shares, once each.
    static func ranked(_ policies: [PublishedPolicy: Int]) -> [(policy: PublishedPolicy, reports: Int)] {
        var seen: Set<Int> = []
        var shared: Set<Int> = []
        for count in policies.values where !seen.insert(count).inserted { shared.insert(count) }
        return policies.map { (policy: $0.key, reports: $0.value, text: shared.contains($0.value) ? "\($0.key)" : "") }
            .sorted { ($1.reports, $0.text) < ($0.reports, $1.text) }
            .map { ($0.policy, $0.reports) }
    }

    /// How strict a policy is: none < quarantine < reject, and a lower pct is weaker.
    static func strength(_ policy: PublishedPolicy) -> Int {
        let base: Int
        switch policy.p {
        case .reject: base = 200
        case .quarantine: base = 100
        default: base = 0
        }
        return base + (base > 0 ? min(max(policy.pct ?? 100, 0), 100) : 0)
    }

    private func policyChange(_ domain: String, _ now: DomainMonth?, _ before: DomainMonth?) -> [Finding] {
        guard let current = Self.dominantPolicy(now), let previous = Self.dominantPolicy(before),
              Self.strength(current) < Self.strength(previous)
        else { return [] }
        return [Finding(severity: .critical, kind: .policyWeakened, domain: domain,
                        values: ["from": Self.policyLabel(previous), "to": Self.policyLabel(current)],
                        data: ["from": Self.policyLabel(previous), "to": Self.policyLabel(current)])]
    }

    static func policyLabel(_ policy: PublishedPolicy) -> String {
        let p = policy.p?.description ?? "?"
        guard let pct = policy.pct, pct < 100, policy.p == .quarantine || policy.p == .reject else { return "p=\(p)" }
        return "p=\(p) pct=\(pct)"
    }

    private func tls(_ domain: String, _ now: TLSDomainMonth?, _ before: TLSDomainMonth?) -> [Finding] {
        guard let now, now.sessions.failed > 0 else { return [] }
        let values = ["failed": format.integer(now.sessions.failed), "previous": format.integer(before?.sessions.failed ?? 0)]
        let data = ["failed": String(now.sessions.failed), "previous": String(before?.sessions.failed ?? 0)]
        if now.sessions.failed > (before?.sessions.failed ?? 0) {
            return [Finding(severity: .warning, kind: .tlsFailuresRising, domain: domain, values: values, data: data)]
        }
        return [Finding(severity: .notice, kind: .tlsFailures, domain: domain, values: values, data: data)]
    }
}

struct FindingRow {
    var severity: String
    var severityLabel: String
    var domain: String
    var text: String
}

extension Finding {
    func row(_ words: LocaleStrings) -> FindingRow {
        FindingRow(severity: severity.name, severityLabel: words.text("finding.severity.\(severity.name)"), domain: domain,
                   text: words.text("finding.\(kind.rawValue)", values.merging(["domain": domain]) { current, _ in current }))
    }
}
