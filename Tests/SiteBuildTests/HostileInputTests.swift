import Foundation
import ReportModel
import SiteBuild
import SyntheticReports
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A workspace whose reports folder holds the hostile corpus next to good reports: every hostile
/// file is refused with a reason naming it, or read and shown inert; the good ones still count.
@Suite("Hostile input is refused or made inert", .serialized)
struct HostileInputTests {
    static let config = """
        resellers:
          - id: acme-it
            name: ACME IT
            base_url: https://reports.acme-it.example
            clients:
              - id: contoso
                name: Contoso Ltd
                domains: [contoso.example]
        """

    static let goodMessages = 1_000 + 500
    static let goodTLSSessions = 1_000

    static func goodReports() -> [String: Data] {
        let f = ReportFactory.self
        return [
            "good/google.xml": f.xml(f.report(id: "good-1", records: [f.record(count: 1_000)])),
            "good/yahoo.xml": f.xml(f.report(org: "yahoo.com", id: "good-2", records: [f.record(ip: "192.0.2.20", count: 500)])),
            "good/tls.json": Data(SiteBuildTests.tlsReport.utf8),
        ]
    }

    /// Builds the workspace once per test; the corpus is written at run time (about 12 MB).
    static func workspace() throws -> (FixtureWorkspace, [HostileFile]) {
        let workspace = try FixtureWorkspace(config: config, reports: goodReports())
        let files = try HostileCorpus().write(to: workspace.root.appendingPathComponent("reports/hostile"))
        return (workspace, files)
    }

    @Test func everyHostileFileIsRefusedWithItsNameOrReadAndTheGoodTotalsAreExact() throws {
        let (workspace, files) = try Self.workspace()
        defer { workspace.remove() }
        let before = Set(workspace.files(under: "."))
        let started = Date()
        let report = try workspace.build()
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 300, "the whole hostile build took \(elapsed) s")

        let skipped = Dictionary(uniqueKeysWithValues: report.skippedFiles.map { ($0.file, $0) })
        let partly = Dictionary(uniqueKeysWithValues: report.partlySkippedFiles.map { ($0.file, $0) })
        for file in files {
            let path = "hostile/" + file.path
            switch file.outcome {
            case .refused:
                let load = try #require(skipped[path], "\(file.path.debugDescription) (\(file.threat)) was not refused")
                #expect(!load.problems.isEmpty)
                for problem in load.problems { Self.expectReadable(problem, naming: path, threat: file.threat) }
            case .partlyRead:
                let load = try #require(partly[path], "\(file.path.debugDescription) (\(file.threat)) was not read in part")
                #expect(load.reportCount > 0)
                for problem in load.problems { Self.expectReadable(problem, naming: path, threat: file.threat) }
            case .read:
                #expect(skipped[path] == nil && partly[path] == nil, "\(file.path.debugDescription) (\(file.threat)) was not read whole")
            }
        }
        let expectedSkips = Set(files.filter { $0.outcome == .refused }.map { "hostile/" + $0.path })
        #expect(Set(skipped.keys) == expectedSkips, "only the hostile files are skipped, and all of those")
        Self.expectReasonsExplain(report)
        #expect(report.duplicates.isEmpty)

        let summary = try #require(workspace.text("public/acme-it/contoso/2025-12/summary.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])
        let totals = try #require(json["totals"] as? [String: Any])
        let hostileMessages = files.reduce(0) { $0 + $1.messages }
        #expect(totals["messages"] as? Int == Self.goodMessages + hostileMessages, "good and readable hostile reports count exactly")
        let tls = try #require(json["tls"] as? [String: Any])
        let sessions = (tls["successful"] as? Int ?? -1) + (tls["failed"] as? Int ?? -1)
        #expect(sessions == Self.goodTLSSessions + files.reduce(0) { $0 + $1.tlsSessions })

        let after = Set(workspace.files(under: "."))
        let outsideOutput = after.subtracting(before).filter { !$0.hasPrefix("public/") }
        #expect(outsideOutput.isEmpty, "written outside the output folder: \(outsideOutput.sorted())")
        let parent = workspace.root.deletingLastPathComponent()
        for escaped in ["etc/passwd", "b.xml", "windows", "../b.xml"] {
            #expect(!FileManager.default.fileExists(atPath: parent.appendingPathComponent(escaped).path), "\(escaped) beside the workspace")
        }
        #expect(!FileManager.default.fileExists(atPath: "/etc/cron.d/sitegen"))
    }

    @Test func reportTextComesOutInertInEveryOutputFile() throws {
        let (workspace, _) = try Self.workspace()
        defer { workspace.remove() }
        _ = try workspace.build()
        let outputs = workspace.files(under: "public")
        #expect(outputs.contains("acme-it/contoso/2025-12/records.csv"))
        var sawEscapedPayload = false
        for path in outputs {
            let data = try Data(contentsOf: workspace.root.appendingPathComponent("public/" + path))
            let text = String(decoding: data, as: UTF8.self)
            for marker in HostileCorpus.entityMarkers {
                #expect(!text.contains(marker), "\(path) holds \(marker): an entity was expanded")
            }
            if path.hasSuffix(".html") || path.hasSuffix(".svg") || path.hasSuffix(".xml") || path.hasSuffix(".txt") {
                for payload in HostileCorpus.markupPayloads {
                    #expect(!text.contains(payload), "\(path) holds the raw payload \(payload)")
                }
                for control in HostileCorpus.bidiControls {
                    #expect(!text.unicodeScalars.contains(control), "\(path) holds the bidi control U+\(String(control.value, radix: 16, uppercase: true))")
                }
                let lowered = text.lowercased()
                for attribute in ["href=\"javascript:", "src=\"javascript:", "href='javascript:", " onerror=", " onload=", "<script"] {
                    #expect(!lowered.contains(attribute), "\(path) holds \(attribute)")
                }
                if text.contains("&lt;script&gt;alert(&quot;sitegen-xss&quot;)&lt;/script&gt;") { sawEscapedPayload = true }
            }
            if path.hasSuffix(".csv") {
                for line in text.components(separatedBy: "\r\n") {
                    for cell in Self.csvCells(line) {
                        if let first = cell.first {
                            #expect(!"=+-@\t\r".contains(first) || Double(cell) != nil,
                                    "\(path): the cell \(cell.prefix(40).debugDescription) would run as a formula")
                        }
                    }
                }
            }
        }
        #expect(sawEscapedPayload, "the payload is shown, escaped, somewhere")
    }

    /// Each hostile file alone, through the loader: bounded time, and memory far below what the
    /// bombs expand to.
    @Test func eachHostileFileIsHandledInBoundedTimeAndMemory() throws {
        let (workspace, files) = try Self.workspace()
        defer { workspace.remove() }
        let loader = ReportLoader()
        let baseline = Self.peakResidentBytes()
        for file in files {
            let started = Date()
            let load = loader.load(contentsOf: workspace.root.appendingPathComponent("reports/hostile/" + file.path), as: file.path)
            let elapsed = Date().timeIntervalSince(started)
            #expect(elapsed < 15, "\(file.path.debugDescription) (\(file.threat)) took \(elapsed) s")
            switch file.outcome {
            case .refused: #expect(load.reportCount == 0 && !load.problems.isEmpty, "\(file.path.debugDescription)")
            case .partlyRead: #expect(load.reportCount > 0 && !load.problems.isEmpty, "\(file.path.debugDescription)")
            case .read: #expect(load.reportCount > 0 && load.problems.isEmpty, "\(file.path.debugDescription): \(load.problems)")
            }
            if file.path.hasSuffix("huge-report.xml") {
                #expect(elapsed < 1, "an oversized file is refused from its size, without reading it")
            }
        }
        let growth = Self.peakResidentBytes() - baseline
        #expect(growth < 1 << 30, "peak memory grew by \(growth >> 20) MiB")
    }

    /// Records may each count up to 10¹²; a build admits reports until they count 10¹⁵ together,
    /// then leaves the rest out by name, so no total (or percentage of one) can overflow.
    @Test func reportsBeyondTheBuildsCountLimitAreLeftOutByName() throws {
        let f = ReportFactory.self
        let perRecord = AggregateReportParser.maxRecordCount
        var reports: [String: Data] = [:]
        for index in 0..<102 {
            let records = (0..<10).map { f.record(ip: "192.0.2.\($0)", count: perRecord) }
            reports[String(format: "huge/%04d.xml", index)] = f.xml(f.report(id: "huge-\(index)", records: records))
        }
        let workspace = try FixtureWorkspace(config: Self.config, reports: reports)
        defer { workspace.remove() }
        let report = try workspace.build()
        let limit = InputLimits.standard.maxTotalCount
        #expect(report.skippedFiles.map(\.file) == ["huge/0100.xml", "huge/0101.xml"])
        for file in report.skippedFiles {
            #expect(file.problems.map(\.step) == [.total])
            #expect(file.problems.allSatisfy { $0.description.contains(file.file) && $0.reason.contains("\(limit)") })
        }
        let summary = try #require(workspace.text("public/acme-it/contoso/2025-12/summary.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])
        let totals = try #require(json["totals"] as? [String: Any])
        #expect(totals["messages"] as? Int == limit)
        #expect(totals["dmarc_pass"] as? Int == limit)
    }

    /// Foundation does not list names that are not UTF-8; such a file or folder is reported
    /// as skipped, not dropped silently.
    @Test func aFileNameThatIsNotUTF8IsListedAsSkipped() throws {
        let workspace = try FixtureWorkspace(config: Self.config, reports: Self.goodReports())
        defer { workspace.remove() }
        let reports = Array(workspace.root.appendingPathComponent("reports").path.utf8)
        let report = ReportFactory.xml(ReportFactory.report(id: "bad-name", records: [ReportFactory.record(count: 9)]))
        for name in [Array("bad".utf8) + [0xFF, 0xFE] + Array(".xml".utf8), Array("folder".utf8) + [0xC3]] {
            var path = reports + [UInt8(ascii: "/")] + name + [0]
            if name.last == 0xC3 {
                #expect(path.withUnsafeMutableBufferPointer { mkdir(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), 0o755) } == 0)
                path = reports + [UInt8(ascii: "/")] + name + Array("/inner.xml".utf8) + [0]
            }
            let descriptor = path.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644) }
            try #require(descriptor >= 0)
            _ = report.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            close(descriptor)
        }
        let build = try workspace.build()
        #expect(build.skippedFiles.map(\.file) == ["bad\u{FFFD}\u{FFFD}.xml", "folder\u{FFFD}"])
        #expect(build.skippedFiles.allSatisfy { $0.problems.first?.reason.contains("not valid UTF-8") == true })
        #expect(build.uniqueReports == 2, "the good reports are still read")
    }

    @Test func aSymbolicLinkIsListedAsSkippedAndNotFollowed() throws {
        let workspace = try FixtureWorkspace(config: Self.config, reports: Self.goodReports())
        defer { workspace.remove() }
        let reports = workspace.root.appendingPathComponent("reports")
        let outside = workspace.root.appendingPathComponent("outside.xml")
        try ReportFactory.xml(ReportFactory.report(id: "outside", records: [ReportFactory.record(count: 9)])).write(to: outside)
        try FileManager.default.createSymbolicLink(at: reports.appendingPathComponent("linked.xml"), withDestinationURL: outside)
        try FileManager.default.createSymbolicLink(at: reports.appendingPathComponent("linked-folder"), withDestinationURL: workspace.root)
        let build = try workspace.build()
        #expect(build.skippedFiles.map(\.file) == ["linked-folder", "linked.xml"])
        #expect(build.skippedFiles.allSatisfy { $0.problems.first?.reason == "a symbolic link; links are not followed" })
        #expect(build.uniqueReports == 2, "the good reports are read, the linked one is not")
    }

    // MARK: - Helpers

    /// A reason names the file (control characters escaped, so it cannot forge summary lines)
    /// and says something.
    static func expectReadable(_ problem: LoadProblem, naming path: String, threat: String) {
        let line = problem.description
        #expect(!line.contains("\n") && !line.contains("\r"), "a raw line break in \(line.debugDescription)")
        #expect(!line.unicodeScalars.contains { HostileCorpus.bidiControls.contains($0) }, "a raw bidi control in \(line.debugDescription)")
        let shownName = path.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\u{202E}", with: "\\u{202E}")
        #expect(line.contains(shownName), "\(line.debugDescription) does not name \(shownName.debugDescription)")
        #expect(problem.reason.count > 10, "\(threat): the reason \(problem.reason.debugDescription) says too little")
    }

    /// The reasons that the README documents say what the limit was.
    static func expectReasonsExplain(_ report: BuildReport) {
        let hints: [(String, String)] = [
            ("hostile/bombs/gzip", "MiB"), ("hostile/bombs/huge-report.xml", "64 MiB"), ("hostile/bombs/zip-overlapping", "MiB"),
            ("hostile/bombs/empty.xml", "empty"), ("hostile/counts/", "count"), ("hostile/nesting/", "nest"),
        ]
        for file in report.skippedFiles + report.partlySkippedFiles {
            guard let hint = hints.first(where: { file.file.hasPrefix($0.0) })?.1 else { continue }
            #expect(file.problems.contains { $0.reason.localizedCaseInsensitiveContains(hint) },
                    "\(file.file): \(file.problems.map(\.reason)) does not mention \(hint)")
        }
    }

    /// The cells of an RFC 4180 line, unquoted.
    static func csvCells(_ line: String) -> [String] {
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var iterator = line.makeIterator()
        var pendingQuote = false
        while let character = iterator.next() {
            if quoted {
                if pendingQuote {
                    pendingQuote = false
                    if character == "\"" { cell.append("\""); continue }
                    quoted = false
                } else if character == "\"" {
                    pendingQuote = true
                    continue
                } else {
                    cell.append(character)
                    continue
                }
            }
            switch character {
            case ",": cells.append(cell); cell = ""
            case "\"" where cell.isEmpty: quoted = true
            default: cell.append(character)
            }
        }
        cells.append(cell)
        return cells
    }

    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1_024  // kilobytes on Linux
    }
}
