import ReportModel

/// The senders of each of a client's domains in each month, classified once and shared by the
/// client's pages and its portfolio line.
struct ClientSenders: Sendable {
    private let byMonth: [ReportMonth: [String: [SenderSummary]]]

    init(client: ClientConfig, months: [ReportMonth: OwnerMonth], classifier: SenderClassifier) {
        byMonth = months.mapValues { month in
            let recordsByDomain = month.recordsByDomain
            return Dictionary(uniqueKeysWithValues: client.domains.map { domain in
                (domain, classifier.classify(recordsByDomain[domain] ?? [], for: domain,
                                             otherClientDomains: client.domains.filter { $0 != domain }))
            })
        }
    }

    /// By configured domain; empty for a month without data.
    func senders(in month: ReportMonth) -> [String: [SenderSummary]] {
        byMonth[month] ?? [:]
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
