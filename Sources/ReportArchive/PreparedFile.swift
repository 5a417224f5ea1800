import ReportModel

/// One input file with its reports encoded, ready to be written. Preparing is the costly part
/// of a commit (encoding, identities, domain keys), so ingest does it on all cores before the
/// single writer's transaction, and a retried transaction does not do it again.
public struct PreparedFile: Sendable {
    public struct Report: Sendable {
        package var kind: String
        package var identity: ReportIdentity
        package var range: DateRange
        /// Messages (DMARC) or sessions (TLS) it counts.
        package var counted: Int
        /// DMARC only: the form in which it meets parsedmarc's copies.
        package var transcription: Transcription?
        package var source: ReportSource
        package var body: [UInt8]
        /// The domains it concerns, as sorted `DomainKey`s.
        package var domainKeys: [String]
    }

    package var path: String
    package var stamp: FileStamp
    package var contentHash: String
    package var reportCount: Int
    package var knownContent: Bool
    package var problems: String
    package var inode: UInt64
    package var settled: Bool
    /// In source order, so a file's reports are kept or dropped the same way on every run.
    package var reports: [Report] = []

    public init(_ file: IngestedFile) {
        path = file.path
        stamp = file.stamp
        contentHash = file.contentHash
        inode = file.inode
        settled = file.settled
        switch file.outcome {
        case .knownContent:
            reportCount = 0
            knownContent = true
            problems = ""
        case .loaded(let load):
            reportCount = load.reportCount
            knownContent = false
            problems = load.problems.map(\.description).joined(separator: "\n")
            for loaded in load.reports.sorted(by: { $0.source < $1.source }) {
                reports.append(Report(
                    kind: ReportKind.dmarc, identity: loaded.report.identity, range: loaded.report.metadata.dateRange,
                    counted: loaded.report.messageCount, transcription: Transcription(loaded), source: loaded.source,
                    body: ReportCodec.encode(loaded.report), domainKeys: Self.keys(loaded.report.records.lazy.map(\.headerFrom))))
            }
            for loaded in load.tlsReports.sorted(by: { $0.source < $1.source }) {
                reports.append(Report(
                    kind: ReportKind.tls, identity: loaded.report.identity, range: loaded.report.dateRange,
                    counted: loaded.report.countedSessions, transcription: nil, source: loaded.source,
                    body: ReportCodec.encode(loaded.report), domainKeys: Self.keys(loaded.report.policies.lazy.map(\.policyDomain))))
            }
        }
    }

    package var folder: Substring { Self.folder(of: path) }

    /// The folder part of a path relative to the reports folder ("" for the reports folder).
    package static func folder(of path: String) -> Substring {
        // Looked for in the bytes, a fraction of the cost of a walk back through the UTF-8
        // view: every ingested file takes this twice.
        var bytes = path
        guard let slash = bytes.withUTF8({ $0.lastIndex(of: UInt8(ascii: "/")) }) else { return "" }
        return path[..<path.utf8.index(path.utf8.startIndex, offsetBy: slash)]
    }

    /// The sorted, distinct keys of these domains. The records of a report nearly always
    /// repeat one domain or a few, so a run of equal ones is looked at once, and a set is made
    /// only for a report of many domains.
    static func keys<Domains: Sequence<String>>(_ domains: Domains) -> [String] {
        var distinct: [String] = []
        var seen = Set<String>()
        var previous: String?
        for domain in domains where domain != previous {
            previous = domain
            // A few domains are compared in turn; a set holds them from the ninth on.
            if distinct.count < 8 {
                if !distinct.contains(domain) { distinct.append(domain) }
                continue
            }
            if seen.isEmpty { seen.formUnion(distinct) }
            if seen.insert(domain).inserted { distinct.append(domain) }
        }
        var keys = distinct.map(DomainKey.key)
        guard keys.count > 1 else { return keys }
        // Two names can share a key (`Example.com` and `example.com.`).
        keys.sort()
        var kept = 1
        for index in 1..<keys.count where keys[index] != keys[kept - 1] {
            keys[kept] = keys[index]
            kept += 1
        }
        keys.removeLast(keys.count - kept)
        return keys
    }
}
