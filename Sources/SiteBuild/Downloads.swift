import Foundation
import ReportModel

/// `summary.json`: the machine-readable totals of one client-month. The schema is documented
/// in the README; bump `schemaVersion` on any incompatible change.
struct MonthSummaryDocument: Encodable {
    static let schemaVersion = 1

    struct Disposition: Encodable {
        var none: Int
        var quarantine: Int
        var reject: Int
        var pass: Int
        var other: Int
    }

    struct Totals: Encodable {
        var messages: Int
        var dmarcPass: Int
        var spfAligned: Int
        var dkimAligned: Int
        var disposition: Disposition
        var reports: Int
    }

    struct Domain: Encodable {
        var domain: String
        var messages: Int
        var dmarcPass: Int
        var spfAligned: Int
        var dkimAligned: Int
        var disposition: Disposition
        var reports: Int
        var sources: Int
        var senders: [Sender]
        var readiness: Readiness
    }

    struct Sender: Encodable {
        /// `known`, `unlisted`, `own`, `forwarded` or `unknown`.
        var identity: String
        var name: String
        var category: String?
        /// `aligned`, `misaligned`, `forwarder` or `suspicious`.
        var verdict: String
        /// `dkim_not_aligned`, `spf_not_aligned`, `dkim_missing`.
        var fixes: [String]
        var messages: Int
        var dmarcPass: Int
        var spfAligned: Int
        var dkimAligned: Int
        var sourceIps: [String]
    }

    struct Readiness: Encodable {
        /// `ready`, `almost`, `not_ready`, `strongest` or `no_data`.
        var level: String
        /// Share (0–1) of authorised senders' mail that passes DMARC.
        var alignedShare: Double?
        var currentPolicy: String?
        var nextPolicy: String?
    }

    struct Reporter: Encodable {
        var orgName: String
        var reports: Int
        var messages: Int
        var dmarcPass: Int
    }

    struct Source: Encodable {
        var sourceIp: String
        var messages: Int
        var dmarcPass: Int
        var spfAligned: Int
        var dkimAligned: Int
    }

    var schemaVersion = Self.schemaVersion
    var reseller: String
    var client: String
    var clientName: String
    var month: String
    var totals: Totals
    var domains: [Domain]
    var reporters: [Reporter]
    var sources: [Source]
    var tls: TLS
    var findings: [FindingEntry]

    struct FindingEntry: Encodable {
        var severity: String
        var kind: String
        var domain: String
        var values: [String: String]
        /// The finding as a sentence in the client's language.
        var message: String
    }

    struct TLS: Encodable {
        struct Sessions: Encodable {
            var successful: Int
            var failed: Int
        }

        struct Domain: Encodable {
            var domain: String
            var successful: Int
            var failed: Int
            var reports: Int
            var policyTypes: [String: Sessions]
            var failureTypes: [String: Int]
        }

        var successful: Int
        var failed: Int
        var reports: Int
        var domains: [Domain]
    }

    /// The file's bytes. `Encodable` describes the document; the bytes are written by hand, the
    /// same as `JSONEncoder` writes them with `encoderSettings` (a test holds the two together).
    func encoded() throws -> Data {
        var writer = PrettyJSONWriter(capacity: 1_024 + sources.count * 192)
        try writer.write(self)
        writer.newline()
        return Data(writer.bytes)
    }

    /// What the document was written with before it was written by hand.
    static func encoderSettings(_ encoder: JSONEncoder) {
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
    }
}

/// `MonthSummaryDocument` as `JSONEncoder` writes it: keys in snake case, each object's members
/// in the order of their UTF-8 bytes, nil members left out.
extension PrettyJSONWriter {
    mutating func write(_ document: MonthSummaryDocument) throws {
        try object { json in
            json.member("client", document.client)
            json.member("client_name", document.clientName)
            json.key("domains")
            try json.array(document.domains) { try $0.write($1) }
            json.key("findings")
            json.array(document.findings) { $0.write($1) }
            json.member("month", document.month)
            json.key("reporters")
            json.array(document.reporters) { $0.write($1) }
            json.member("reseller", document.reseller)
            json.member("schema_version", document.schemaVersion)
            json.key("sources")
            json.array(document.sources) { $0.write($1) }
            json.key("tls")
            json.write(document.tls)
            json.key("totals")
            json.write(document.totals)
        }
    }

    private mutating func write(_ totals: MonthSummaryDocument.Totals) {
        object { json in
            json.key("disposition")
            json.write(totals.disposition)
            json.member("dkim_aligned", totals.dkimAligned)
            json.member("dmarc_pass", totals.dmarcPass)
            json.member("messages", totals.messages)
            json.member("reports", totals.reports)
            json.member("spf_aligned", totals.spfAligned)
        }
    }

    private mutating func write(_ disposition: MonthSummaryDocument.Disposition) {
        object { json in
            json.member("none", disposition.none)
            json.member("other", disposition.other)
            json.member("pass", disposition.pass)
            json.member("quarantine", disposition.quarantine)
            json.member("reject", disposition.reject)
        }
    }

    private mutating func write(_ domain: MonthSummaryDocument.Domain) throws {
        try object { json in
            json.key("disposition")
            json.write(domain.disposition)
            json.member("dkim_aligned", domain.dkimAligned)
            json.member("dmarc_pass", domain.dmarcPass)
            json.member("domain", domain.domain)
            json.member("messages", domain.messages)
            json.key("readiness")
            try json.write(domain.readiness)
            json.member("reports", domain.reports)
            json.key("senders")
            json.array(domain.senders) { $0.write($1) }
            json.member("sources", domain.sources)
            json.member("spf_aligned", domain.spfAligned)
        }
    }

    private mutating func write(_ sender: MonthSummaryDocument.Sender) {
        object { json in
            json.member("category", sender.category)
            json.member("dkim_aligned", sender.dkimAligned)
            json.member("dmarc_pass", sender.dmarcPass)
            json.member("fixes", sender.fixes)
            json.member("identity", sender.identity)
            json.member("messages", sender.messages)
            json.member("name", sender.name)
            json.member("source_ips", sender.sourceIps)
            json.member("spf_aligned", sender.spfAligned)
            json.member("verdict", sender.verdict)
        }
    }

    private mutating func write(_ readiness: MonthSummaryDocument.Readiness) throws {
        try object { json in
            try json.member("aligned_share", readiness.alignedShare)
            json.member("current_policy", readiness.currentPolicy)
            json.member("level", readiness.level)
            json.member("next_policy", readiness.nextPolicy)
        }
    }

    private mutating func write(_ reporter: MonthSummaryDocument.Reporter) {
        object { json in
            json.member("dmarc_pass", reporter.dmarcPass)
            json.member("messages", reporter.messages)
            json.member("org_name", reporter.orgName)
            json.member("reports", reporter.reports)
        }
    }

    private mutating func write(_ source: MonthSummaryDocument.Source) {
        object { json in
            json.member("dkim_aligned", source.dkimAligned)
            json.member("dmarc_pass", source.dmarcPass)
            json.member("messages", source.messages)
            json.member("source_ip", source.sourceIp)
            json.member("spf_aligned", source.spfAligned)
        }
    }

    private mutating func write(_ finding: MonthSummaryDocument.FindingEntry) {
        object { json in
            json.member("domain", finding.domain)
            json.member("kind", finding.kind)
            json.member("message", finding.message)
            json.member("severity", finding.severity)
            json.member("values", finding.values) { $0.string($1) }
        }
    }

    private mutating func write(_ tls: MonthSummaryDocument.TLS) {
        object { json in
            json.key("domains")
            json.array(tls.domains) { json, domain in
                json.object { json in
                    json.member("domain", domain.domain)
                    json.member("failed", domain.failed)
                    json.member("failure_types", domain.failureTypes) { $0.integer($1) }
                    json.member("policy_types", domain.policyTypes) { json, sessions in
                        json.object { json in
                            json.member("failed", sessions.failed)
                            json.member("successful", sessions.successful)
                        }
                    }
                    json.member("reports", domain.reports)
                    json.member("successful", domain.successful)
                }
            }
            json.member("failed", tls.failed)
            json.member("reports", tls.reports)
            json.member("successful", tls.successful)
        }
    }
}

extension MonthSummaryDocument.TLS {
    init(_ data: OwnerMonth) {
        let domains = data.tls.values.sorted { $0.domain < $1.domain }
        let total = data.tlsTotal
        successful = total.successful
        failed = total.failed
        reports = data.tlsReportCount
        self.domains = domains.map { domain in
            Domain(domain: domain.domain, successful: domain.sessions.successful, failed: domain.sessions.failed,
                   reports: domain.reports.count,
                   policyTypes: domain.byPolicyType.mapValues { Sessions(successful: $0.successful, failed: $0.failed) },
                   failureTypes: domain.failureTypes)
        }
    }
}

extension MonthSummaryDocument.Disposition {
    init(_ tally: DispositionTally) {
        self.init(none: tally.none, quarantine: tally.quarantine, reject: tally.reject, pass: tally.pass, other: tally.other)
    }
}

/// `records.csv`: every record that went into a client-month, one row each.
enum RecordsCSV {
    static let header = [
        "domain", "header_from", "reporter", "report_id", "begin_utc", "end_utc", "source_ip", "count",
        "disposition", "dkim_aligned", "spf_aligned", "dmarc", "envelope_from", "envelope_to",
        "dkim_results", "spf_results", "override_reasons",
    ]

    /// Written as bytes into the file's own storage, cell by cell, and handed over as it is:
    /// building an array of cells and joining it per row was most of this file's cost, and
    /// copying the finished megabytes into `Data` much of the rest.
    static func render(_ records: [AggregatedRecord]) -> Data {
        // Room for rows of the usual length; room never written costs nothing.
        var bytes = OutputBytes(capacity: 256 + records.count * 384)
        bytes.append(Array(header.joined(separator: ",").utf8))
        records.withUnsafeBufferPointer { records in
            appendRows(records, to: &bytes)
        }
        bytes.append(Array("\r\n".utf8))
        return bytes.data()
    }

    /// Rows are read in place: copying a record out of the array retained each of its strings.
    /// The cells of a report (its domain, reporter and report id) are put together once for
    /// all its rows.
    private static func appendRows(_ records: UnsafeBufferPointer<AggregatedRecord>, to bytes: inout OutputBytes) {
        guard let first = records.baseAddress else { return }
        var row = RowWriter()
        for group in rowGroups(records) {
            row.start(group.key)
            for index in group.members {
                row.append(first + index, to: &bytes)
            }
        }
    }

    /// Writes rows, remembering what consecutive rows share.
    private struct RowWriter {
        /// The cells made of a record's result lists.
        private var dkimCells = ListCells()
        private var spfCells = ListCells()
        private var overrideCells = ListCells()
        private var dates = LastDateRange()
        /// The `domain` cell and the `reporter,report_id` cells of the report whose rows come next.
        private var domainCell: [UInt8] = []
        private var reportCells: [UInt8] = []

        mutating func start(_ report: ReportKey) {
            domainCell.removeAll(keepingCapacity: true)
            RecordsCSV.appendField(report.domain, to: &domainCell)
            reportCells.removeAll(keepingCapacity: true)
            RecordsCSV.appendField(report.report.orgName, to: &reportCells)
            reportCells.append(UInt8(ascii: ","))
            RecordsCSV.appendField(report.report.reportID, to: &reportCells)
        }

        mutating func append(_ item: UnsafePointer<AggregatedRecord>, to bytes: inout OutputBytes) {
            bytes.reserve(2)
            bytes.appendReserved(0x0D)
            bytes.appendReserved(0x0A)
            bytes.append(domainCell)
            bytes.append(comma)
            RecordsCSV.appendField(item.pointee.record.headerFrom, to: &bytes)
            bytes.append(comma)
            bytes.append(reportCells)
            bytes.append(comma)
            dates.append(item.pointee.dateRange, to: &bytes)
            bytes.append(comma)
            RecordsCSV.appendField(item.pointee.record.sourceIP, to: &bytes)
            bytes.append(comma)
            appendCount(item.pointee.record.count, to: &bytes)
            bytes.append(comma)
            RecordsCSV.appendWord(item.pointee.record.disposition, to: &bytes)
            bytes.append(comma)
            RecordsCSV.appendWord(item.pointee.record.dkimAligned, to: &bytes)
            bytes.append(comma)
            RecordsCSV.appendWord(item.pointee.record.spfAligned, to: &bytes)
            bytes.append(comma)
            bytes.append(item.pointee.record.dmarcPass ? "pass" : "fail")
            bytes.append(comma)
            if let envelopeFrom = item.pointee.record.envelopeFrom { RecordsCSV.appendField(envelopeFrom, to: &bytes) }
            bytes.append(comma)
            if let envelopeTo = item.pointee.record.envelopeTo { RecordsCSV.appendField(envelopeTo, to: &bytes) }

            bytes.append(comma)
            dkimCells.append(item.pointee.record.dkimResults, to: &bytes) { cell, results in
                for (position, result) in results.enumerated() {
                    if position > 0 { cell.append("; ") }
                    cell.append(result.domain)
                    if let selector = result.selector {
                        cell.append(" s=")
                        cell.append(selector)
                    }
                    cell.append(": ")
                    cell.append(result.result.description)
                }
            }
            bytes.append(comma)
            spfCells.append(item.pointee.record.spfResults, to: &bytes) { cell, results in
                for (position, result) in results.enumerated() {
                    if position > 0 { cell.append("; ") }
                    cell.append(result.domain)
                    if let scope = result.scope {
                        cell.append(" (")
                        cell.append(scope)
                        cell.append(")")
                    }
                    cell.append(": ")
                    cell.append(result.result.description)
                }
            }
            bytes.append(comma)
            overrideCells.append(item.pointee.record.overrideReasons, to: &bytes) { cell, reasons in
                for (position, reason) in reasons.enumerated() {
                    if position > 0 { cell.append("; ") }
                    cell.append(reason.type.description)
                    if let comment = reason.comment {
                        cell.append(": ")
                        cell.append(comment)
                    }
                }
            }
        }

        private var comma: UInt8 { UInt8(ascii: ",") }

        /// `field(String(count))`: digits never need quoting, only a minus sign a guard.
        private func appendCount(_ count: Int, to bytes: inout OutputBytes) {
            guard count >= 0 else {
                RecordsCSV.appendField(String(count), to: &bytes)
                return
            }
            var divisor = 1
            var digits = 1
            while divisor <= count / 10 {
                divisor *= 10
                digits += 1
            }
            bytes.reserve(digits)
            while divisor > 0 {
                bytes.appendReserved(UInt8(ascii: "0") + UInt8(count / divisor % 10))
                divisor /= 10
            }
        }
    }

    /// The cell of a vocabulary value: its own words never need quoting or a guard.
    private static func appendWord(_ disposition: Disposition, to bytes: inout OutputBytes) {
        switch disposition {
        case .none: bytes.append("none")
        case .quarantine: bytes.append("quarantine")
        case .reject: bytes.append("reject")
        case .pass: bytes.append("pass")
        case .unknown(let raw): appendField(raw, to: &bytes)
        }
    }

    private static func appendWord(_ result: PolicyResult, to bytes: inout OutputBytes) {
        switch result {
        case .pass: bytes.append("pass")
        case .fail: bytes.append("fail")
        case .unknown(let raw): appendField(raw, to: &bytes)
        }
    }

    /// The records by report, as indices in a stable order: domain, time, reporter, report,
    /// then the record's own values.
    ///
    /// Sorted in two steps, which give the order one stable sort would: the reports (few, and
    /// each key distinct), then the records of each report. Comparing whole records is what
    /// made this slow.
    private static func rowGroups(_ records: UnsafeBufferPointer<AggregatedRecord>) -> [(key: ReportKey, members: [Int])] {
        var groupOfKey: [ReportKey: Int] = [:]
        var groups: [(key: ReportKey, members: [Int])] = []
        // Records arrive report by report: only a new report's key is looked up.
        var current: (key: ReportKey, group: Int)?
        for index in records.indices {
            if let current, records[index].report == current.key.report, records[index].domain == current.key.domain,
               records[index].dateRange.begin == current.key.begin {
                groups[current.group].members.append(index)
                continue
            }
            let key = ReportKey(domain: records[index].domain, begin: records[index].dateRange.begin, report: records[index].report)
            if let group = groupOfKey[key] {
                groups[group].members.append(index)
                current = (key, group)
            } else {
                groupOfKey[key] = groups.count
                current = (key, groups.count)
                groups.append((key, [index]))
            }
        }
        groups.sort { $0.key < $1.key }
        let sourcePrefixes = records.map { ASCIIPrefix($0.record.sourceIP) }
        // By source IP, header_from and count, compared where they are: comparing whole records,
        // or taking the values out first, copied them. Most source IPs differ in their first
        // bytes, told apart without comparing the strings.
        func precedes(_ a: Int, _ b: Int) -> Bool {
            if let ordered = sourcePrefixes[a].precedes(sourcePrefixes[b]) { return ordered }
            if records[a].record.sourceIP != records[b].record.sourceIP { return records[a].record.sourceIP < records[b].record.sourceIP }
            if records[a].record.headerFrom != records[b].record.headerFrom { return records[a].record.headerFrom < records[b].record.headerFrom }
            return records[a].record.count < records[b].record.count
        }
        for index in groups.indices {
            groups[index].members.sort(by: precedes)
        }
        return groups
    }

    /// The first eight bytes of an ASCII string as one number, big-endian and padded with
    /// zeros. ASCII strings are ordered as their bytes are, so two whose prefixes differ are
    /// ordered as their prefixes; any other pair needs the strings compared.
    private struct ASCIIPrefix {
        /// Nil for a string that is not all ASCII (there order depends on Unicode normalisation).
        private let value: UInt64?

        init(_ text: String) {
            value = text.utf8.withContiguousStorageIfAvailable { utf8 -> UInt64? in
                var value: UInt64 = 0
                for (position, byte) in utf8.enumerated() {
                    guard byte < 0x80 else { return nil }
                    if position < 8 { value |= UInt64(byte) << (56 - 8 * UInt64(position)) }
                }
                return value
            } ?? nil
        }

        /// Whether the first string comes before the second, when the prefixes tell.
        func precedes(_ other: ASCIIPrefix) -> Bool? {
            guard let value, let otherValue = other.value, value != otherValue else { return nil }
            return value < otherValue
        }
    }

    /// The fields written for lists of results, by the list's storage. Records read from the
    /// archive share each distinct list (see `StoredValueInterner`), so a month's thousands of
    /// records need only its few hundred distinct cells put together and quoted. Storage stands
    /// for content only while the lists are alive and unchanged, as they are while one file is
    /// written; a list with storage of its own is put together anew, with the same bytes.
    private struct ListCells {
        private var fields = StorageRanges()
        private var written: [UInt8] = []
        /// The UTF-8 of one cell while it is put together, before it is quoted as a field.
        private var cell = CellBytes()

        mutating func append<Element>(_ list: [Element], to bytes: inout OutputBytes, _ build: (inout CellBytes, [Element]) -> Void) {
            // An empty list is an empty cell.
            guard let storage = list.withUnsafeBufferPointer({ $0.baseAddress.map(UnsafeRawPointer.init) }) else { return }
            let range: Range<Int>
            if let found = fields.range(of: storage) {
                range = found
            } else {
                cell.removeAll(keepingCapacity: true)
                build(&cell, list)
                let start = written.count
                cell.bytes.withUnsafeBufferPointer { RecordsCSV.appendField(utf8: $0, to: &written) }
                range = start..<written.count
                fields.insert(range, for: storage)
            }
            bytes.append(written[range])
        }
    }

    /// A hash table from a list's storage address to the range of its cell: a `Dictionary`
    /// hashed each address with `Hasher`, three times a row.
    private struct StorageRanges {
        private var slots = [(storage: UnsafeRawPointer?, range: Range<Int>)](repeating: (nil, 0..<0), count: 64)
        private var filled = 0

        func range(of storage: UnsafeRawPointer) -> Range<Int>? {
            let mask = slots.count - 1
            var slot = Self.slot(of: storage, mask: mask)
            while let stored = slots[slot].storage {
                if stored == storage { return slots[slot].range }
                slot = (slot + 1) & mask
            }
            return nil
        }

        /// Adds an address that `range(of:)` did not find.
        mutating func insert(_ range: Range<Int>, for storage: UnsafeRawPointer) {
            filled += 1
            if filled * 2 > slots.count {
                let entries = slots.compactMap { entry in entry.storage.map { ($0, entry.range) } }
                slots = Array(repeating: (nil, 0..<0), count: slots.count * 2)
                for (stored, storedRange) in entries { place(storedRange, for: stored) }
            }
            place(range, for: storage)
        }

        private mutating func place(_ range: Range<Int>, for storage: UnsafeRawPointer) {
            let mask = slots.count - 1
            var slot = Self.slot(of: storage, mask: mask)
            while slots[slot].storage != nil { slot = (slot + 1) & mask }
            slots[slot] = (storage, range)
        }

        /// Fibonacci hashing of the address: allocations are aligned, so its low bits say little.
        private static func slot(of storage: UnsafeRawPointer, mask: Int) -> Int {
            let bits = UInt64(UInt(bitPattern: storage)) &* 0x9E37_79B9_7F4A_7C15
            return Int(truncatingIfNeeded: bits >> 32) & mask
        }
    }

    /// The UTF-8 of one cell while it is put together.
    private struct CellBytes {
        var bytes: [UInt8] = []

        mutating func removeAll(keepingCapacity: Bool) {
            bytes.removeAll(keepingCapacity: keepingCapacity)
        }

        mutating func append(_ text: String) {
            var text = text
            text.withUTF8 { bytes.append(contentsOf: $0) }
        }
    }

    /// The `begin_utc,end_utc` cells of the last date range written: rows come report by
    /// report, and a report's records share its range.
    private struct LastDateRange {
        private var range: DateRange?
        private var cells: [UInt8] = []

        mutating func append(_ range: DateRange, to bytes: inout OutputBytes) {
            if range != self.range {
                self.range = range
                cells.removeAll(keepingCapacity: true)
                UTCTimestamp.appendISO8601(range.begin, to: &cells)
                cells.append(UInt8(ascii: ","))
                UTCTimestamp.appendISO8601(range.end, to: &cells)
            }
            bytes.append(cells)
        }
    }

    private struct ReportKey: Hashable, Comparable {
        var domain: String
        var begin: Int64
        var report: ReportIdentity

        static func < (a: Self, b: Self) -> Bool { (a.domain, a.begin, a.report) < (b.domain, b.begin, b.report) }
    }

    /// RFC 4180 quoting, and a leading apostrophe on cells a spreadsheet would run as a formula.
    static func field(_ value: String) -> String {
        var bytes: [UInt8] = []
        appendField(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `field(value)` appended to `bytes`, without building the cell on its own first.
    static func appendField(_ value: String, to bytes: inout [UInt8]) {
        if let done = value.utf8.withContiguousStorageIfAvailable({ appendField(utf8: $0, to: &bytes) }) { return done }
        Array(value.utf8).withUnsafeBufferPointer { appendField(utf8: $0, to: &bytes) }
    }

    private static func appendField(utf8 value: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        let runsAsFormula = value.first.map(isFormulaStart) ?? false
        let needsQuotes = value.contains(where: needsQuoting)
        if needsQuotes { bytes.append(UInt8(ascii: "\"")) }
        if runsAsFormula { bytes.append(UInt8(ascii: "'")) }
        guard needsQuotes else {
            bytes.append(contentsOf: value)
            return
        }
        for byte in value {
            bytes.append(byte)
            if byte == UInt8(ascii: "\"") { bytes.append(byte) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `field(value)` written into a file's bytes.
    private static func appendField(_ value: String, to bytes: inout OutputBytes) {
        if let done = value.utf8.withContiguousStorageIfAvailable({ appendField(utf8: $0, to: &bytes) }) { return done }
        Array(value.utf8).withUnsafeBufferPointer { appendField(utf8: $0, to: &bytes) }
    }

    /// Room is made once for the longest the field can be: every byte a doubled quote, the
    /// quotes around it and the apostrophe.
    private static func appendField(utf8 value: UnsafeBufferPointer<UInt8>, to bytes: inout OutputBytes) {
        bytes.reserve(value.count * 2 + 3)
        let runsAsFormula = value.first.map(isFormulaStart) ?? false
        let needsQuotes = value.contains(where: needsQuoting)
        if needsQuotes { bytes.appendReserved(UInt8(ascii: "\"")) }
        if runsAsFormula { bytes.appendReserved(UInt8(ascii: "'")) }
        guard needsQuotes else {
            bytes.appendReserved(value)
            return
        }
        for byte in value {
            bytes.appendReserved(byte)
            if byte == UInt8(ascii: "\"") { bytes.appendReserved(byte) }
        }
        bytes.appendReserved(UInt8(ascii: "\""))
    }

    private static func needsQuoting(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ","), UInt8(ascii: "\""), 0x0A, 0x0D: true
        default: false
        }
    }

    private static func isFormulaStart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: true
        default: false
        }
    }
}

enum UTCTimestamp {
    /// `2025-12-01T00:00:00Z`, built by hand: Foundation's formatters are slow and locale-bound.
    static func iso8601(_ seconds: Int64) -> String {
        var bytes: [UInt8] = []
        appendISO8601(seconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `iso8601(seconds)` appended to `bytes`, digit by digit.
    static func appendISO8601(_ seconds: Int64, to bytes: inout [UInt8]) {
        let days = Int((seconds >= 0 ? seconds : seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let (y, m, d) = CivilDate.from(daysSinceEpoch: days)
        guard (0...9999).contains(y) else {
            // Years of other widths keep the general form (never seen in real reports).
            let date = [padded(y, 4), padded(m, 2), padded(d, 2)].joined(separator: "-")
            let time = [padded(secondOfDay / 3600, 2), padded(secondOfDay % 3600 / 60, 2), padded(secondOfDay % 60, 2)].joined(separator: ":")
            bytes.append(contentsOf: (date + "T" + time + "Z").utf8)
            return
        }
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        digits(y, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(m, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(d, 2)
        bytes.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay % 3600 / 60, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        bytes.append(UInt8(ascii: "Z"))
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
