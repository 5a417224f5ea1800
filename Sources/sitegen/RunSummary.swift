import Foundation
import ReportArchive
import ReportModel
import SiteBuild

/// Lines of a closing summary: a label column and values, with detail lines below.
struct SummaryLines {
    private(set) var lines: [String]

    init(title: String) {
        lines = ["", title]
    }

    mutating func row(_ label: String, _ value: String) {
        lines.append("  " + label.padding(toLength: 20, withPad: " ", startingAt: 0) + value)
    }

    mutating func detail(_ text: String) {
        lines.append("    - " + text)
    }

    mutating func note(_ text: String) {
        lines.append("    " + text)
    }

    /// What reading files found: duplicates and the files or parts that were skipped.
    mutating func ingestProblems(duplicates: [DuplicateReport], skipped: [FileLoad], partlySkipped: [FileLoad]) {
        row("duplicates", "\(duplicates.count)")
        for duplicate in duplicates.prefix(20) {
            detail("\(duplicate.dropped) repeats \(duplicate.identity.orgName) report \(duplicate.identity.reportID) (kept \(duplicate.kept))")
        }
        if duplicates.count > 20 { note("… and \(duplicates.count - 20) more") }
        row("files skipped", "\(skipped.count)")
        for file in skipped {
            for problem in file.problems { detail("\(problem)") }
        }
        if !partlySkipped.isEmpty {
            row("parts skipped", "\(partlySkipped.count) files read in part")
            for file in partlySkipped {
                for problem in file.problems { detail("\(problem)") }
            }
        }
    }

    var text: String { lines.joined(separator: "\n") }
}

/// The closing summary of `ingest`, as printed on standard output.
struct IngestSummary {
    let run: ArchiveIngestResult
    let archive: ArchiveCounts
    let elapsed: TimeInterval

    var text: String {
        var summary = SummaryLines(title: "sitegen ingest summary")
        summary.row("files read", "\(run.filesRead) (\(run.filesKnown) already in the archive)")
        summary.row("reports added", "\(run.added.addedReports) DMARC and \(run.added.addedTLSReports) TLS of \(run.reportsRead) read")
        summary.ingestProblems(duplicates: run.added.duplicates, skipped: run.skippedFiles, partlySkipped: run.partlySkippedFiles)
        summary.row("archive", "\(archive.reports) DMARC and \(archive.tlsReports) TLS reports from \(archive.files) files")
        summary.row("elapsed", String(format: "%.2f s", elapsed))
        return summary.text
    }
}

/// The closing summary of a build, as printed on standard output.
struct RunSummary {
    let report: BuildReport
    let month: String?
    let elapsed: TimeInterval

    var text: String {
        var summary = SummaryLines(title: "sitegen build summary")
        summary.row("files read", "\(report.filesRead) (\(report.filesKnown) already in the archive)")
        summary.row("reports", "\(report.uniqueReports) DMARC and \(report.uniqueTLSReports) TLS unique; \(report.reportsAdded) added of \(report.reportsRead) read")
        summary.ingestProblems(duplicates: report.duplicates, skipped: report.skippedFiles, partlySkipped: report.partlySkippedFiles)
        if let month {
            summary.row("after \(month)", "\(report.reportsAfterMonth) reports left out")
        }
        let unassignedRecords = report.unassigned.reduce(0) { $0 + $1.records }
        let unassignedMessages = report.unassigned.reduce(0) { $0 + $1.messages }
        summary.row("records unassigned", "\(unassignedRecords) records, \(unassignedMessages) messages, \(report.unassigned.count) domains no client owns")
        for domain in report.unassigned {
            let name = domain.headerFrom.isEmpty ? "(no header_from)" : domain.headerFrom
            summary.detail("\(name): \(domain.records) records, \(domain.messages) messages in \(domain.reports.count) reports")
        }
        if !report.themeWarnings.isEmpty {
            summary.row("theme warnings", "\(report.themeWarnings.count)")
            for warning in report.themeWarnings { summary.detail("\(warning)") }
        }
        if !report.unassignedTLS.isEmpty {
            summary.row("TLS unassigned", "\(report.unassignedTLS.reduce(0) { $0 + $1.messages }) sessions for \(report.unassignedTLS.count) policy domains no client owns")
            for domain in report.unassignedTLS {
                summary.detail("\(domain.headerFrom.isEmpty ? "(no policy-domain)" : domain.headerFrom): \(domain.records) policy results, \(domain.messages) sessions in \(domain.reports.count) reports")
            }
        }
        summary.row("clients", "\(report.clients) in \(report.resellers) resellers (\(report.clientsReused) unchanged, pages carried over)")
        summary.row("pages", "\(report.pages)\(report.output.map { " in \($0.path)" } ?? "")")
        let folders = report.clientFoldersReplaced == 1 ? "1 client folder" : "\(report.clientFoldersReplaced) client folders"
        summary.row("sites", "\(report.sitesReplaced) replaced, \(report.sitesUpdated) with \(folders) replaced, "
            + "\(report.sitesUnchanged) unchanged (\(report.filesWritten) files written"
            + (report.filesKept > 0 ? ", \(report.filesKept) of them unchanged and kept" : "") + ")")
        if !report.failures.isEmpty {
            summary.row("failures", "\(report.failures.count)")
            for failure in report.failures { summary.detail("\(failure)") }
        }
        summary.row("elapsed", String(format: "%.2f s", elapsed))
        return summary.text
    }
}
