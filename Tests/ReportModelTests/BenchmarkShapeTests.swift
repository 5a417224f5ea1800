import Foundation
import ReportModel
import SyntheticReports
import Testing

@Suite("BenchmarkShape")
struct BenchmarkShapeTests {
    static let shape = BenchmarkShape(clients: 3, domainsPerClient: 2, days: 4, reporters: 3)

    @Test func everyDomainGetsOnePlainXMLReportPerDayAndReporter() throws {
        let output = try SyntheticWorkspace(spec: Self.shape.spec).generate()
        #expect(output.files.count == Self.shape.expectedFiles)
        #expect(output.tlsFiles.isEmpty)
        #expect(Set(output.files.map(\.kind)) == [.xml])
        #expect(output.files.allSatisfy { $0.quirks.isEmpty && $0.relativePath.hasSuffix(".xml") })
        #expect(Set(output.files.map(\.reporter)) == [.google, .enterpriseOutlook, .yahoo])
        let days = Set(output.files.map { ReportMonth(unixTime: $0.report.metadata.dateRange.begin).description + "/\($0.report.metadata.dateRange.begin)" })
        #expect(days.count == 4)
        #expect(Set(output.files.map(\.report.policy.domain)) == Set(Self.shape.domainNames))
    }

    @Test func daysCanSpanMonths() throws {
        let shape = BenchmarkShape(clients: 1, domainsPerClient: 1, days: 32, reporters: 1)
        #expect(shape.monthCount == 2)
        let output = try SyntheticWorkspace(spec: shape.spec).generate()
        #expect(output.files.count == 32)
        let months = Set(output.files.map { ReportMonth(unixTime: $0.report.metadata.dateRange.begin) })
        #expect(months == [ReportMonth(year: 2026, month: 11), ReportMonth(year: 2026, month: 12)])
    }

    @Test func batchedWritingWritesTheSameFilesAsGenerate() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-shape-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let workspace = SyntheticWorkspace(spec: Self.shape.spec)
        let counts = try workspace.writeInBatches(to: folder, unitsPerBatch: 2)
        let generated = try workspace.generate()
        #expect(counts.files == generated.files.count)
        #expect(counts.records == generated.summary.records)
        #expect(counts.messages == generated.summary.messages)
        for file in generated.files {
            #expect(try Data(contentsOf: folder.appendingPathComponent(file.relativePath)) == file.bytes)
        }
    }

    @Test func realisticReportingIsUnchangedByTheNewOptions() throws {
        // The demo's files depend only on the seed; the default reporting keeps their habits.
        let spec = SyntheticWorkspaceSpec.demo()
        #expect(spec.reporting == .realistic)
        #expect(spec.dayCount == nil)
    }

    @Test func smallDomainsSendReportsOfAFewRecords() throws {
        func recordsPerReport(_ volume: BenchmarkVolume) throws -> (records: Double, bytes: Double) {
            let shape = BenchmarkShape(clients: 4, domainsPerClient: 3, days: 3, reporters: 3, volume: volume)
            let output = try SyntheticWorkspace(spec: shape.spec).generate()
            let files = Double(output.files.count)
            return (Double(output.summary.records) / files, Double(output.files.map(\.bytes.count).reduce(0, +)) / files)
        }
        let standard = try recordsPerReport(.standard)
        let small = try recordsPerReport(.small)
        #expect(standard.records > 15)
        #expect((1...6).contains(small.records))
        #expect(small.bytes < 4_000 && standard.bytes > 10_000)
    }

    @Test func aShapeFileFromBeforeVolumesDescribesAStandardWorkspace() throws {
        let old = Data(#"{"clients":2,"domainsPerClient":1,"days":3,"reporters":1,"seed":7}"#.utf8)
        let shape = try JSONDecoder().decode(BenchmarkShape.self, from: old)
        #expect(shape == BenchmarkShape(clients: 2, domainsPerClient: 1, days: 3, reporters: 1, volume: .standard, seed: 7))
        let small = BenchmarkShape(volume: .small)
        #expect(try JSONDecoder().decode(BenchmarkShape.self, from: JSONEncoder().encode(small)) == small)
        #expect(small.description.hasSuffix(", small domains"))
    }

    @Test func badNumbersAreNamed() {
        #expect(BenchmarkShape(clients: 0).problems == ["clients must be from 1 to 99999"])
        #expect(BenchmarkShape(reporters: 9).problems == ["reporters must be from 1 to 8"])
        #expect(BenchmarkShape().problems.isEmpty)
        #expect(BenchmarkShape().expectedFiles == 270_000)
    }
}
