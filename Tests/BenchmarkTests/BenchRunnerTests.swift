import Benchmark
import Foundation
import SyntheticReports
import Testing

@Suite("Benchmark")
struct BenchRunnerTests {
    static var builtinThemes: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Themes").standardizedFileURL
    }

    @Test func runsEveryPhaseAndReusesTheWorkspace() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let shape = BenchmarkShape(clients: 3, domainsPerClient: 2, days: 3, reporters: 2)
        let context = BenchContext(workspace: BenchWorkspace(folder: folder, shape: shape), builtinThemes: Self.builtinThemes)

        let first = try BenchRunner(context: context).run()
        let rows = Dictionary(first.rows.map { ($0.measurement, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(rows["generate workspace"]?.note.hasPrefix("36 files") == true)
        #expect(rows["ingest files"]?.note.hasPrefix("36 files in") == true)
        #expect(rows["read + SHA-256 alone"]?.note.hasPrefix("36 files opened, read and hashed") == true)
        #expect(rows["full build"]?.target != nil)
        #expect(rows["full build pages"]?.note.contains("pages") == true)
        #expect(rows["rebuild after one new file"]?.note.hasPrefix("1 file read, 1 client rendered, 2 carried over; 1 client folder and 1 site swapped in, 0 sites untouched, ") == true)
        #expect(rows["rebuild after one new file"]?.note.hasSuffix(" CPU") == true)
        #expect(rows["peak memory"]?.note.contains("ru_maxrss") == true)
        #expect(first.text.contains("ingest records"))
        // The added report is gone again, so the folder still holds exactly the shape.
        let reports = try #require(FileManager.default.subpaths(atPath: folder.appendingPathComponent("reports").path))
        #expect(reports.filter { $0.hasSuffix(".xml") }.count == 36)
        #expect(reports.allSatisfy { !$0.contains("zz-bench-added") })

        let second = try BenchRunner(context: context, phases: [.generate]).run()
        #expect(second.rows.first?.value == "reused")

        let other = BenchContext(
            workspace: BenchWorkspace(folder: folder, shape: BenchmarkShape(clients: 2, domainsPerClient: 1, days: 2, reporters: 1)),
            builtinThemes: Self.builtinThemes)
        let regenerated = try BenchRunner(context: other, phases: [.generate, .ingest]).run()
        #expect(regenerated.rows.first?.value != "reused")
        #expect(regenerated.rows.first { $0.measurement == "ingest files" }?.note.hasPrefix("4 files in") == true)
    }

    @Test func targetsJudgeTheMeasuredFigure() {
        #expect(BenchTarget(.atLeast, 40_000, unit: "files/s").isMet(by: 40_000))
        #expect(!BenchTarget(.atLeast, 40_000, unit: "files/s").isMet(by: 39_999))
        #expect(BenchTarget(.below, 1, unit: "s").isMet(by: 0.5))
        #expect(!BenchTarget(.below, 1, unit: "s").isMet(by: 1))
        #expect(BenchRow(measurement: "x", value: "2 s", target: BenchTarget(.below, 1, unit: "s"), measured: 2).verdict == "MISSED")
    }
}
