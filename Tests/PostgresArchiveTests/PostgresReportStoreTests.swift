#if PostgreSQL
import Foundation
import PostgresArchive
import ReportArchive
import ReportModel
import SiteBuild
import Synchronization
import Testing

@Suite("Archive: the PostgreSQL store", .enabled(if: TestServer.url != nil, TestServer.skipReason))
struct PostgresReportStoreTests {
    typealias F = StoreFixtures

    @Test func aReportKeptOnceWithTheCopiesListedAsDuplicates() async throws {
        let database = try await ScratchDatabase.create()
        do {
            let store = try database.store()
            let first = try store.commit([F.file("a.xml", [F.report(id: "1", headerFrom: ["contoso.example"])])])
            #expect(first.addedReports == 1)
            let second = try store.commit([
                F.file("b.zip", [F.report(id: "1", headerFrom: ["contoso.example"]), F.report(id: "2", headerFrom: ["contoso.example"])]),
            ])
            #expect(second.addedReports == 1)
            #expect(second.duplicates.map(\.dropped.description) == ["b.zip ▸ entry-0.xml"])
            #expect(second.duplicates.map(\.kept.description) == ["a.xml"])

            // The same file changed on disk and read again: its report is not a copy of itself.
            let again = try store.commit([F.file("a.xml", [F.report(id: "1", headerFrom: ["contoso.example"])], modified: 2)])
            #expect(again.addedReports == 0)
            #expect(again.duplicates.isEmpty)
            // The same bytes under another name are not a new copy either.
            let bytesCopy = try store.commit([F.file("copy-of-a.xml", [F.report(id: "1", headerFrom: ["contoso.example"])], hash: "hash-a.xml-1")])
            #expect(bytesCopy.duplicates.isEmpty)
            let counts = try store.counts()
            #expect(counts.reports == 2)
            #expect(counts.files == 3)
            #expect(counts.duplicates == 1)
            #expect(try store.knownFiles()["a.xml"] == FileStamp(size: 100, modified: 2))
            #expect(try store.knownContents(["hash-a.xml-2", "hash-unknown"]) == ["hash-a.xml-2"])
            #expect(try store.reportCount(beginningAtOrAfter: 1_764_547_200) == 2)
            #expect(try store.reportCount(beginningAtOrAfter: 1_764_547_201) == 0)
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    @Test func selectsADomainWithItsSubdomainsButNotLookAlikes() async throws {
        let database = try await ScratchDatabase.create()
        do {
            let store = try database.store()
            _ = try store.commit([
                F.file("1.xml", [F.report(id: "own", headerFrom: ["contoso.example"])]),
                F.file("2.xml", [F.report(id: "sub", headerFrom: ["News.Contoso.Example."])]),
                F.file("3.xml", [F.report(id: "lookalike", headerFrom: ["notcontoso.example"])]),
                F.file("4.xml", [F.report(id: "suffix-trap", headerFrom: ["contoso.example.evil.example"])]),
                F.file("5.xml", [F.report(id: "mixed", headerFrom: ["fabrikam.example", "contoso.example"])]),
                F.file("6.xml", [F.report(id: "hyphen", headerFrom: ["contoso-example.example", "contoso.example-x"])]),
            ])
            let subtree = try store.reports([.subtree("contoso.example")]).reports.map(\.metadata.reportID)
            #expect(subtree == ["own", "sub", "mixed"])
            let exact = try store.reports([.exact("contoso.example")]).reports.map(\.metadata.reportID)
            #expect(exact == ["own", "mixed"])
            let both = try store.reports([.subtree("fabrikam.example"), .exact("contoso.example")]).reports.map(\.metadata.reportID)
            #expect(both == ["own", "mixed"])
            #expect(try store.dataVersion([.subtree("fabrikam.example")]) == DataVersion(reports: 1, lastReport: 5))
            #expect(try store.domains() == [
                "contoso-example.example", "contoso.example", "contoso.example-x", "contoso.example.evil.example",
                "fabrikam.example", "news.contoso.example", "notcontoso.example",
            ])
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    @Test func anArchiveKeepsItsReportsAndRenderStateAcrossOpenings() async throws {
        let database = try await ScratchDatabase.create()
        do {
            do {
                let store = try database.store()
                _ = try store.commit([F.file("a.xml", [F.report(id: "1", headerFrom: ["contoso.example"])])])
                try store.saveRenderRecords(scope: "/out", [
                    ("r", "c", RenderRecord(fingerprint: "f", pages: 3, summary: [1, 2])),
                    ("r", "gone", RenderRecord(fingerprint: "g", pages: 1, summary: [])),
                ])
                try store.saveRenderRecords(scope: "/out", [("r", "gone", nil), ("r", "c", RenderRecord(fingerprint: "f2", pages: 4, summary: [3]))])
            }
            let reopened = try database.store()
            #expect(try reopened.counts().reports == 1)
            #expect(try reopened.reports([.subtree("contoso.example")]).reports == [F.report(id: "1", headerFrom: ["contoso.example"])])
            #expect(try reopened.renderRecord(scope: "/out", reseller: "r", client: "c") == RenderRecord(fingerprint: "f2", pages: 4, summary: [3]))
            #expect(try reopened.renderRecord(scope: "/out", reseller: "r", client: "gone") == nil)
            #expect(try reopened.renderRecord(scope: "/elsewhere", reseller: "r", client: "c") == nil)
            // Files are remembered per origin (reports folder); contents are shared.
            let otherWorker = try database.store(origin: "other")
            #expect(try otherWorker.knownFiles().isEmpty)
            #expect(try otherWorker.knownContents(["hash-a.xml-1"]) == ["hash-a.xml-1"])
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    @Test func aWrongPasswordIsAClearErrorThatDoesNotShowIt() async throws {
        var address = try PostgresAddress(url: try #require(TestServer.url))
        address.password = "not-the-password-\(UUID().uuidString)"
        do {
            _ = try PostgresReportStore(address: address, origin: "test")
            Issue.record("a wrong password was accepted")
        } catch {
            let message = "\(error)"
            #expect(message.contains("connect to postgres://"))
            #expect(message.contains("password authentication failed"))
            #expect(!message.contains(address.password ?? "?"))
        }
    }
}

/// Several `sitegen ingest` workers on one database: each worker has its own store (its own
/// connection pool) on a thread of its own, and commits small batches so that they interleave.
@Suite("Archive: several ingest workers on one PostgreSQL archive", .enabled(if: TestServer.url != nil, TestServer.skipReason))
struct PostgresWorkersTests {
    static let batchSize = 20

    /// Runs the ingests at the same time, each on its own thread, and returns their results.
    static func concurrently(_ ingests: [@Sendable () throws -> ArchiveIngestResult]) throws -> [ArchiveIngestResult] {
        let results = ingests.map { _ in ResultSlot() }
        let group = DispatchGroup()
        for (ingest, slot) in zip(ingests, results) {
            let thread = Thread {
                slot.set(Result { try ingest() })
                group.leave()
            }
            group.enter()
            thread.start()
        }
        group.wait()
        return try results.map { try $0.get() }
    }

    static func ingest(_ folder: URL, into store: any ReportStore) throws -> ArchiveIngestResult {
        var ingester = ArchiveIngester(store: store)
        ingester.batchSize = batchSize
        return try ingester.ingest(folder: folder)
    }

    @Test func twoWorkersOnTheSameFolderCountEveryReportOnce() async throws {
        let folders = try WorkerFolders()
        defer { folders.remove() }
        let folder = try folders.folder("shared", 0..<folders.files.count)
        let reference = try await ScratchDatabase.create()
        let shared = try await ScratchDatabase.create()
        do {
            let alone = try reference.store(origin: "mx")
            let one = try Self.ingest(folder, into: alone)
            let expected = try alone.counts()
            #expect(expected.reports > 100)
            #expect(expected.tlsReports > 10)
            #expect(expected.duplicates > 0)
            #expect(expected.skippedFiles == 1)
            #expect(one.added.duplicates.count == expected.duplicates)

            let first = try shared.store(origin: "mx")
            let second = try shared.store(origin: "mx")
            let runs = try Self.concurrently([{ try Self.ingest(folder, into: first) }, { try Self.ingest(folder, into: second) }])
            let counts = try first.counts()
            #expect(counts == expected)
            #expect(runs.map(\.added.addedReports).reduce(0, +) == expected.reports)
            #expect(runs.map(\.added.addedTLSReports).reduce(0, +) == expected.tlsReports)
            #expect(runs.map(\.added.duplicates.count).reduce(0, +) == expected.duplicates)
            let listed = Set(runs.flatMap(\.added.duplicates).map { [$0.kept.description, $0.dropped.description].sorted() })
            #expect(listed == Set(one.added.duplicates.map { [$0.kept.description, $0.dropped.description].sorted() }))
            #expect(try first.domains() == alone.domains())
            for domain in try alone.domains() {
                let mine = try first.reports([.subtree(domain)])
                let theirs = try alone.reports([.subtree(domain)])
                #expect(Set(mine.reports.map(\.identity)) == Set(theirs.reports.map(\.identity)), "\(domain)")
                #expect(Set(mine.tlsReports.map(\.identity)) == Set(theirs.tlsReports.map(\.identity)), "\(domain)")
            }
            // A third run finds nothing new.
            let later = try Self.ingest(folder, into: second)
            #expect(later.filesRead == 0)
            #expect(try second.counts() == expected)
        } catch {
            await reference.drop()
            await shared.drop()
            throw error
        }
        await reference.drop()
        await shared.drop()
    }

    /// Two machines, each with its own reports folder: the same relative paths, two thirds of
    /// each folder in common. Counted as one ingest after the other.
    @Test func twoWorkersOnOverlappingFoldersOfTwoMachines() async throws {
        let folders = try WorkerFolders()
        defer { folders.remove() }
        let count = folders.files.count
        // The file that is no report sorts first, so only the first machine has it.
        let east = try folders.folder("east", 0..<(count * 2 / 3))
        let west = try folders.folder("west", (count / 3)..<count)
        let reference = try await ScratchDatabase.create()
        let shared = try await ScratchDatabase.create()
        do {
            let eastAlone = try reference.store(origin: "east")
            let westAlone = try reference.store(origin: "west")
            _ = try Self.ingest(east, into: eastAlone)
            _ = try Self.ingest(west, into: westAlone)
            let expected = try eastAlone.counts()
            #expect(expected.files == (count * 2 / 3) + (count - count / 3))
            #expect(expected.duplicates > 0)

            let eastWorker = try shared.store(origin: "east")
            let westWorker = try shared.store(origin: "west")
            let runs = try Self.concurrently([{ try Self.ingest(east, into: eastWorker) }, { try Self.ingest(west, into: westWorker) }])
            #expect(try eastWorker.counts() == expected)
            #expect(runs.map { $0.added.addedReports + $0.added.addedTLSReports }.reduce(0, +) == expected.reports + expected.tlsReports)
            #expect(runs.map(\.added.duplicates.count).reduce(0, +) == expected.duplicates)
            #expect(try westWorker.domains() == eastAlone.domains())
        } catch {
            await reference.drop()
            await shared.drop()
            throw error
        }
        await reference.drop()
        await shared.drop()
    }
}

private final class ResultSlot: Sendable {
    private let result = Mutex<Result<ArchiveIngestResult, any Error>?>(nil)

    func set(_ value: Result<ArchiveIngestResult, any Error>) {
        result.withLock { $0 = value }
    }

    func get() throws -> ArchiveIngestResult {
        guard let value = result.withLock({ $0 }) else { throw TestSetupError(reason: "a worker thread gave no result") }
        return try value.get()
    }
}
#endif
