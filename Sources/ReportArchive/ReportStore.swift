import ReportModel

/// Size and modification time of an input file when it was ingested: an unchanged stamp means
/// the file need not be read again.
public struct FileStamp: Sendable, Hashable {
    public var size: Int64
    /// Nanoseconds since 1970-01-01 UTC.
    public var modified: Int64

    public init(size: Int64, modified: Int64) {
        self.size = size
        self.modified = modified
    }
}

/// A folder below the reports folder as it stood when it was read: while its stamp is
/// unchanged, no entry was added to it, removed from it or renamed in it.
public struct FolderStamp: Sendable, Hashable {
    public var device: UInt64
    public var inode: UInt64
    /// Nanoseconds since 1970-01-01 UTC: the modification and status change times.
    public var modified: Int64
    public var changed: Int64

    public init(device: UInt64, inode: UInt64, modified: Int64, changed: Int64) {
        self.device = device
        self.inode = inode
        self.modified = modified
        self.changed = changed
    }

    /// Matches no folder: one that must be read again on the next run.
    public static let readAgain = FolderStamp(device: 0, inode: 0, modified: 0, changed: 0)
}

/// A folder whose every entry the archive holds as of its stamp.
public struct RememberedFolder: Sendable, Hashable {
    public var stamp: FolderStamp
    /// The input files it holds.
    public var files: Int

    public init(stamp: FolderStamp, files: Int) {
        self.stamp = stamp
        self.files = files
    }
}

/// What the archive remembers of the reports folder, so a run can skip what it knows has not
/// changed: every folder seen last time (by path relative to the reports folder, "" for the
/// folder itself), and the files that are looked at on every run (see `IngestedFile.settled`).
public struct ListingMemory: Sendable {
    public var folders: [String: RememberedFolder]
    public var unsettledFiles: [String: FileStamp]
    /// Unsettled files ingested by an older sitegen that may be settled: their first bytes tell.
    public var unclassifiedFiles: Set<String> = []

    public init(folders: [String: RememberedFolder], unsettledFiles: [String: FileStamp]) {
        self.folders = folders
        self.unsettledFiles = unsettledFiles
    }
}

/// One input file as an ingest run saw it.
public struct IngestedFile: Sendable {
    public enum Outcome: Sendable {
        /// Read and parsed: the reports and problems it gave.
        case loaded(FileLoad)
        /// Same bytes as a file already in the archive (copied or renamed): nothing new.
        case knownContent
    }

    public var path: String
    public var stamp: FileStamp
    /// SHA-256 of the bytes, hex.
    public var contentHash: String
    public var outcome: Outcome
    /// The file's inode number, which tells a settled file from another put in its place.
    public var inode: UInt64 = 0
    /// An mbox or parsedmarc's output: kinds that grow in place as reports arrive.
    public var growsInPlace = false

    /// A finished report file: it gave reports and no problem (or holds bytes already
    /// archived), and it is not of a kind that grows in place. Later runs take it as read while
    /// its name and inode stay; other files are looked at (`stat`) on every run.
    public var settled: Bool {
        guard !growsInPlace, !contentHash.isEmpty else { return false }
        switch outcome {
        case .knownContent: return true
        case .loaded(let load): return load.reportCount > 0 && load.problems.isEmpty
        }
    }

    public init(path: String, stamp: FileStamp, contentHash: String, outcome: Outcome) {
        self.path = path
        self.stamp = stamp
        self.contentHash = contentHash
        self.outcome = outcome
    }
}

/// What committing a batch changed.
public struct CommitResult: Sendable {
    public var addedReports = 0
    public var addedTLSReports = 0
    /// Reports already in the archive from another file (or earlier in the batch).
    public var duplicates: [DuplicateReport] = []

    public init() {}

    public mutating func merge(_ other: CommitResult) {
        addedReports += other.addedReports
        addedTLSReports += other.addedTLSReports
        duplicates += other.duplicates
    }
}

/// Which reports to fetch by the domains they concern (header_from for DMARC records, the
/// policy domain for TLS results).
public enum DomainSelection: Sendable, Hashable {
    /// The domain and every subdomain of it.
    case subtree(String)
    /// Exactly this domain.
    case exact(String)
}

/// Reports read back from the archive, in the order they were first ingested.
public struct ArchivedReports: Sendable {
    public var reports: [AggregateReport] = []
    public var tlsReports: [TLSReport] = []

    public init() {}
}

/// A fingerprint of the archived data under some domains: it changes whenever a report
/// concerning them is added. The archive only ever grows, so count and last id suffice.
public struct DataVersion: Sendable, Hashable, CustomStringConvertible {
    public var reports: Int
    public var lastReport: Int64

    public init(reports: Int, lastReport: Int64) {
        self.reports = reports
        self.lastReport = lastReport
    }

    public var description: String { "\(reports):\(lastReport)" }
}

/// What the archive remembers about the last render of one client.
public struct RenderRecord: Sendable, Hashable {
    public var fingerprint: String
    public var pages: Int
    /// Opaque bytes the renderer keeps to redraw roll-ups without the client's data.
    public var summary: [UInt8]

    public init(fingerprint: String, pages: Int, summary: [UInt8]) {
        self.fingerprint = fingerprint
        self.pages = pages
        self.summary = summary
    }
}

/// One client as the archive knows it: where its render record is kept and which domains its
/// data comes from.
public struct ClientDataQuery: Sendable, Hashable {
    public var reseller: String
    public var client: String
    public var selections: [DomainSelection]

    public init(reseller: String, client: String, selections: [DomainSelection]) {
        self.reseller = reseller
        self.client = client
        self.selections = selections
    }
}

/// What decides whether a client's pages can be carried over: the version of its data now and
/// the record of its last render.
public struct ClientRenderState: Sendable, Hashable {
    public var data: DataVersion
    public var record: RenderRecord?

    public init(data: DataVersion, record: RenderRecord?) {
        self.data = data
        self.record = record
    }
}

public struct ArchiveCounts: Sendable, Hashable {
    public var files: Int
    public var reports: Int
    public var tlsReports: Int
    public var duplicates: Int
    /// Files that gave no report (not a report, damaged, refused).
    public var skippedFiles: Int

    public init(files: Int, reports: Int, tlsReports: Int, duplicates: Int, skippedFiles: Int) {
        self.files = files
        self.reports = reports
        self.tlsReports = tlsReports
        self.duplicates = duplicates
        self.skippedFiles = skippedFiles
    }
}

/// Where ingested reports are kept across runs. SQLite (`SQLiteReportStore`) is the default;
/// every operation is atomic, so an interrupted ingest keeps whole batches or nothing of them.
public protocol ReportStore: Sendable {
    /// Every ingested path with its stamp.
    func knownFiles() throws -> [String: FileStamp]
    /// What the archive remembers of the reports folder; nil when this store keeps no such
    /// memory, and every file is looked at on every run.
    func listingMemory() throws -> ListingMemory?
    /// The paths of the settled files directly in this folder (relative path, "" for the
    /// reports folder), by inode number.
    func settledFiles(inFolder folder: String) throws -> [UInt64: String]
    /// Replaces the remembered folders: call only after every file listed in them is committed.
    func remember(folders: [String: RememberedFolder]) throws
    /// Records whether these known, unchanged files are settled, and their inode numbers.
    func settle(_ files: [(path: String, inode: UInt64, settled: Bool)]) throws
    /// Which of these content hashes are already in the archive.
    func knownContents(_ hashes: Set<String>) throws -> Set<String>
    /// Adds the files and their reports in one transaction; files must be in path order.
    func commit(prepared files: [PreparedFile]) throws -> CommitResult
    /// The run's last commits are near: a store may start making what it has written durable
    /// now, while they are prepared, rather than all of it once it is closed.
    func finishingWrites()
    func reports(_ selections: [DomainSelection]) throws -> ArchivedReports
    func dataVersion(_ selections: [DomainSelection]) throws -> DataVersion
    /// Every distinct domain the archived reports concern (normalised).
    func domains() throws -> [String]
    func counts() throws -> ArchiveCounts
    /// The messages (DMARC) and sessions (TLS) all archived reports count together.
    func countedTotal() throws -> Int
    /// Reports of both kinds whose date range begins at or after this Unix time.
    func reportCount(beginningAtOrAfter time: Int64) throws -> Int
    func renderRecord(scope: String, reseller: String, client: String) throws -> RenderRecord?
    /// `dataVersion` and `renderRecord` of many clients at once, in their order.
    func renderStates(scope: String, clients: [ClientDataQuery]) throws -> [ClientRenderState]
    /// The distinct domains the archived reports concern (normalised, sorted) that are neither
    /// one of these domains nor a subdomain of one, as `DomainSelection.subtree` selects them.
    func domains(outside subtrees: [String]) throws -> [String]
    func saveRenderRecords(scope: String, _ records: [(reseller: String, client: String, record: RenderRecord?)]) throws
}

extension ReportStore {
    public func finishingWrites() {}
    public func listingMemory() throws -> ListingMemory? { nil }
    public func settledFiles(inFolder folder: String) throws -> [UInt64: String] { [:] }
    public func remember(folders: [String: RememberedFolder]) throws {}
    public func settle(_ files: [(path: String, inode: UInt64, settled: Bool)]) throws {}

    /// Prepares the files here and commits them in one transaction.
    public func commit(_ files: [IngestedFile]) throws -> CommitResult {
        try commit(prepared: files.map(PreparedFile.init))
    }

    /// One client after the other; a store that can read them together does so.
    public func renderStates(scope: String, clients: [ClientDataQuery]) throws -> [ClientRenderState] {
        try clients.map { client in
            ClientRenderState(
                data: try dataVersion(client.selections),
                record: try renderRecord(scope: scope, reseller: client.reseller, client: client.client))
        }
    }

    /// Every domain, filtered here; a store that can skip the subtrees in its index does so.
    public func domains(outside subtrees: [String]) throws -> [String] {
        let prefixes = subtrees.map(DomainKey.key)
        return try domains().filter { domain in
            let key = DomainKey.key(domain)
            return !prefixes.contains { key.utf8.starts(with: $0.utf8) }
        }
    }
}

/// The form in which a DMARC report meets parsedmarc's copies of it.
package struct Transcription: Sendable {
    package var key: String
    package var transcribed: Bool

    package init(_ loaded: LoadedReport) {
        self.init(loaded.report.identity, transcribed: loaded.report.origin == .parsedmarc)
    }

    package init(_ identity: ReportIdentity, transcribed: Bool) {
        key = Self.asciiKey(identity) ?? Self.key(identity.parsedmarcForm)
        self.transcribed = transcribed
    }

    /// The key of an identity in parsedmarc's form. Length-prefixed rather than split by a
    /// NUL, which PostgreSQL text cannot hold.
    package static func key(_ form: ReportIdentity) -> String {
        "\(form.orgName.utf8.count):\(form.orgName)\(form.reportID)"
    }

    /// `key(identity.parsedmarcForm)` for an identity of ASCII text (nearly every one), worked
    /// out by byte: every report ingested takes this path, and `parsedmarcForm` works by
    /// Character. nil for any other identity. For ASCII text, trimming the XML white space
    /// Characters is trimming those bytes (`\r\n` is the only Character of two), and
    /// removing `<` and `>` and cutting at the first `@` are the same by byte.
    private static func asciiKey(_ identity: ReportIdentity) -> String? {
        var orgName = identity.orgName
        var reportID = identity.reportID
        return orgName.withUTF8 { org in
            reportID.withUTF8 { id -> String? in
                guard org.allSatisfy({ $0 < 0x80 }), id.allSatisfy({ $0 < 0x80 }) else { return nil }
                let trimmedOrg = trimmed(org)
                var orgForm = lowercasedASCII(trimmedOrg)
                // parsedmarc's organisational domain, for a name without spaces.
                if !trimmedOrg.contains(UInt8(ascii: " ")),
                   let base = PublicSuffixList.system.organisationalDomain(of: orgForm) {
                    orgForm = base.lowercased()
                }
                var idBytes = trimmed(id)
                if let at = idBytes.firstIndex(of: UInt8(ascii: "@")) { idBytes = idBytes[..<at] }
                let idLength = idBytes.count { $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }
                let prefix = "\(orgForm.utf8.count):"
                var orgBytes = orgForm
                return orgBytes.withUTF8 { orgFormBytes in
                    String(unsafeUninitializedCapacity: prefix.utf8.count + orgFormBytes.count + idLength) { key in
                        var written = 0
                        for byte in prefix.utf8 { key[written] = byte; written += 1 }
                        for byte in orgFormBytes { key[written] = byte; written += 1 }
                        for byte in idBytes where byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">") {
                            key[written] = lowercasedASCII(byte)
                            written += 1
                        }
                        return written
                    }
                }
            }
        }
    }

    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> Slice<UnsafeBufferPointer<UInt8>> {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return bytes[0..<0]
        }
        return bytes[first...last]
    }

    private static func lowercasedASCII(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
    }

    private static func lowercasedASCII(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { out in
            for (offset, byte) in bytes.enumerated() { out[offset] = lowercasedASCII(byte) }
            return bytes.count
        }
    }
}
