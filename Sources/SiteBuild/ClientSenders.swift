import ReportModel

/// The senders of each of a client's domains in each month, classified once and shared by the
/// client's pages and its portfolio line.
struct ClientSenders: Sendable {
    private let byMonth: [ReportMonth: [String: [SenderSummary]]]
    /// The records they were classified from, kept for the pages' own analyses.
    private let recordsByMonth: [ReportMonth: [String: [ReportRecord]]]

    init(client: ClientConfig, months: [ReportMonth: OwnerMonth], classifier: SenderClassifier) {
        recordsByMonth = months.mapValues(\.recordsByDomain)
        byMonth = recordsByMonth.mapValues { recordsByDomain in
            Dictionary(uniqueKeysWithValues: client.domains.map { domain in
                (domain, classifier.classify(recordsByDomain[domain] ?? [], for: domain,
                                             otherClientDomains: client.domains.filter { $0 != domain }))
            })
        }
    }

    /// By configured domain; empty for a month without data.
    func senders(in month: ReportMonth) -> [String: [SenderSummary]] {
        byMonth[month] ?? [:]
    }

    /// The month's records by configured domain, in the order they were added.
    func records(in month: ReportMonth) -> [String: [ReportRecord]] {
        recordsByMonth[month] ?? [:]
    }
}

extension OwnerMonth {
    /// The month's records by configured domain, in the order they were added.
    var recordsByDomain: [String: [ReportRecord]] {
        var grouped: [String: [ReportRecord]] = [:]
        for item in records { grouped[item.domain, default: []].append(item.record) }
        return grouped
    }
}
