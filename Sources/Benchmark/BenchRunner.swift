import Foundation

/// Runs the phases in order and puts their rows, the process's peak memory and the machine's
/// load into one report.
public struct BenchRunner: Sendable {
    public var context: BenchContext
    public var phases: [BenchPhase]

    public init(context: BenchContext, phases: [BenchPhase] = BenchPhase.standard) {
        self.context = context
        self.phases = phases
    }

    public func run() throws -> BenchReport {
        let loadBefore = ProcessStats.loadAverage
        var rows: [BenchRow] = []
        var peaks: [String] = []
        for phase in phases {
            rows += try phase.measure(context)
            peaks.append("\(phase.name) \(BenchFormat.megabytes(ProcessStats.peakResidentBytes))")
        }
        let peak = ProcessStats.peakResidentBytes
        rows.append(BenchRow(
            measurement: "peak memory", value: BenchFormat.megabytes(peak),
            target: BenchTarget(.below, 300, unit: "MB"), measured: Double(peak) / 1_000_000,
            note: "process peak RSS (getrusage ru_maxrss) of the whole run; peak so far after " + peaks.joined(separator: ", ")))
        let loadAfter = ProcessStats.loadAverage
        func loads(_ values: [Double]) -> String {
            values.isEmpty ? "unknown" : values.map { String(format: "%.2f", $0) }.joined(separator: " ")
        }
        return BenchReport(
            title: "sitegen bench: \(context.workspace.shape) (\(BenchFormat.integer(context.workspace.shape.expectedFiles)) files asked for) in \(context.workspace.folder.path)",
            machine: "\(ProcessStats.activeProcessors) cores; load average (1, 5, 15 min) \(loads(loadBefore)) before, \(loads(loadAfter)) after: other work on the machine slows every figure",
            rows: rows)
    }
}
