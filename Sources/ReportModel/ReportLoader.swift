import Foundation
import ZIPFoundation

/// Where a report came from: a file below the reports folder and, inside archives, the entry.
public struct ReportSource: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var file: String
    public var entries: [String]

    public init(file: String, entries: [String] = []) {
        self.file = file
        self.entries = entries
    }

    public func appending(entry: String) -> ReportSource {
        ReportSource(file: file, entries: entries + [entry])
    }

    /// For messages: names come from file systems, archives and e-mails, so line breaks,
    /// other control characters and bidi controls are written as escapes; a name can then
    /// neither forge a line of the run summary nor reorder it.
    public var description: String { ([file] + entries).map(Self.displayName).joined(separator: " ▸ ") }

    static func displayName(_ name: String) -> String {
        var shown = ""
        for scalar in name.unicodeScalars {
            switch scalar {
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || isFormatControl(scalar):
                shown += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    /// Bidi embeddings, overrides and isolates, marks, and the line and paragraph separators.
    private static func isFormatControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.file, lhs.entries.joined(separator: "\u{0}")) < (rhs.file, rhs.entries.joined(separator: "\u{0}"))
    }
}

public struct LoadedReport: Sendable, Hashable {
    public var source: ReportSource
    public var report: AggregateReport

    public init(source: ReportSource, report: AggregateReport) {
        self.source = source
        self.report = report
    }
}

public struct LoadedTLSReport: Sendable, Hashable {
    public var source: ReportSource
    public var report: TLSReport

    public init(source: ReportSource, report: TLSReport) {
        self.source = source
        self.report = report
    }
}

/// Why something in a file could not be used; `step` names the stage that refused it.
public struct LoadProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Step: String, Sendable, Hashable {
        case read, detect, decompress, unzip, unmail, parse
        /// Left out because the build's totals would pass `InputLimits.maxTotalCount`.
        case total
    }

    public var source: ReportSource
    public var step: Step
    public var reason: String

    public init(source: ReportSource, step: Step, reason: String) {
        self.source = source
        self.step = step
        self.reason = reason
    }

    public var description: String { "[\(step.rawValue)] \(source): \(reason)" }
}

/// Everything one input file yielded.
public struct FileLoad: Sendable, Hashable {
    public var file: String
    public var reports: [LoadedReport] = []
    public var tlsReports: [LoadedTLSReport] = []
    public var problems: [LoadProblem] = []

    /// Reports of either kind.
    public var reportCount: Int { reports.count + tlsReports.count }

    public init(file: String) {
        self.file = file
    }
}

/// Turns the bytes of one input file into reports (DMARC aggregate XML, SMTP TLS JSON),
/// unpacking gzip, zlib, zip and e-mail by content.
public struct ReportLoader: Sendable {
    public var limits: InputLimits

    public init(limits: InputLimits = .standard) {
        self.limits = limits
    }

    public func load(contentsOf url: URL, as name: String) -> FileLoad {
        var result = FileLoad(file: name)
        let source = ReportSource(file: name)
        do {
            let size = try url.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0
            if size > limits.maxFileBytes, let export = try Self.exportKind(url) {
                guard size <= limits.maxExportBytes else {
                    result.problems.append(LoadProblem(
                        source: source, step: .read,
                        reason: "the \(export.description) is \(size) bytes, over the export limit (\(MailMessage.describe(bytes: limits.maxExportBytes)))"))
                    return result
                }
                if export == .mbox {
                    loadMailbox(at: url, from: source, into: &result)
                } else {
                    // Mapped, not read: only the pages of the report being parsed are in memory.
                    var budget = limits.maxArchiveBytes
                    load(try Data(contentsOf: url, options: .alwaysMapped), from: source, depth: 0, budget: &budget, into: &result)
                }
                return result
            }
        } catch {
            result.problems.append(LoadProblem(source: source, step: .read, reason: "cannot read: \(error.localizedDescription)"))
            return result
        }
        switch FileBytes.contents(ofPath: url.path, limit: limits.maxFileBytes) {
        case .success(let data):
            var budget = limits.maxArchiveBytes
            load(data, from: source, depth: 0, budget: &budget, into: &result)
        case .failure(.tooLarge(let size)):
            result.problems.append(LoadProblem(
                source: source, step: .read,
                reason: "the file is \(size) bytes, over the \(limits.maxFileBytes >> 20) MiB limit"))
        case .failure(.unreadable(let reason)):
            result.problems.append(LoadProblem(source: source, step: .read, reason: "cannot read: \(reason)"))
        }
        return result
    }

    public func load(_ data: Data, as name: String) -> FileLoad {
        var result = FileLoad(file: name)
        var budget = limits.maxArchiveBytes
        load(data, from: ReportSource(file: name), depth: 0, budget: &budget, into: &result)
        return result
    }

    /// `budget` is what decompression may still produce for this input file, all its archive
    /// entries and compressed members together, counting output that was refused as too large:
    /// it bounds the work one file can cause (overlapping zip entries, bombs inside archives).
    private func load(_ data: Data, from source: ReportSource, depth: Int, budget: inout Int, into result: inout FileLoad) {
        guard depth <= limits.maxNesting else {
            result.problems.append(LoadProblem(
                source: source, step: .detect, reason: "containers nest deeper than \(limits.maxNesting) levels"))
            return
        }
        let kind = InputKind.detect(data)
        switch kind {
        case .gzip, .zlib:
            let limit = min(limits.maxExpandedBytes, budget)
            do {
                let inflated = try Inflater.inflate(data, limit: limit)
                budget -= inflated.count
                load(inflated, from: source, depth: depth + 1, budget: &budget, into: &result)
            } catch {
                var reason = error.description
                if case .tooLarge = error {
                    budget -= limit
                    if limit < limits.maxExpandedBytes { reason = budgetExceeded }
                }
                result.problems.append(LoadProblem(source: source, step: .decompress, reason: "\(kind.description): \(reason)"))
            }
        case .zip:
            loadArchive(data, from: source, depth: depth, budget: &budget, into: &result)
        case .xml:
            do {
                let report = try AggregateReportParser(limits: limits).parse(data)
                result.reports.append(LoadedReport(source: source, report: report))
            } catch {
                result.problems.append(LoadProblem(source: source, step: .parse, reason: error.reason))
            }
        case .json where ParsedmarcJSONReader.isParsedmarcOutput(data):
            do {
                let reports = try ParsedmarcJSONReader(limits: limits).reports(in: data)
                take(reports, from: source, into: &result)
            } catch {
                result.problems.append(LoadProblem(source: source, step: .parse, reason: "parsedmarc JSON: \(error.reason)"))
            }
        case .json:
            do {
                let report = try TLSReportParser(limits: limits).parse(data)
                result.tlsReports.append(LoadedTLSReport(source: source, report: report))
            } catch {
                result.problems.append(LoadProblem(source: source, step: .parse, reason: "SMTP TLS report: \(error.reason)"))
            }
        case .mail:
            loadMail(data, from: source, depth: depth, budget: &budget, into: &result)
        case .mbox:
            for message in MboxSplitter.split(data, maxMessageBytes: limits.maxFileBytes) {
                loadMessage(message, from: source, depth: depth, into: &result)
            }
        case .parsedmarcCSV:
            let reports = ParsedmarcCSVReader(limits: limits).reports(in: data)
            take(reports, from: source, into: &result)
        case .empty:
            result.problems.append(LoadProblem(source: source, step: .detect, reason: "the file is empty"))
        case .unknown:
            result.problems.append(LoadProblem(
                source: source, step: .detect,
                reason: "not XML, JSON, gzip, zlib, zip, an e-mail, an mbox or parsedmarc CSV (first bytes \(Self.hexPrefix(data)))"))
        }
    }

    /// Reports read back from another tool's output, each with its own place in the file.
    private func take(_ reports: [ImportedReport], from source: ReportSource, into result: inout FileLoad) {
        for imported in reports {
            let place = source.appending(entry: imported.place)
            switch imported.result {
            case .success(let report): result.reports.append(LoadedReport(source: place, report: report))
            case .failure(let error): result.problems.append(LoadProblem(source: place, step: .parse, reason: error.reason))
            }
        }
    }

    /// Reads an mbox too large to hold at once, message by message.
    private func loadMailbox(at url: URL, from source: ReportSource, into result: inout FileLoad) {
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            var splitter = MboxSplitter(maxMessageBytes: limits.maxFileBytes)
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                for message in splitter.feed(chunk) { loadMessage(message, from: source, depth: 0, into: &result) }
            }
            for message in splitter.finish() { loadMessage(message, from: source, depth: 0, into: &result) }
        } catch {
            result.problems.append(LoadProblem(source: source, step: .read, reason: "cannot read: \(error.localizedDescription)"))
        }
    }

    /// One message of an mbox: a problem in it concerns that message only. Messages are always
    /// numbered, also in an mbox of one message: mboxes grow, and a report must keep its name
    /// when its mbox gets a second message, or reading it again would list it as a copy of itself.
    private func loadMessage(_ message: MboxMessage, from source: ReportSource, depth: Int, into result: inout FileLoad) {
        let place = source.appending(entry: "message \(message.number)")
        guard !message.isTooLarge else {
            result.problems.append(LoadProblem(
                source: place, step: .unmail,
                reason: "the message is \(message.size) bytes, over the message limit (\(MailMessage.describe(bytes: limits.maxFileBytes)))"))
            return
        }
        // Each message of a mailbox export has the decompression budget of a file of its own.
        var budget = limits.maxArchiveBytes
        loadMail(message.bytes, from: place, depth: depth, budget: &budget, into: &result)
    }

    /// The kinds read in pieces, which may be larger than one file: mbox and parsedmarc output.
    private static func exportKind(_ url: URL) throws -> InputKind? {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let head = try handle.read(upToCount: 8_192) ?? Data()
        switch InputKind.detect(head) {
        case .mbox: return .mbox
        case .parsedmarcCSV: return .parsedmarcCSV
        case .json where ParsedmarcJSONReader.isParsedmarcOutput(head): return .json
        default: return nil
        }
    }

    private var budgetExceeded: String {
        "expands beyond the \(limits.maxArchiveBytes >> 20) MiB that one input file may expand to, all its parts together"
    }

    private func loadArchive(_ data: Data, from source: ReportSource, depth: Int, budget: inout Int, into result: inout FileLoad) {
        // ZIPFoundation's in-memory archive traps (crashing the whole build) when an offset in
        // the archive points past its end (found by fuzzing); reading from a file, such an
        // offset only gives a short read and an error. So the bytes go to a private temporary file.
        let ranges: [ZipBounds.EntryData]
        switch ZipBounds.entries(in: data) {
        case .failure(let problem):
            result.problems.append(LoadProblem(source: source, step: .unzip, reason: "not a readable zip archive: \(problem.text)"))
            return
        case .success(let found):
            ranges = found
        }
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let archive: Archive
        do {
            try data.write(to: temporary, options: [.withoutOverwriting])
            archive = try Archive(url: temporary, accessMode: .read)
        } catch {
            result.problems.append(LoadProblem(source: source, step: .unzip, reason: "not a readable zip archive (\(error))"))
            return
        }
        var examined = 0
        var usable = 0
        var directoryIndex = -1
        for entry in archive {
            directoryIndex += 1
            guard entry.type == .file else { continue }
            let name = entry.path
            if Self.isMacOSMetadata(name) { continue }
            examined += 1
            let entrySource = source.appending(entry: name.isEmpty ? "entry \(examined)" : name)
            guard examined <= limits.maxArchiveEntries else {
                result.problems.append(LoadProblem(
                    source: source, step: .unzip,
                    reason: "more than \(limits.maxArchiveEntries) entries; the rest were not read"))
                break
            }
            guard budget > 0 else {
                result.problems.append(LoadProblem(
                    source: source, step: .unzip, reason: "the archive \(budgetExceeded); the rest of its entries were not read"))
                break
            }
            var contents = Data()
            var inflated = 0
            let entryLimit = min(limits.maxExpandedBytes, budget)
            do {
                if directoryIndex < ranges.count, ranges[directoryIndex].method == 8 {
                    // Deflated data is inflated here: ZIPFoundation loops forever on a deflate
                    // stream that runs to the end of the file without ending (found by fuzzing).
                    var failure: Inflater.Failure?
                    do {
                        contents = try Inflater.inflateRaw(data.subdata(in: ranges[directoryIndex].range), limit: entryLimit)
                    } catch {
                        failure = error
                    }
                    inflated = failure == nil ? contents.count : entryLimit
                    if case .tooLarge = failure { throw ArchiveEntryTooLarge() }
                    if let failure { throw failure }
                } else {
                    // The CRC-32 was never compared; computing it in Swift made a zip bomb cost
                    // ten times the time of inflating it in a debug build.
                    _ = try archive.extract(entry, skipCRC32: true) { chunk in
                        inflated += chunk.count
                        guard contents.count + chunk.count <= entryLimit else { throw ArchiveEntryTooLarge() }
                        contents.append(chunk)
                    }
                }
            } catch is ArchiveEntryTooLarge {
                budget -= inflated
                result.problems.append(LoadProblem(
                    source: entrySource, step: .unzip,
                    reason: entryLimit < limits.maxExpandedBytes ? budgetExceeded : "expands beyond the \(entryLimit >> 20) MiB limit"))
                continue
            } catch {
                budget -= inflated
                result.problems.append(LoadProblem(source: entrySource, step: .unzip, reason: "cannot extract (\(error))"))
                continue
            }
            budget -= inflated
            usable += 1
            load(contents, from: entrySource, depth: depth + 1, budget: &budget, into: &result)
        }
        if usable == 0 && examined == 0 {
            result.problems.append(LoadProblem(source: source, step: .unzip, reason: "the archive holds no files"))
        }
    }

    /// Reads every attachment of a report e-mail as if it were a file of its own.
    private func loadMail(_ data: Data, from source: ReportSource, depth: Int, budget: inout Int, into result: inout FileLoad) {
        let parts: [MailPart]
        do {
            parts = try MailMessage.attachments(of: data, limits: limits)
        } catch {
            result.problems.append(LoadProblem(source: source, step: .unmail, reason: error.reason))
            return
        }
        guard !parts.isEmpty else {
            result.problems.append(LoadProblem(
                source: source, step: .unmail,
                reason: "an e-mail with no attachment that could hold an aggregate report (a failure report or an ordinary message?)"))
            return
        }
        for (index, part) in parts.enumerated() {
            let name = part.filename.flatMap { $0.isEmpty ? nil : $0 } ?? "attachment \(index + 1) (\(part.contentType))"
            load(part.data, from: source.appending(entry: name), depth: depth + 1, budget: &budget, into: &result)
        }
    }

    private struct ArchiveEntryTooLarge: Error {}

    /// `__MACOSX/…` and `._name` entries are Finder metadata, never reports.
    private static func isMacOSMetadata(_ path: String) -> Bool {
        path.hasPrefix("__MACOSX/") || path.split(separator: "/").last?.hasPrefix("._") == true
    }

    private static func hexPrefix(_ data: Data) -> String {
        data.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
    }
}
