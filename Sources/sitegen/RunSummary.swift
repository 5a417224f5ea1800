import Foundation
import SiteBuild

/// The closing summary of a build, as printed on standard output.
struct RunSummary {
    let report: BuildReport
    let month: String?
    let elapsed: TimeInterval

    var text: String {
        var lines: [String] = ["", "sitegen build summary"]
        func row(_ label: String, _ value: String) {
            lines.append("  " + label.padding(toLength: 20, withPad: " ", startingAt: 0) + value)
        }
        row("files read", "\(report.filesRead)")
        row("reports", "\(report.uniqueReports) DMARC and \(report.uniqueTLSReports) TLS unique of \(report.reportsRead) read")
        row("duplicates", "\(report.duplicates.count)")
        for duplicate in report.duplicates.prefix(20) {
            lines.append("    - \(duplicate.dropped) repeats \(duplicate.identity.orgName) report \(duplicate.identity.reportID) (kept \(duplicate.kept))")
        }
        if report.duplicates.count > 20 { lines.append("    … and \(report.duplicates.count - 20) more") }
        row("files skipped", "\(report.skippedFiles.count)")
        for file in report.skippedFiles {
            for problem in file.problems { lines.append("    - \(problem)") }
        }
        if !report.partlySkippedFiles.isEmpty {
            row("parts skipped", "\(report.partlySkippedFiles.count) files read in part")
            for file in report.partlySkippedFiles {
                for problem in file.problems { lines.append("    - \(problem)") }
            }
        }
        if let month {
            row("after \(month)", "\(report.reportsAfterMonth) reports left out")
        }
        let unassignedRecords = report.unassigned.reduce(0) { $0 + $1.records }
        let unassignedMessages = report.unassigned.reduce(0) { $0 + $1.messages }
        row("records unassigned", "\(unassignedRecords) records, \(unassignedMessages) messages, \(report.unassigned.count) domains no client owns")
        for domain in report.unassigned {
            let name = domain.headerFrom.isEmpty ? "(no header_from)" : domain.headerFrom
            lines.append("    - \(name): \(domain.records) records, \(domain.messages) messages in \(domain.reports.count) reports")
        }
        if !report.themeWarnings.isEmpty {
            row("theme warnings", "\(report.themeWarnings.count)")
            for warning in report.themeWarnings { lines.append("    - \(warning)") }
        }
        if !report.unassignedTLS.isEmpty {
            row("TLS unassigned", "\(report.unassignedTLS.reduce(0) { $0 + $1.messages }) sessions for \(report.unassignedTLS.count) policy domains no client owns")
            for domain in report.unassignedTLS {
                lines.append("    - \(domain.headerFrom.isEmpty ? "(no policy-domain)" : domain.headerFrom): \(domain.records) policy results, \(domain.messages) sessions in \(domain.reports.count) reports")
            }
        }
        row("clients", "\(report.clients) in \(report.resellers) resellers")
        row("pages written", "\(report.pages) (\(report.filesWritten) files\(report.output.map { " in \($0.path)" } ?? ""))")
        if !report.failures.isEmpty {
            row("failures", "\(report.failures.count)")
            for failure in report.failures { lines.append("    - \(failure)") }
        }
        row("elapsed", String(format: "%.2f s", elapsed))
        return lines.joined(separator: "\n")
    }
}
