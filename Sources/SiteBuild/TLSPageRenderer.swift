import Foundation
import ReportModel
import Templating

/// The SMTP TLS page of a client-month, its overview on the month page, and `tls.csv`.
struct TLSPageBuilder {
    let client: ClientConfig
    let data: OwnerMonth
    let words: LocaleStrings
    let format: LocaleFormatter

    var overview: TLSOverview? {
        guard !data.tls.isEmpty else { return nil }
        let total = data.tlsTotal
        return TLSOverview(href: "tls/index.html", sessions: format.integer(total.total),
                           successRate: format.percent(total.successful, of: total.total),
                           failed: format.integer(total.failed), tone: Self.tone(total))
    }

    func page(monthLabel: String) -> TLSPage {
        let total = data.tlsTotal
        let reports = data.tlsReportCount
        var byType: [String: TLSSessionTally] = [:]
        var failures: [String: Int] = [:]
        var hosts: [String: Int] = [:]
        var reporters: [String: TLSSessionTally] = [:]
        for domain in data.tls.values {
            for (type, tally) in domain.byPolicyType { byType[type, default: TLSSessionTally()].add(tally) }
            for (type, count) in domain.failureTypes { failures[type, default: 0] += count }
            for (host, count) in domain.receivingMX { hosts[host, default: 0] += count }
            for (name, tally) in domain.reporters { reporters[name, default: TLSSessionTally()].add(tally) }
        }
        return TLSPage(
            clientName: client.name, monthLabel: monthLabel, hasData: !data.tls.isEmpty,
            kpis: [
                KPI(label: words.text("tls.sessions"), value: format.integer(total.total),
                    detail: words.text("kpi.reports", ["count": format.integer(reports)]), tone: "neutral"),
                KPI(label: words.text("tls.success_rate"), value: format.percent(total.successful, of: total.total),
                    detail: words.text("tls.successful_count", ["count": format.integer(total.successful)]), tone: Self.tone(total)),
                KPI(label: words.text("tls.failed"), value: format.integer(total.failed),
                    detail: format.percent(total.failed, of: total.total), tone: total.failed > 0 ? "warn" : "good"),
            ],
            domains: client.domains.compactMap { domain in data.tls[domain].map { row(domain, $0.sessions) } },
            policyTypes: byType.sorted { $0.key < $1.key }.map { row(words.text("tls.policy.\($0.key)", [:], fallback: $0.key), $0.value) },
            failureTypes: failures.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map {
                TLSCountRow(label: $0.key, sessions: format.integer($0.value))
            },
            receivingHosts: hosts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map {
                TLSCountRow(label: $0.key, sessions: format.integer($0.value))
            },
            reporters: reporters.sorted { ($1.value.total, $0.key) < ($0.value.total, $1.key) }.map { row($0.key, $0.value) },
            monthHref: "../index.html", csvHref: "../tls.csv")
    }

    private func row(_ label: String, _ tally: TLSSessionTally) -> TLSRowModel {
        TLSRowModel(label: label, successful: format.integer(tally.successful), failed: format.integer(tally.failed),
                    successRate: format.percent(tally.successful, of: tally.total), tone: Self.tone(tally))
    }

    static func tone(_ tally: TLSSessionTally) -> String {
        guard tally.total > 0 else { return "neutral" }
        let share = Double(tally.successful) / Double(tally.total)
        return share >= 0.99 ? "good" : (share >= 0.95 ? "warn" : "bad")
    }
}

extension LocaleStrings {
    /// The word for `key`, or `fallback` (e.g. a reporter's own word) when the theme has none.
    func text(_ key: String, _ arguments: [String: String], fallback: String) -> String {
        values[key] == nil ? fallback : text(key, arguments)
    }
}

/// `tls.csv`: every TLS policy result and failure detail of a client-month.
enum TLSCSV {
    static let header = [
        "domain", "reporter", "report_id", "begin_utc", "end_utc", "policy_type", "policy_domain", "successful_sessions",
        "failed_sessions", "result_type", "sending_mta_ip", "receiving_mx_hostname", "receiving_ip", "failed_session_count",
        "additional_information",
    ]

    static func render(_ rows: [TLSRow]) -> Data {
        var lines = [header.joined(separator: ",")]
        let sorted = rows.sorted {
            ($0.domain, $0.dateRange.begin, $0.report) < ($1.domain, $1.dateRange.begin, $1.report)
        }
        for row in sorted {
            let common = [row.domain, row.report.orgName, row.report.reportID, UTCTimestamp.iso8601(row.dateRange.begin),
                          UTCTimestamp.iso8601(row.dateRange.end), row.policy.policyType.description, row.policy.policyDomain]
            lines.append((common + [String(row.policy.totalSuccessfulSessions), String(row.policy.totalFailureSessions),
                                    "", "", "", "", "", ""]).map(RecordsCSV.field).joined(separator: ","))
            for failure in row.policy.failures {
                lines.append((common + ["", "", failure.resultType.description, failure.sendingMTAIP ?? "",
                                        failure.receivingMXHostname ?? "", failure.receivingIP ?? "",
                                        String(failure.failedSessionCount), failure.additionalInformation ?? ""])
                    .map(RecordsCSV.field).joined(separator: ","))
            }
        }
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }
}
