import Foundation
import ReportModel

/// A DMARC aggregate report read from its XML straight into the form the archive stores
/// (`ReportCodec`'s aggregate format), with what `PreparedFile` keeps beside it. Ingest reads
/// plain XML files this way: no `AggregateReport`, no string per value, no encoding pass.
///
/// It follows the elements exactly as `AggregateReportParser` does (same paths, same last-one-
/// wins fields, same trimming, vocabulary words, counts, times and domain normalisation), so
/// `body` holds the bytes `ReportCodec.encode` writes for the parsed report. It takes only
/// what it reads exactly so: any refusal gives nil, and the caller loads the file as usual,
/// which gives the refusal its reason.
package struct StoredAggregate: Sendable {
    /// `ReportCodec`'s aggregate format.
    package var body: [UInt8]
    package var identity: ReportIdentity
    package var range: DateRange
    /// The messages its records count.
    package var counted: Int
    package var recordCount: Int
    /// The records' header_from domains, each once, in the order they first appear.
    package var domains: [String]

    /// The readers `init(xml:limits:readers:)` may use; tests compare one with the other.
    enum Readers {
        /// `PlainDocumentReader` first, the general reader for a document it declines.
        case plainFirst
        case generalOnly
        case plainOnly
    }

    /// nil when the parser would refuse the bytes (or they are not a report).
    package init?(xml data: Data, limits: InputLimits) {
        self.init(xml: data, limits: limits, readers: .plainFirst)
    }

    init?(xml data: Data, limits: InputLimits, readers: Readers) {
        guard let read = data.withUnsafeBytes({ Self.read($0, limits: limits, readers: readers) }) else { return nil }
        self = read
    }

    /// `init(xml:limits:)` on bytes in memory, which it reads in place and does not keep.
    package init?(xml bytes: UnsafeRawBufferPointer, limits: InputLimits) {
        guard let read = Self.read(bytes, limits: limits, readers: .plainFirst) else { return nil }
        self = read
    }

    private init(body: [UInt8], identity: ReportIdentity, range: DateRange, counted: Int, recordCount: Int, domains: [String]) {
        self.body = body
        self.identity = identity
        self.range = range
        self.counted = counted
        self.recordCount = recordCount
        self.domains = domains
    }

    private static func read(_ raw: UnsafeRawBufferPointer, limits: InputLimits, readers: Readers) -> StoredAggregate? {
        guard let prepared = try? XMLText.prepare(raw) else { return nil }
        switch prepared {
        case .utf8(let range):
            return read(document: UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[range]), limits: limits, readers: readers)
        case .converted(let text):
            return text.withUnsafeBufferPointer { read(document: $0, limits: limits, readers: readers) }
        }
    }

    /// The parser's `parseNormalized`, with the stored form built as elements close. The
    /// parser's second try past junk before `<feedback>` is left to the parser.
    private static func read(document: UnsafeBufferPointer<UInt8>, limits: InputLimits, readers: Readers) -> StoredAggregate? {
        // Every open element takes three bytes at least ("<a>"): no document nests deeper.
        let maxDepth = min(max(limits.maxElementDepth, 0), document.count / 3 + 1)
        return withUnsafeTemporaryAllocation(of: ReportElement.self, capacity: maxDepth) { pathStorage in
            let path = ElementPath(storage: pathStorage, limit: maxDepth)
            if readers != .generalOnly {
                var builder = StoredAggregateBuilder(path: path, document: document)
                if let plain = PlainDocumentReader.read(document, into: &builder, maxDepth: maxDepth) { return plain }
            }
            guard readers != .plainOnly else { return nil }
            var parser = XMLPullParser(bytes: document)
            var builder = StoredAggregateBuilder(path: path, document: document)
            while true {
                guard let event = try? parser.next() else { return nil }
                switch event {
                case .startElement: guard builder.start(parser) else { return nil }
                case .endElement: guard builder.end(parser) else { return nil }
                case .endOfDocument: return builder.finish()
                }
            }
        }
    }

    /// Makes the stored form from the builder's parts.
    fileprivate static func make(
        _ parts: StoredAggregateBuilder.Parts, text: KeptText, records: BinaryWriter
    ) -> StoredAggregate? {
        let metadata = parts.metadata
        guard let reportID = text.nonEmpty(metadata.reportID),
              let begin = unixTime(text.nonEmpty(metadata.begin)), let end = unixTime(text.nonEmpty(metadata.end)),
              parts.recordCount > 0
        else { return nil }
        let policy = parts.policy
        var out = BinaryWriter(capacity: 256 + records.bytes.count)
        out.unsigned(UInt64(ReportCodec.aggregateFormat))
        out.string(parts.isRFC9990 ? ReportSchema.rfc9990.rawValue : ReportSchema.rfc7489.rawValue)
        out.optional(utf8: text.nonEmpty(parts.version))
        out.string(ReportOrigin.reporter.rawValue)
        out.string(utf8: text.field(metadata.orgName))
        out.string(utf8: text.field(metadata.email))
        out.optional(utf8: text.nonEmpty(metadata.extraContactInfo))
        out.string(utf8: reportID)
        out.signed(begin)
        out.signed(end)
        let errors = parts.errors.filter { !$0.isEmpty }
        out.unsigned(UInt64(errors.count))
        for error in errors { out.string(utf8: text.field(error)) }
        out.optional(utf8: text.nonEmpty(metadata.generator))
        StoredDomain.normalized(text.field(policy.domain)) { out.string(utf8: $0) }
        WordStorage.alignment.writeOptional(text.nonEmpty(policy.adkim), into: &out)
        WordStorage.alignment.writeOptional(text.nonEmpty(policy.aspf), into: &out)
        WordStorage.policyAction.writeOptional(text.nonEmpty(policy.p), into: &out)
        WordStorage.policyAction.writeOptional(text.nonEmpty(policy.sp), into: &out)
        WordStorage.policyAction.writeOptional(text.nonEmpty(policy.np), into: &out)
        out.optional(policy.pct.flatMap { Int(String(decoding: text.field($0), as: UTF8.self)) })
        out.optional(utf8: text.nonEmpty(policy.fo))
        out.optional(utf8: text.nonEmpty(policy.testing))
        out.optional(utf8: text.nonEmpty(policy.discoveryMethod))
        out.unsigned(UInt64(parts.recordCount))
        out.append(records)
        return StoredAggregate(
            body: out.bytes,
            identity: ReportIdentity(
                orgName: String(decoding: text.field(metadata.orgName), as: UTF8.self),
                reportID: String(decoding: reportID, as: UTF8.self)),
            range: DateRange(begin: begin, end: end), counted: parts.counted, recordCount: parts.recordCount,
            domains: parts.domains.map { String(decoding: $0, as: UTF8.self) })
    }

    private static func unixTime(_ raw: UnsafeBufferPointer<UInt8>?) -> Int64? {
        guard let raw else { return nil }
        if let value = digits(raw) { return value < 32_503_680_000 ? value : nil }
        return AggregateReportParser.unixTime(String(decoding: raw, as: UTF8.self))
    }

    /// A record's count, as `AggregateReportParser.recordCount` reads it.
    static func recordCount(_ raw: UnsafeBufferPointer<UInt8>) -> Int? {
        if let value = digits(raw) { return value <= AggregateReportParser.maxRecordCount ? Int(value) : nil }
        return AggregateReportParser.recordCount(String(decoding: raw, as: UTF8.self))
    }

    /// The value of 1 to 18 ASCII digits (nearly every count and time), which is what
    /// `Int(_:)` and `Int64(_:)` read from them; nil for anything else, left to those.
    private static func digits(_ raw: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !raw.isEmpty, raw.count <= 18 else { return nil }
        var value: Int64 = 0
        for byte in raw {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

/// `AggregateReportParser`'s builder with ranges of kept text for its strings, writing each
/// record in its stored form when it closes. The `start` and `end` switches are the parser's,
/// case for case: a change there must be made here too (`StoredAggregateTests` compares them).
struct StoredAggregateBuilder {
    /// What the stored form is made of once the document has ended.
    fileprivate struct Parts {
        var isRFC9990: Bool
        var version: Range<Int>?
        var metadata: MetadataRanges
        var errors: [Range<Int>]
        var policy: PolicyRanges
        var recordCount: Int
        var counted: Int
        var domains: [[UInt8]]
    }

    /// The document read, which the builder borrows: values are ranges of it where they
    /// are in it as they are, or (past its end) of `copies`.
    private let document: UnsafeBufferPointer<UInt8>

    private var path: ElementPath
    private var rootSeen = false
    private var isRFC9990 = false
    /// The values kept that are not in the document as they are (decoded or trimmed as text).
    private var copies: [UInt8] = []
    private var version: Range<Int>?

    private var metadata = MetadataRanges()
    private var metadataErrors: [Range<Int>] = []
    private var policy = PolicyRanges()
    private var sawMetadata = false

    /// The records so far, in their stored form.
    private var records: BinaryWriter
    private var recordCount = 0
    private var counted = 0
    private var domains = DistinctDomains()
    private var row = RowRanges()
    private var reasons = StoredList()
    private var reason = ReasonRanges()
    private var dkimResults = StoredList()
    private var spfResults = StoredList()
    private var authResult = AuthResultRanges()

    init(path: ElementPath, document: UnsafeBufferPointer<UInt8>) {
        self.path = path
        self.document = document
        records = BinaryWriter(capacity: document.count / 2)
    }

    /// false where the parser refuses the document.
    mutating func start(_ parser: XMLPullParser) -> Bool {
        let name = ReportElement(packed: parser.packedLocalName)
        if !rootSeen {
            rootSeen = true
            guard name == .feedback else { return false }
            isRFC9990 = parser.namespaceURI()?.elementsEqual(AggregateReportParser.rfc9990Namespace.utf8) == true
        }
        return start(name)
    }

    /// An element below the root, which `start(_: XMLPullParser)` has read; false where the
    /// parser refuses the document.
    mutating func start(_ name: ReportElement) -> Bool {
        guard path.push(name) else { return false }
        guard path.count >= 2 else { return true }
        switch (path[path.count - 2], name) {
        case (.feedback, .record):
            row = RowRanges()
            reasons.removeAll()
            dkimResults.removeAll()
            spfResults.removeAll()
        case (.feedback, .reportMetadata):
            sawMetadata = true
        case (.policyEvaluated, .reason):
            reason = ReasonRanges()
        case (.authResults, .dkim), (.authResults, .spf):
            authResult = AuthResultRanges()
        default:
            break
        }
        return true
    }

    /// false where the parser refuses the document.
    mutating func end<Text: ClosingText>(_ text: Text) -> Bool {
        defer { path.pop() }
        let depth = path.count
        guard depth >= 2 else { return true }
        let name = path[depth - 1]
        let parent = path[depth - 2]
        let inRecord = depth >= 3 && path[1] == .record
        // The element's text, kept only where the parser keeps it.
        func value() -> Range<Int> {
            text.trimmedRange(copyingInto: &copies, after: document.count)
        }

        switch (parent, name) {
        case (.feedback, .version):
            version = value()
        case (.reportMetadata, .error):
            let text = value()
            metadataErrors.append(text)
        case (.reportMetadata, _) where depth == 3,
             (.dateRange, _) where depth == 4 && path[1] == .reportMetadata:
            let text = value()
            metadata.set(name, text)
        case (.policyPublished, _) where depth == 3:
            let text = value()
            policy.set(name, text)
        case (.row, _) where inRecord, (.policyEvaluated, _) where inRecord && name != .reason,
             (.identifiers, _) where inRecord:
            let text = value()
            row.set(name, text)
        case (.reason, .type):
            reason.type = value()
        case (.reason, .comment):
            reason.comment = value()
        case (.policyEvaluated, .reason) where inRecord:
            addReason()
        case (.dkim, _) where depth >= 4 && path[depth - 3] == .authResults,
             (.spf, _) where depth >= 4 && path[depth - 3] == .authResults:
            let text = value()
            authResult.set(name, text)
        case (.authResults, .dkim) where inRecord:
            addDKIMResult()
        case (.authResults, .spf) where inRecord:
            addSPFResult()
        case (.feedback, .record):
            return addRecord()
        default:
            break
        }
        return true
    }

    private mutating func addReason() {
        // A copy of the array's reference, so that `self` can be written while it is read.
        let copies = self.copies
        copies.withUnsafeBufferPointer { copies in
            let text = KeptText(document: document, copies: copies)
            reasons.count += 1
            WordStorage.overrideType.write(text.field(reason.type), into: &reasons.writer)
            reasons.writer.optional(utf8: text.nonEmpty(reason.comment))
        }
    }

    private mutating func addDKIMResult() {
        let copies = self.copies
        copies.withUnsafeBufferPointer { copies in
            let text = KeptText(document: document, copies: copies)
            dkimResults.count += 1
            dkimResults.writer.string(utf8: text.field(authResult.domain))
            dkimResults.writer.optional(utf8: text.nonEmpty(authResult.selector))
            WordStorage.dkimResult.write(text.field(authResult.result), into: &dkimResults.writer)
            dkimResults.writer.optional(utf8: text.nonEmpty(authResult.humanResult))
        }
    }

    private mutating func addSPFResult() {
        let copies = self.copies
        copies.withUnsafeBufferPointer { copies in
            let text = KeptText(document: document, copies: copies)
            spfResults.count += 1
            spfResults.writer.string(utf8: text.field(authResult.domain))
            spfResults.writer.optional(utf8: text.nonEmpty(authResult.scope))
            WordStorage.spfResult.write(text.field(authResult.result), into: &spfResults.writer)
            spfResults.writer.optional(utf8: text.nonEmpty(authResult.humanResult))
        }
    }

    /// The record in `ReportCodec`'s layout; false for a count the parser refuses.
    private mutating func addRecord() -> Bool {
        let copies = self.copies
        return copies.withUnsafeBufferPointer { copies -> Bool in
            let text = KeptText(document: document, copies: copies)
            guard let countText = row.count,
                  let count = StoredAggregate.recordCount(text.field(countText))
            else { return false }
            let (total, overflow) = counted.addingReportingOverflow(count)
            guard !overflow else { return false }
            records.string(utf8: text.field(row.sourceIP))
            records.int(count)
            WordStorage.disposition.write(text.field(row.disposition), into: &records)
            WordStorage.policyResult.write(text.field(row.dkim), into: &records)
            WordStorage.policyResult.write(text.field(row.spf), into: &records)
            records.unsigned(UInt64(reasons.count))
            records.append(reasons.writer)
            // The policy domain as it stands when the record closes, as the parser takes it.
            let headerFrom = text.nonEmpty(row.headerFrom) ?? text.field(policy.domain)
            StoredDomain.normalized(headerFrom) { domain in
                records.string(utf8: domain)
                domains.add(domain)
            }
            records.optional(utf8: text.nonEmpty(row.envelopeFrom))
            records.optional(utf8: text.nonEmpty(row.envelopeTo))
            records.unsigned(UInt64(dkimResults.count))
            records.append(dkimResults.writer)
            records.unsigned(UInt64(spfResults.count))
            records.append(spfResults.writer)
            recordCount += 1
            counted = total
            return true
        }
    }

    func finish() -> StoredAggregate? {
        guard rootSeen, sawMetadata else { return nil }
        let parts = Parts(
            isRFC9990: isRFC9990, version: version, metadata: metadata, errors: metadataErrors, policy: policy,
            recordCount: recordCount, counted: counted, domains: domains.values)
        return copies.withUnsafeBufferPointer { copies in
            StoredAggregate.make(parts, text: KeptText(document: document, copies: copies), records: records)
        }
    }
}

/// The elements open, innermost last, in storage lent for one document: pushing and popping
/// check no uniqueness and never reallocate.
struct ElementPath {
    private let storage: UnsafeMutableBufferPointer<ReportElement>
    /// The deepest nesting allowed (`maxElementDepth`, or less where no document nests as deep).
    private let limit: Int
    private(set) var count = 0

    init(storage: UnsafeMutableBufferPointer<ReportElement>, limit: Int) {
        self.storage = storage
        self.limit = min(limit, storage.count)
    }

    /// false when the element would nest deeper than the limit.
    mutating func push(_ element: ReportElement) -> Bool {
        guard count < limit else { return false }
        storage.initializeElement(at: count, to: element)
        count += 1
        return true
    }

    mutating func pop() {
        guard count > 0 else { return }
        count -= 1
    }

    /// The element at a depth below `count` (the builder checks each index against it).
    subscript(index: Int) -> ReportElement {
        guard index >= 0, index < count else { return .other }
        return storage[index]
    }
}

/// The text of an element as it closes, which the builder keeps as a range (`KeptText`).
protocol ClosingText {
    /// Where the text, trimmed like `trimmingXMLWhitespace()`, is: in the document as it is,
    /// or appended to `copies` (then its range is offset by `documentCount`).
    func trimmedRange(copyingInto copies: inout [UInt8], after documentCount: Int) -> Range<Int>
}

extension XMLPullParser: ClosingText {
    func trimmedRange(copyingInto copies: inout [UInt8], after documentCount: Int) -> Range<Int> {
        if let inDocument = trimmedTextInDocument() { return inDocument }
        let copied = appendTrimmedText(to: &copies)
        return (copied.lowerBound + documentCount)..<(copied.upperBound + documentCount)
    }
}

/// Entries of a list in a record (override reasons, DKIM or SPF results), written ahead of
/// their count.
private struct StoredList {
    var writer = BinaryWriter(capacity: 64)
    var count = 0

    mutating func removeAll() {
        writer.removeAll()
        count = 0
    }
}

/// The distinct header_from domains of the records, in the order they first appear.
private struct DistinctDomains {
    private(set) var values: [[UInt8]] = []

    mutating func add(_ domain: UnsafeBufferPointer<UInt8>) {
        // Nearly every record repeats the last domain; a report has a handful at most.
        for value in values.reversed() where value.count == domain.count {
            let same = value.withUnsafeBufferPointer { stored in
                guard let first = stored.baseAddress, let second = domain.baseAddress else { return true }
                return memcmp(first, second, domain.count) == 0
            }
            if same { return }
        }
        values.append(Array(domain))
    }
}

/// `DomainName.normalized` on bytes.
private enum StoredDomain {
    static func normalized(_ raw: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        // The usual case, which `normalized` returns as it is.
        if raw.last != UInt8(ascii: "."), raw.allSatisfy(WordStorage.isPlainLowercase) {
            body(raw)
            return
        }
        var name = DomainName.normalized(String(decoding: raw, as: UTF8.self))
        name.withUTF8(body)
    }
}

/// A vocabulary's stored word (`description`) for a reported word, as `init(reported:)` reads
/// it. A lower-case printable ASCII word (nearly every one) is its own stored word unless the
/// vocabulary renames it (SPF's `hardfail` is stored as `fail`); any other is interpreted.
private struct WordStorage: Sendable {
    static let disposition = WordStorage(Disposition.self)
    static let policyResult = WordStorage(PolicyResult.self)
    static let overrideType = WordStorage(OverrideType.self)
    static let dkimResult = WordStorage(DKIMResult.self)
    static let spfResult = WordStorage(SPFResult.self)
    static let alignment = WordStorage(Alignment.self)
    static let policyAction = WordStorage(PolicyAction.self)

    /// Known words stored as another word.
    private let renamed: [(reported: [UInt8], stored: [UInt8])]
    /// Whether an unknown word is stored as it was reported (then plain words need no value).
    private let keepsUnknownWords: Bool
    private let interpret: @Sendable (String) -> String

    private init<Value: TolerantVocabulary>(_: Value.Type) {
        renamed = Value.knownWords.filter { $0.key != $0.value.description }
            .map { (Array($0.key.utf8), Array($0.value.description.utf8)) }
        let probe = "x-sitegen-unknown-word"
        keepsUnknownWords = Value.knownWords[probe] == nil && Value.unknown(probe).description == probe
        interpret = { Value(reported: $0).description }
    }

    /// The bytes `init(reported:)` takes as they are, without trimming or case mapping.
    static func isPlainLowercase(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && !(byte >= 0x41 && byte <= 0x5A)
    }

    func write(_ word: UnsafeBufferPointer<UInt8>, into out: inout BinaryWriter) {
        if keepsUnknownWords, word.allSatisfy(Self.isPlainLowercase) {
            for entry in renamed where entry.reported.count == word.count && entry.reported.elementsEqual(word) {
                entry.stored.withUnsafeBufferPointer { out.string(utf8: $0) }
                return
            }
            out.string(utf8: word)
            return
        }
        out.string(interpret(String(decoding: word, as: UTF8.self)))
    }

    /// An optional field: absent when the element was missing or empty.
    func writeOptional(_ word: UnsafeBufferPointer<UInt8>?, into out: inout BinaryWriter) {
        guard let word else {
            out.optional(utf8: nil)
            return
        }
        out.presence()
        write(word, into: &out)
    }
}

/// The children of `<report_metadata>` and `<date_range>` a report keeps; the last one of a
/// name wins.
private struct MetadataRanges {
    var orgName, email, extraContactInfo, reportID, begin, end, generator: Range<Int>?

    mutating func set(_ element: ReportElement, _ value: Range<Int>) {
        switch element {
        case .orgName: orgName = value
        case .email: email = value
        case .extraContactInfo: extraContactInfo = value
        case .reportID: reportID = value
        case .begin: begin = value
        case .end: end = value
        case .generator: generator = value
        default: break
        }
    }
}

private struct PolicyRanges {
    var domain, adkim, aspf, p, sp, np, pct, fo, testing, discoveryMethod: Range<Int>?

    mutating func set(_ element: ReportElement, _ value: Range<Int>) {
        switch element {
        case .domain: domain = value
        case .adkim: adkim = value
        case .aspf: aspf = value
        case .p: p = value
        case .sp: sp = value
        case .np: np = value
        case .pct: pct = value
        case .fo: fo = value
        case .testing: testing = value
        case .discoveryMethod: discoveryMethod = value
        default: break
        }
    }
}

/// The children of `<row>`, `<policy_evaluated>` and `<identifiers>` in one record.
private struct RowRanges {
    var sourceIP, count, disposition, dkim, spf, headerFrom, envelopeFrom, envelopeTo: Range<Int>?

    mutating func set(_ element: ReportElement, _ value: Range<Int>) {
        switch element {
        case .sourceIP: sourceIP = value
        case .count: count = value
        case .disposition: disposition = value
        case .dkim: dkim = value
        case .spf: spf = value
        case .headerFrom: headerFrom = value
        case .envelopeFrom: envelopeFrom = value
        case .envelopeTo: envelopeTo = value
        default: break
        }
    }
}

private struct ReasonRanges {
    var type, comment: Range<Int>?
}

private struct AuthResultRanges {
    var domain, selector, result, humanResult, scope: Range<Int>?

    mutating func set(_ element: ReportElement, _ value: Range<Int>) {
        switch element {
        case .domain: domain = value
        case .selector: selector = value
        case .result: result = value
        case .humanResult: humanResult = value
        case .scope: scope = value
        default: break
        }
    }
}

/// The values kept: ranges of the document, or past its end of the copies.
private struct KeptText {
    let document: UnsafeBufferPointer<UInt8>
    let copies: UnsafeBufferPointer<UInt8>

    /// A kept value's bytes; empty when the element was missing (the parser's `?? ""`).
    func field(_ range: Range<Int>?) -> UnsafeBufferPointer<UInt8> {
        guard let range, !range.isEmpty else { return UnsafeBufferPointer(rebasing: document[0..<0]) }
        guard range.lowerBound >= document.count else { return UnsafeBufferPointer(rebasing: document[range]) }
        return UnsafeBufferPointer(rebasing: copies[(range.lowerBound - document.count)..<(range.upperBound - document.count)])
    }

    /// nil when the element was missing or empty (the parser's `nonEmpty`).
    func nonEmpty(_ range: Range<Int>?) -> UnsafeBufferPointer<UInt8>? {
        guard let range, !range.isEmpty else { return nil }
        return field(range)
    }
}

extension PreparedFile {
    /// A plain XML file read straight into its stored form: what `init(_:)` prepares for the
    /// same file loaded by `ReportLoader` (one DMARC report, no problem).
    package init(path: String, stamp: FileStamp, contentHash: String, inode: UInt64, stored: StoredAggregate) {
        self.path = path
        self.stamp = stamp
        self.contentHash = contentHash
        self.inode = inode
        // `IngestedFile.settled`: a report and no problem, of a kind that does not grow in place.
        settled = !contentHash.isEmpty
        reportCount = 1
        knownContent = false
        problems = ""
        let identity = stored.identity
        reports = [Report(
            kind: ReportKind.dmarc, identity: identity, range: stored.range, counted: stored.counted,
            transcription: Transcription(identity, transcribed: false), source: ReportSource(file: path),
            body: stored.body, domainKeys: Self.keys(stored.domains))]
    }
}
