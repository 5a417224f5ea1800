import Foundation
@testable import ReportArchive
import ReportModel
import SyntheticReports
import Testing

/// The archive reads a client's reports with one `StoredValueInterner`, so that equal strings
/// and result lists are shared between records. Compared here with the same reports decoded
/// each on its own: the reports, their aggregates and their senders must be the same.
@Suite("Archive: reports decoded sharing repeated values")
struct SharedDecodingTests {
    static let seeds: [UInt64] = [1, 20_261_101, 987_654_321]

    static func shape(seed: UInt64) -> BenchmarkShape {
        BenchmarkShape(clients: 2, domainsPerClient: 3, days: 3, reporters: 3, seed: seed)
    }

    static func generated(_ spec: SyntheticWorkspaceSpec) throws -> [AggregateReport] {
        try SyntheticWorkspace(spec: spec).generate().files.map(\.report)
    }

    /// The reports decoded each on its own, and all of them with one interner.
    static func decodedBothWays(_ reports: [AggregateReport]) throws -> (alone: [AggregateReport], shared: [AggregateReport]) {
        let stored = reports.map(ReportCodec.encode)
        let interner = StoredValueInterner()
        return (try stored.map { try ReportCodec.decodeAggregate($0) },
                try stored.map { try ReportCodec.decodeAggregate($0, sharing: interner) })
    }

    static func storage<Element>(_ list: [Element]) -> UnsafeRawPointer? {
        list.withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) }
    }

    @Test(arguments: seeds) func sharingGivesTheSameReports(seed: UInt64) throws {
        let reports = try Self.generated(Self.shape(seed: seed).spec)
        #expect(reports.count > 20)
        let (alone, shared) = try Self.decodedBothWays(reports)
        #expect(alone == reports)
        #expect(shared == reports)
    }

    /// The demo's reports carry the quirks real reporters send (upper case words, missing
    /// fields, several results per record, override comments).
    @Test func sharingGivesTheSameReportsWithQuirks() throws {
        let reports = try Self.generated(.demo(seed: 7))
        let (_, shared) = try Self.decodedBothWays(reports)
        #expect(shared == reports)
    }

    /// What makes the sharing pay: records of different reports with equal result lists hold
    /// one list, while reports decoded on their own each hold their own.
    @Test func equalListsAreOneList() throws {
        let reports = try Self.generated(Self.shape(seed: 1).spec)
        let (alone, shared) = try Self.decodedBothWays(reports)
        func firstPair(_ reports: [AggregateReport]) -> (ReportRecord, ReportRecord)? {
            let records = reports.flatMap(\.records).filter { !$0.dkimResults.isEmpty }
            for (index, record) in records.enumerated() {
                if let other = records[(index + 1)...].first(where: { $0.dkimResults == record.dkimResults }) { return (record, other) }
            }
            return nil
        }
        let (first, second) = try #require(firstPair(shared))
        #expect(Self.storage(first.dkimResults) == Self.storage(second.dkimResults))
        let (aloneFirst, aloneSecond) = try #require(firstPair(alone))
        #expect(Self.storage(aloneFirst.dkimResults) != Self.storage(aloneSecond.dkimResults))
    }

    /// Aggregating the shared reports together (room made for each month's records at once)
    /// gives what aggregating the separate reports one by one gives, and each domain's
    /// senders, classified from records that share their lists, are the same.
    @Test(arguments: seeds) func sharedReportsAggregateAndClassifyTheSame(seed: UInt64) throws {
        let shape = Self.shape(seed: seed)
        let reports = try Self.generated(shape.spec)
        let (alone, shared) = try Self.decodedBothWays(reports)
        var owners: [String: String] = [:]
        for client in 1...shape.clients {
            for domain in 1...shape.domainsPerClient { owners[shape.domainName(client: client, domain: domain)] = shape.clientID(client) }
        }
        // One domain left out, so that some records are unassigned.
        owners[shape.domainName(client: 1, domain: 1)] = nil
        let router = DomainRouter(owners: owners)
        var oneByOne = ReportAggregator(router: router)
        for report in alone { oneByOne.add(report) }
        var together = ReportAggregator(router: router)
        together.add(shared)
        #expect(together.owners == oneByOne.owners)
        #expect(together.unassigned == oneByOne.unassigned)
        #expect(!together.unassigned.isEmpty)

        let classifier = SenderClassifier(catalog: try SenderCatalog.shipped(), publicSuffixes: .builtIn)
        var classified = 0
        for (owner, months) in oneByOne.owners {
            let domains = owners.filter { $0.value == owner }.map(\.key).sorted()
            for (month, data) in months {
                let sharedData = try #require(together.owners[owner]?[month])
                for domain in domains {
                    let others = domains.filter { $0 != domain }
                    let expected = classifier.classify(data.records, for: domain, otherClientDomains: others)
                    let actual = classifier.classify(sharedData.records, for: domain, otherClientDomains: others)
                    #expect(actual == expected, "\(domain) \(month)")
                    classified += expected.count
                }
            }
        }
        #expect(classified > 10)
    }

    /// Every report of the real corpus decodes the same sharing one interner.
    @Test(.enabled(if: ArchiveCorpus.root != nil, "../shared/corpus is not present"))
    func realCorpusReportsDecodeTheSameShared() throws {
        let root = try #require(ArchiveCorpus.root)
        let loader = ReportLoader()
        var reports: [AggregateReport] = []
        for path in try FileManager.default.subpathsOfDirectory(atPath: root.path).sorted() {
            let url = root.appendingPathComponent(path)
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            reports += loader.load(contentsOf: url, as: path).reports.map(\.report)
        }
        #expect(reports.count > 100)
        let (alone, shared) = try Self.decodedBothWays(reports)
        #expect(alone == reports)
        #expect(shared == reports)
    }

    /// A damaged list is refused with an interner as without one, not taken from the table.
    @Test func damagedBytesAreRefusedWhenSharing() throws {
        let record = ReportRecord(
            sourceIP: "192.0.2.1", count: 3, disposition: .none, dkimAligned: .pass, spfAligned: .fail,
            headerFrom: "contoso.example", dkimResults: [DKIMAuthResult(domain: "contoso.example", selector: "s1", result: .pass)])
        let report = AggregateReport(
            schema: .rfc7489, version: nil,
            metadata: ReportMetadata(orgName: "Org", email: "a@b", reportID: "1", dateRange: DateRange(begin: 0, end: 1)),
            policy: PublishedPolicy(domain: "contoso.example"), records: [record, record])
        let bytes = ReportCodec.encode(report)
        let interner = StoredValueInterner()
        #expect(try ReportCodec.decodeAggregate(bytes, sharing: interner) == report)
        for cut in 1..<bytes.count {
            #expect(throws: BinaryDecodingError.self) { try ReportCodec.decodeAggregate(Array(bytes.dropLast(cut)), sharing: interner) }
        }
        #expect(throws: BinaryDecodingError.self) { try ReportCodec.decodeAggregate(bytes + [0], sharing: interner) }
    }
}
