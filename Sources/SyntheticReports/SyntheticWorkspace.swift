import Foundation
import ReportModel

/// Generates the report files of a synthetic workspace, identical for the same spec.
///
/// Each report comes from a generator seeded by the spec's seed, the domain, the day and the
/// reporter, so changing one domain leaves the files of the others unchanged.
public struct SyntheticWorkspace: Sendable {
    public var spec: SyntheticWorkspaceSpec

    public init(spec: SyntheticWorkspaceSpec) {
        self.spec = spec
    }

    /// All files, sorted by path, with the reports they hold and the totals.
    ///
    /// Domain-months are generated in parallel on all cores (the call blocks until done); each
    /// draws only from its own seeded streams, so the result does not depend on scheduling.
    public func generate() throws -> SyntheticOutput {
        let domains = try validatedDomains()
        let generators = domains.filter { $0.dailyVolume > 0 }.map { DomainReportGenerator(domain: $0, spec: spec) }
        let units = generators.flatMap { generator in spec.months.map { (generator, $0) } }
        var usedIdentities: Set<ReportIdentity> = []
        var files = try Self.files(of: units, usedIdentities: &usedIdentities)
        files.sort { $0.relativePath < $1.relativePath }
        let tlsFiles = try generateTLS(domains)
        return SyntheticOutput(
            files: files, tlsFiles: tlsFiles,
            summary: GenerationSummary(files: files, tlsFiles: tlsFiles, domains: domains.map(\.name)))
    }

    /// The files of some domain-months, generated in parallel, in unit order. A report whose
    /// identity is already in `usedIdentities` gets a new id.
    private static func files(
        of units: [(DomainReportGenerator, ReportMonth)], usedIdentities: inout Set<ReportIdentity>
    ) throws -> [GeneratedReportFile] {
        let unitResults = ParallelMap.map(units) { generator, month in
            Result { try generator.files(in: month) }
        }
        var files: [GeneratedReportFile] = []
        for result in unitResults {
            for (pending, file) in try result.get() {
                guard usedIdentities.insert(file.report.identity).inserted else {
                    // Report ids are random; this only guards against a chance repeat.
                    var renamed = pending
                    var attempt = 1
                    repeat {
                        attempt += 1
                        renamed.report.metadata.reportID = "\(pending.report.metadata.reportID)-\(attempt)"
                    } while !usedIdentities.insert(renamed.report.identity).inserted
                    files.append(try renamed.file())
                    continue
                }
                files.append(file)
            }
        }
        return files
    }

    /// Writes the same files as `write(to:)`, but generates and writes `unitsPerBatch`
    /// domain-months at a time, so memory holds one batch, not the workspace: for workspaces
    /// with hundreds of thousands of files.
    @discardableResult
    public func writeInBatches(to reportsFolder: URL, unitsPerBatch: Int = 64) throws -> SyntheticWriteCounts {
        let domains = try validatedDomains()
        let generators = domains.filter { $0.dailyVolume > 0 }.map { DomainReportGenerator(domain: $0, spec: spec) }
        let units = generators.flatMap { generator in spec.months.map { (generator, $0) } }
        var writer = ReportFileWriter(reportsFolder: reportsFolder)
        var counts = SyntheticWriteCounts()
        var usedIdentities: Set<ReportIdentity> = []
        var start = 0
        while start < units.count {
            let end = min(units.count, start + max(1, unitsPerBatch))
            for file in try Self.files(of: Array(units[start..<end]), usedIdentities: &usedIdentities) {
                try writer.write(file.bytes, at: file.relativePath)
                counts.files += 1
                counts.reports += 1
                counts.records += file.report.records.count
                counts.messages += file.report.records.reduce(0) { $0 + $1.count }
                counts.bytes += file.bytes.count
            }
            start = end
        }
        for file in try generateTLS(domains) {
            try writer.write(file.bytes, at: file.relativePath)
            counts.files += 1
            counts.tlsReports += 1
            counts.bytes += file.bytes.count
        }
        return counts
    }

    /// The SMTP TLS report files of the domains that ask for them, sorted by path.
    private func generateTLS(_ domains: [SyntheticDomain]) throws -> [GeneratedTLSReportFile] {
        let generators = domains.compactMap { DomainTLSReportGenerator(domain: $0, spec: spec) }
        let units = generators.flatMap { generator in spec.months.map { (generator, $0) } }
        let unitResults = ParallelMap.map(units) { generator, month in
            Result { try generator.files(in: month) }
        }
        var files: [GeneratedTLSReportFile] = []
        for result in unitResults {
            files += try result.get()
        }
        return files.sorted { $0.relativePath < $1.relativePath }
    }

    /// The files only (DMARC and SMTP TLS reports): paths relative to the reports folder and
    /// their bytes, sorted by path.
    public func files() throws -> [(relativePath: String, bytes: Data)] {
        try generate().allFiles
    }

    /// Writes every file below `reportsFolder` (as `<reporter>/<YYYY-MM>/<file name>`, TLS
    /// reports as `<reporter>/<YYYY-MM>/tls/<file name>`), creating folders and replacing files
    /// of the same name; other files are left alone.
    @discardableResult
    public func write(to reportsFolder: URL) throws -> GenerationSummary {
        let output = try generate()
        var writer = ReportFileWriter(reportsFolder: reportsFolder)
        for file in output.allFiles {
            try writer.write(file.bytes, at: file.relativePath)
        }
        return output.summary
    }

    /// Domain names normalised; each must be a host name, and appear once (file names would clash).
    private func validatedDomains() throws -> [SyntheticDomain] {
        var seen: Set<String> = []
        return try spec.domains.map { domain in
            var domain = domain
            domain.name = DomainName.normalized(domain.name)
            guard DomainName.isValidHostName(domain.name) else {
                throw SyntheticSpecError(description: "\"\(domain.name)\" is not a valid domain name")
            }
            guard seen.insert(domain.name).inserted else {
                throw SyntheticSpecError(description: "\(domain.name) appears more than once")
            }
            for mx in domain.tls?.mxHosts ?? [] where !DomainName.isValidHostName(DomainName.normalized(mx.host)) {
                throw SyntheticSpecError(description: "\(domain.name): MX host \"\(mx.host)\" is not a valid host name")
            }
            return domain
        }
    }
}

/// Writes files below a reports folder, creating each folder once.
private struct ReportFileWriter {
    let reportsFolder: URL
    private var createdFolders: Set<String> = []

    init(reportsFolder: URL) {
        self.reportsFolder = reportsFolder
    }

    mutating func write(_ bytes: Data, at relativePath: String) throws {
        let url = reportsFolder.appendingPathComponent(relativePath, isDirectory: false)
        let folder = url.deletingLastPathComponent()
        if createdFolders.insert(folder.path).inserted {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try bytes.write(to: url)
    }
}

/// What `SyntheticWorkspace.writeInBatches(to:)` wrote.
public struct SyntheticWriteCounts: Sendable, Hashable {
    /// All files, DMARC and SMTP TLS reports.
    public var files = 0
    /// DMARC aggregate reports (one per file), their records and messages.
    public var reports = 0
    public var records = 0
    public var messages = 0
    public var tlsReports = 0
    /// Total size of all files.
    public var bytes = 0

    public init() {}
}

/// A spec that cannot be generated.
public struct SyntheticSpecError: Error, CustomStringConvertible {
    public var description: String
}

/// What `SyntheticWorkspace.generate()` produced.
public struct SyntheticOutput: Sendable {
    /// DMARC aggregate reports, sorted by path.
    public var files: [GeneratedReportFile]
    /// SMTP TLS reports, sorted by path.
    public var tlsFiles: [GeneratedTLSReportFile]
    public var summary: GenerationSummary

    /// Paths and bytes of the files of both kinds, sorted by path.
    public var allFiles: [(relativePath: String, bytes: Data)] {
        let all = files.map { ($0.relativePath, $0.bytes) } + tlsFiles.map { ($0.relativePath, $0.bytes) }
        return all.sorted { $0.0 < $1.0 }
    }
}

/// One report file and the report it holds.
public struct GeneratedReportFile: Sendable, Hashable {
    /// `<reporter>/<YYYY-MM>/<file name>`, with `/` separators.
    public var relativePath: String
    public var bytes: Data
    public var kind: SyntheticFileKind
    public var quirks: [SyntheticQuirk]
    public var reporter: SyntheticReporter
    /// The report as generated; reading `bytes` back gives an equal report.
    public var report: AggregateReport
}

/// One SMTP TLS report file and the report it holds.
public struct GeneratedTLSReportFile: Sendable, Hashable {
    /// `<reporter>/<YYYY-MM>/tls/<file name>`, with `/` separators.
    public var relativePath: String
    public var bytes: Data
    public var kind: SyntheticTLSFileKind
    public var reporter: SyntheticTLSReporter
    /// The report as generated; reading `bytes` back gives an equal report.
    public var report: TLSReport
}

/// Deviations from clean output that real reporters produce.
public enum SyntheticQuirk: String, Sendable, Hashable, CaseIterable {
    case capitalisedResults, paddedValues, byteOrderMark, gzipInGzip
}

/// A report before it is serialised and packed.
struct PendingReport: Sendable {
    var report: AggregateReport
    var reporter: SyntheticReporter
    var kind: SyntheticFileKind
    var writerQuirks: ReportXMLWriter.Quirks
    var byteOrderMark: Bool
    /// When the reporter wrote the file (Unix time), which zip archives record.
    var modificationTime: Int64

    func file() throws -> GeneratedReportFile {
        var xml = ReportXMLWriter(quirks: writerQuirks).data(for: report)
        if byteOrderMark { xml.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: xml.startIndex) }
        let domain = report.policy.domain
        let range = report.metadata.dateRange
        let bytes = try ReportPackager.package(
            xml, as: kind, entryName: reporter.entryName(domain: domain, range: range),
            modificationTime: modificationTime)
        let name = reporter.fileName(domain: domain, range: range, reportID: report.metadata.reportID, kind: kind)
        var quirks: [SyntheticQuirk] = []
        if writerQuirks.contains(.capitalisedResults) { quirks.append(.capitalisedResults) }
        if writerQuirks.contains(.paddedValues) { quirks.append(.paddedValues) }
        if byteOrderMark { quirks.append(.byteOrderMark) }
        if kind == .gzipInGzip { quirks.append(.gzipInGzip) }
        let month = ReportMonth(unixTime: range.begin)
        return GeneratedReportFile(
            relativePath: "\(reporter.folderName)/\(month)/\(name)", bytes: bytes, kind: kind,
            quirks: quirks, reporter: reporter, report: report)
    }
}

/// Generates the reports about one domain, day by day.
struct DomainReportGenerator: Sendable {
    let domain: SyntheticDomain
    let spec: SyntheticWorkspaceSpec
    private let senders: [SenderTraffic]
    private let spoofers: SpoofTraffic
    /// Smaller domains reach fewer receivers often enough to be reported every day.
    private let reach: Double
    /// The expected share of the mail sent that ends up in some report; dividing by it makes
    /// `dailyVolume` the number of messages reports show on a working day.
    private let coverage: Double

    init(domain: SyntheticDomain, spec: SyntheticWorkspaceSpec) {
        self.domain = domain
        self.spec = spec
        let facts = DomainFacts(domain)
        senders = domain.senders.filter { $0.share > 0 }.map { SenderTraffic(spec: $0, facts: facts, seed: spec.seed) }
        spoofers = SpoofTraffic(facts: facts, seed: spec.seed)
        let reach = min(1, Double(domain.dailyVolume) / 800)
        self.reach = reach
        coverage = spec.reporting.reporters.reduce(0) { $0 + $1.mailShare * spec.reporting.reportChance($1, reach: reach) }
    }

    /// The files of one month, each with the report before packing (to rename it if need be).
    func files(in month: ReportMonth) throws -> [(PendingReport, GeneratedReportFile)] {
        try spec.reportDays(in: month).flatMap { day in
            try reports(on: day, in: month).map { ($0, try $0.file()) }
        }
    }

    func reports(on day: CalendarDay, in month: ReportMonth) -> [PendingReport] {
        var dayRng = SplitMix64(seed: spec.seed, labels: ["day", domain.name, day.description])
        let volume = dayVolume(day, month, &dayRng)
        // A spoofing campaign hits every receiver on the same day.
        let spoofFactor = dayRng.chance(0.04) ? dayRng.double(5, 12) : dayRng.noise(spread: 0.6)
        let policy = domain.policy(in: month)
        let active = senders.filter { $0.spec.isActive(in: month) }

        var result: [PendingReport] = []
        for reporter in spec.reporting.reporters {
            var rng = SplitMix64(seed: spec.seed, labels: ["report", domain.name, day.description, reporter.rawValue])
            guard rng.chance(spec.reporting.reportChance(reporter, reach: reach)) else { continue }
            let received = Split.stochasticRound(volume / coverage * reporter.mailShare * rng.noise(spread: 0.3), &rng)
            guard received > 0 else { continue }
            let spoofed = min(received, Split.stochasticRound(Double(received) * domain.spoofingShare * spoofFactor, &rng))
            let perSender = Split.proportional(received - spoofed, weights: active.map(\.spec.share), noise: 0.3, &rng)
            var batches: [MessageBatch] = []
            for (sender, count) in zip(active, perSender) where count > 0 {
                batches += sender.batches(count: count, month: month, &rng)
            }
            batches += spoofers.batches(count: spoofed, &rng)

            let builder = ReportBuilder(reporter: reporter, domain: domain.name, policy: policy)
            let range = day.dateRange
            let reportID = reporter.reportID(begin: range.begin, domain: domain.name, &rng)
            guard let report = builder.report(batches: batches, range: range, reportID: reportID, &rng) else { continue }
            result.append(pending(report, reporter, &rng))
        }
        return result
    }

    private func pending(_ report: AggregateReport, _ reporter: SyntheticReporter, _ rng: inout SplitMix64) -> PendingReport {
        var kind = spec.reporting.packing(reporter, &rng)
        var quirks: ReportXMLWriter.Quirks = []
        if rng.chance(spec.quirkRate) { quirks.insert(.capitalisedResults) }
        if rng.chance(spec.quirkRate) { quirks.insert(.paddedValues) }
        let byteOrderMark = rng.chance(spec.quirkRate)
        if kind == .gzip && rng.chance(spec.quirkRate) { kind = .gzipInGzip }
        // Reports are sent a few hours after the day ends.
        let sent = report.metadata.dateRange.end + 1 + Int64(rng.below(6 * 3_600))
        return PendingReport(
            report: report, reporter: reporter, kind: kind, writerQuirks: quirks,
            byteOrderMark: byteOrderMark, modificationTime: sent)
    }

    /// Messages sent that day: base volume, growth since the first month, season, weekday, noise.
    private func dayVolume(_ day: CalendarDay, _ month: ReportMonth, _ rng: inout SplitMix64) -> Double {
        let traffic = domain.traffic
        var growth = 1.0
        for _ in 0..<spec.firstMonth.monthsUntil(month) { growth *= 1 + traffic.monthlyGrowth }
        let weekday = day.isWeekend ? traffic.weekendFactor : 1
        return Double(domain.dailyVolume) * growth * traffic.seasonalFactor(month: month.month) * weekday
            * rng.noise(spread: traffic.dailyNoise)
    }
}

/// One UTC day.
public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let daysSinceEpoch: Int

    init(daysSinceEpoch: Int) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    public init(year: Int, month: Int, day: Int) {
        self.init(daysSinceEpoch: CivilDate.daysSinceEpoch(year: year, month: month, day: day))
    }

    /// 00:00:00 to 23:59:59 UTC.
    var dateRange: DateRange {
        let begin = Int64(daysSinceEpoch) * 86_400
        return DateRange(begin: begin, end: begin + 86_399)
    }

    /// 1970-01-01 was a Thursday.
    var isWeekend: Bool {
        let weekday = ((daysSinceEpoch + 4) % 7 + 7) % 7  // 0 = Sunday
        return weekday == 0 || weekday == 6
    }

    public var description: String {
        let (year, month, day) = CivilDate.from(daysSinceEpoch: daysSinceEpoch)
        return String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }
}

extension ReportMonth {
    var next: ReportMonth {
        month == 12 ? ReportMonth(year: year + 1, month: 1) : ReportMonth(year: year, month: month + 1)
    }

    var days: [CalendarDay] {
        let first = CivilDate.daysSinceEpoch(year: year, month: month, day: 1)
        let following = CivilDate.daysSinceEpoch(year: next.year, month: next.month, day: 1)
        return (first..<following).map(CalendarDay.init(daysSinceEpoch:))
    }

    /// Whole months from `self` to `later`; zero when `later` is not later.
    func monthsUntil(_ later: ReportMonth) -> Int {
        max(0, (later.year - year) * 12 + later.month - month)
    }
}
