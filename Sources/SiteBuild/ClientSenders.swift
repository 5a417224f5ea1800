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
        // A client has a few domains and records come in runs of one domain (a report's
        // records): the group is looked for when the domain changes, never hashed per record.
        // The groups are counted first, so that each list is made once, at its size.
        var groups: [(domain: String, records: [ReportRecord])] = []
        var counts: [Int] = []
        var current = -1
        func group(of domain: String) -> Int {
            if current < 0 || groups[current].domain != domain {
                if let known = groups.firstIndex(where: { $0.domain == domain }) {
                    current = known
                } else {
                    groups.append((domain, []))
                    counts.append(0)
                    current = groups.count - 1
                }
            }
            return current
        }
        for index in records.indices {
            let number = group(of: records[index].domain)
            counts[number] += 1
        }
        for index in groups.indices { groups[index].records.reserveCapacity(counts[index]) }
        current = -1
        for index in records.indices {
            let number = group(of: records[index].domain)
            groups[number].records.append(records[index].record)
        }
        return Dictionary(uniqueKeysWithValues: groups.map { ($0.domain, $0.records) })
    }
}
