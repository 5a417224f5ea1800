import Foundation
import GRDB
import GRDBSQLite
import ReportModel

/// The archive in one SQLite file (GRDB), by default `<workspace>/.sitegen/archive.sqlite`.
///
/// Reports are stored once per (kind, reporter org_name, report_id), in the compact form of
/// `ReportCodec`, indexed by the domains they concern. Write-ahead logging keeps a reader
/// consistent while an ingest commits; each batch is one transaction. An archive file is opened
/// as a pool, so lookups for the next batch need not wait for the commit of the last.
public final class SQLiteReportStore: ReportStore {
    private let database: any DatabaseWriter
    /// Copies the log into the archive file for the writer (archive files only).
    private let checkpointer: WALCheckpointer?

    /// Opens (creating when needed) the archive file and brings its schema up to date.
    public convenience init(path: String) throws {
        try self.init(path: path, logCopies: .standard)
    }

    /// `logCopies`: when the write-ahead log is copied into the file (tests copy sooner).
    package init(path: String, logCopies: WALCheckpointer.Limits) throws {
        var configuration = Configuration()
        // Another process (a second sitegen, an ingest worker) may hold the write lock briefly.
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Takes effect only when the file is created: fewer, larger writes for an archive
            // that grows by gigabytes (each page goes to the log, then to the file).
            try db.execute(sql: "PRAGMA page_size = 16384")
        }
        let database = try DatabasePool(path: path, configuration: configuration)
        try Self.refuseNewerSchema(of: database)
        try ArchiveSchema.migrator.migrate(database)
        // The writer's page cache holds the indexes a batch inserts into (SQLite's default is
        // 2 MB, far less than an archive of a year's reports needs). The log is copied into the
        // file every 128 MB rather than every 16 MB (each copy waits for the disk twice: the log,
        // then the file), and on a connection of its own, so the writer does not wait for it.
        let checkpointer = WALCheckpointer(path: path, limits: logCopies)
        try database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA cache_size = -16384")
            checkpointer.install(on: db)
        }
        self.database = database
        self.checkpointer = checkpointer
    }

    /// An archive a newer sitegen has migrated may hold rows this version would misread or
    /// write without what the newer schema needs: it is left alone, with the reason.
    private static func refuseNewerSchema(of database: some DatabaseReader) throws {
        let unknown = try database.read { db -> [String] in
            guard try db.tableExists("grdb_migrations") else { return [] }
            let known = Set(ArchiveSchema.migrator.migrations)
            return try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
                .filter { !known.contains($0) }
        }
        guard unknown.isEmpty else {
            throw ArchiveError(reason: "the archive was written by a newer sitegen (schema \(unknown.joined(separator: ", "))); use that version or a newer one")
        }
    }

    /// Returns once no copy of the log into the file is under way.
    package func waitForLogCopy() {
        checkpointer?.waitForCopy()
    }

    deinit {
        guard let checkpointer else { return }
        database.writeWithoutTransaction { db in checkpointer.uninstall(from: db) }
        checkpointer.waitForCopy()
    }

    /// Whether the archive file exists and lacks schema changes this sitegen brings, so that
    /// opening it will first migrate it (once; minutes for a large archive). False when it
    /// cannot tell: opening the archive reports the reason.
    public static func needsMigration(path: String) -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return false }
        var configuration = Configuration()
        configuration.readonly = true
        guard let database = try? DatabaseQueue(path: path, configuration: configuration),
              let completed = try? database.read(ArchiveSchema.migrator.hasCompletedMigrations)
        else { return false }
        return !completed
    }

    /// Opens an existing archive to read while another process may be writing it: no schema
    /// change, no write lock taken.
    public init(readingPath path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        database = try DatabaseQueue(path: path, configuration: configuration)
        checkpointer = nil
        try Self.refuseNewerSchema(of: database)
    }

    /// An archive that lives only as long as this value: for one-off builds and tests.
    public init() throws {
        database = try DatabaseQueue()
        checkpointer = nil
        try ArchiveSchema.migrator.migrate(database)
    }

    public func knownFiles() throws -> [String: FileStamp] {
        try database.read { db in
            var stamps: [String: FileStamp] = [:]
            stamps.reserveCapacity(try Int.fetchOne(db, sql: "SELECT count(*) FROM input_file") ?? 0)
            let rows = try Row.fetchCursor(db, sql: "SELECT path, size, modified FROM input_file")
            while let row = try rows.next() {
                stamps[row[0]] = FileStamp(size: row[1], modified: row[2])
            }
            return stamps
        }
    }

    public func listingMemory() throws -> ListingMemory? {
        try database.read { db in
            var folders: [String: RememberedFolder] = [:]
            let folderRows = try Row.fetchCursor(db, sql: "SELECT path, device, inode, modified, changed, files FROM input_folder")
            while let row = try folderRows.next() {
                let stamp = FolderStamp(
                    device: UInt64(bitPattern: row[1]), inode: UInt64(bitPattern: row[2]), modified: row[3], changed: row[4])
                folders[row[0]] = RememberedFolder(stamp: stamp, files: row[5])
            }
            var memory = ListingMemory(folders: folders, unsettledFiles: [:])
            let fileRows = try Row.fetchCursor(db, sql: "SELECT path, size, modified, settled FROM input_file WHERE settled != 1")
            while let row = try fileRows.next() {
                let path: String = row[0]
                memory.unsettledFiles[path] = FileStamp(size: row[1], modified: row[2])
                if row[3] as Int == -1 { memory.unclassifiedFiles.insert(path) }
            }
            return memory
        }
    }

    public func settledFiles(inFolder folder: String) throws -> [UInt64: String] {
        try database.read { db in
            var files: [UInt64: String] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT inode, path FROM input_file WHERE folder = ? AND settled = 1", arguments: [folder])
            while let row = try rows.next() {
                files[UInt64(bitPattern: row[0])] = row[1]
            }
            return files
        }
    }

    public func settle(_ files: [(path: String, inode: UInt64, settled: Bool)]) throws {
        guard !files.isEmpty else { return }
        try database.write { db in
            let update = try db.cachedStatement(sql: "UPDATE input_file SET inode = ?, settled = ? WHERE path = ?")
            for file in files { try update.execute(arguments: [Int64(bitPattern: file.inode), file.settled, file.path]) }
        }
    }

    public func remember(folders: [String: RememberedFolder]) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM input_folder")
            let insert = try db.cachedStatement(
                sql: "INSERT INTO input_folder (path, device, inode, modified, changed, files) VALUES (?, ?, ?, ?, ?, ?)")
            for (path, folder) in folders.sorted(by: { $0.key < $1.key }) {
                let stamp = folder.stamp
                try insert.execute(arguments: [
                    path, Int64(bitPattern: stamp.device), Int64(bitPattern: stamp.inode), stamp.modified, stamp.changed, folder.files,
                ])
            }
        }
    }

    public func knownContents(_ hashes: Set<String>) throws -> Set<String> {
        guard !hashes.isEmpty else { return [] }
        return try database.read { db in
            let lookup = try RawStatement(db, sql: "SELECT 1 FROM input_file WHERE content_lookup = ? AND content_hash = ? LIMIT 1")
            return Set(try hashes.filter { hash in
                try lookup.hasRow { values in
                    values.integer(LookupKey.of(hash))
                    values.text(hash)
                }
            })
        }
    }

    /// Copies the log into the archive file in the background now: closing the archive copies
    /// and syncs whatever is left, and the run waits for it.
    public func finishingWrites() {
        checkpointer?.startCopy()
    }

    public func commit(prepared files: [PreparedFile]) throws -> CommitResult {
        try database.write { db in
            var writer = try BatchWriter(db)
            for file in files { try writer.add(file) }
            try writer.addToTotal()
            return writer.result
        }
    }

    public func reports(_ selections: [DomainSelection]) throws -> ArchivedReports {
        let stored = try database.read { db in
            var ids = Set<Int64>()
            for selection in selections { ids.formUnion(try Self.reportIDs(db, selection)) }
            let statement = try db.cachedStatement(sql: "SELECT kind, body FROM report JOIN report_body ON report_body.report = report.id WHERE id = ?")
            return try ids.sorted().compactMap { id -> (id: Int64, kind: String, body: Data)? in
                guard let row = try Row.fetchOne(statement, arguments: [id]) else { return nil }
                return (id, row[0], row[1])
            }
        }
        // Decoded outside the database queue, so other threads' queries need not wait.
        var result = ArchivedReports()
        let interner = StoredValueInterner()
        for (id, kind, body) in stored {
            do {
                switch kind {
                case ReportKind.tls: result.tlsReports.append(try ReportCodec.decodeTLS(Array(body)))
                default: result.reports.append(try ReportCodec.decodeAggregate(Array(body), sharing: interner))
                }
            } catch {
                throw ArchiveError(reason: "report \(id) in the archive cannot be read back: \(error.reason)")
            }
        }
        return result
    }

    public func dataVersion(_ selections: [DomainSelection]) throws -> DataVersion {
        try database.read { db in
            var ids = Set<Int64>()
            for selection in selections { ids.formUnion(try Self.reportIDs(db, selection)) }
            return DataVersion(reports: ids.count, lastReport: ids.max() ?? 0)
        }
    }

    public func domains() throws -> [String] {
        try database.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT domain_key FROM report_domain ORDER BY domain_key")
                .map(DomainKey.domain(fromKey:))
                .sorted()
        }
    }

    public func domains(outside subtrees: [String]) throws -> [String] {
        // The wanted domains lie in the gaps between the subtrees' key ranges: only those
        // stretches of the index are read.
        let ranges = DomainKey.merged(subtrees.map(DomainKey.subtree))
        return try database.read { db in
            let between = try db.cachedStatement(sql: "SELECT DISTINCT domain_key FROM report_domain WHERE domain_key >= ? AND domain_key < ?")
            var keys: [String] = []
            var lower = ""
            for range in ranges {
                keys += try String.fetchAll(between, arguments: [lower, range.lower])
                lower = range.upper
            }
            keys += try String.fetchAll(db, sql: "SELECT DISTINCT domain_key FROM report_domain WHERE domain_key >= ?", arguments: [lower])
            return keys.map(DomainKey.domain(fromKey:)).sorted()
        }
    }

    public func counts() throws -> ArchiveCounts {
        try database.read { db in
            // A count of a whole table reads page headers only; TLS reports are few.
            let tlsReports = try Int.fetchOne(db, sql: "SELECT count(*) FROM report WHERE kind = ?", arguments: [ReportKind.tls]) ?? 0
            return ArchiveCounts(
                files: try Int.fetchOne(db, sql: "SELECT count(*) FROM input_file") ?? 0,
                reports: (try Int.fetchOne(db, sql: "SELECT count(*) FROM report") ?? 0) - tlsReports,
                tlsReports: tlsReports,
                duplicates: try Int.fetchOne(db, sql: "SELECT count(*) FROM duplicate") ?? 0,
                skippedFiles: try Int.fetchOne(db, sql: "SELECT count(*) FROM input_file WHERE reports = 0 AND known_content = 0") ?? 0)
        }
    }

    public func countedTotal() throws -> Int {
        try database.read { db in
            try Int.fetchOne(db, sql: "SELECT counted FROM archive_total") ?? 0
        }
    }

    public func reportCount(beginningAtOrAfter time: Int64) throws -> Int {
        try database.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM report WHERE begin >= ?", arguments: [time]) ?? 0
        }
    }

    public func renderRecord(scope: String, reseller: String, client: String) throws -> RenderRecord? {
        try database.read { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT fingerprint, pages, summary FROM render_state WHERE scope = ? AND reseller = ? AND client = ?",
                arguments: [scope, reseller, client])
            else { return nil }
            let summary: Data = row[2]
            return RenderRecord(fingerprint: row[0], pages: row[1], summary: Array(summary))
        }
    }

    /// The records in one read; the data versions on all cores, each core reading its share of
    /// the clients in one read.
    public func renderStates(scope: String, clients: [ClientDataQuery]) throws -> [ClientRenderState] {
        let records = try database.read { db in
            var records: [RenderRecordKey: RenderRecord] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT reseller, client, fingerprint, pages, summary FROM render_state WHERE scope = ?", arguments: [scope])
            while let row = try rows.next() {
                let summary: Data = row[4]
                records[RenderRecordKey(reseller: row[0], client: row[1])] = RenderRecord(fingerprint: row[2], pages: row[3], summary: Array(summary))
            }
            return records
        }
        let shareCount = min(clients.count, ProcessInfo.processInfo.activeProcessorCount)
        let shares = (0..<shareCount).map { share in (clients.count * share / shareCount)..<(clients.count * (share + 1) / shareCount) }
        let database = database
        let versions = try ParallelMap.map(shares) { share in
            Result {
                try database.read { db in
                    var ids: [Int64] = []
                    return try clients[share].map { try Self.dataVersion(db, $0.selections, ids: &ids) }
                }
            }
        }.flatMap { try $0.get() }
        return zip(clients, versions).map { client, data in
            ClientRenderState(data: data, record: records[RenderRecordKey(reseller: client.reseller, client: client.client)])
        }
    }

    public func saveRenderRecords(scope: String, _ records: [(reseller: String, client: String, record: RenderRecord?)]) throws {
        try database.write { db in
            for entry in records {
                if let record = entry.record {
                    try db.execute(
                        sql: """
                            INSERT INTO render_state (scope, reseller, client, fingerprint, pages, summary) VALUES (?, ?, ?, ?, ?, ?)
                            ON CONFLICT (scope, reseller, client) DO UPDATE SET
                              fingerprint = excluded.fingerprint, pages = excluded.pages, summary = excluded.summary
                            """,
                        arguments: [scope, entry.reseller, entry.client, record.fingerprint, record.pages, Data(record.summary)])
                } else {
                    try db.execute(sql: "DELETE FROM render_state WHERE scope = ? AND reseller = ? AND client = ?",
                                   arguments: [scope, entry.reseller, entry.client])
                }
            }
        }
    }

    /// The same version as `dataVersion`, counted by sorting rather than hashing the ids;
    /// `ids` is a buffer kept across clients.
    private static func dataVersion(_ db: Database, _ selections: [DomainSelection], ids: inout [Int64]) throws -> DataVersion {
        ids.removeAll(keepingCapacity: true)
        for selection in selections {
            let cursor: FastDatabaseValueCursor<Int64>
            switch selection {
            case .subtree(let domain):
                let range = DomainKey.subtree(domain)
                cursor = try Int64.fetchCursor(
                    db.cachedStatement(sql: "SELECT report FROM report_domain WHERE domain_key >= ? AND domain_key < ?"),
                    arguments: [range.lower, range.upper])
            case .exact(let domain):
                cursor = try Int64.fetchCursor(
                    db.cachedStatement(sql: "SELECT report FROM report_domain WHERE domain_key = ?"), arguments: [DomainKey.key(domain)])
            }
            while let id = try cursor.next() { ids.append(id) }
        }
        ids.sort()
        var distinct = 0
        var previous: Int64?
        for id in ids where id != previous {
            distinct += 1
            previous = id
        }
        return DataVersion(reports: distinct, lastReport: ids.last ?? 0)
    }

    private static func reportIDs(_ db: Database, _ selection: DomainSelection) throws -> [Int64] {
        switch selection {
        case .subtree(let domain):
            let range = DomainKey.subtree(domain)
            return try Int64.fetchAll(
                db, sql: "SELECT report FROM report_domain WHERE domain_key >= ? AND domain_key < ?",
                arguments: [range.lower, range.upper])
        case .exact(let domain):
            return try Int64.fetchAll(db, sql: "SELECT report FROM report_domain WHERE domain_key = ?", arguments: [DomainKey.key(domain)])
        }
    }
}

private struct RenderRecordKey: Hashable {
    var reseller: String
    var client: String
}

public struct ArchiveError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

package enum ReportKind {
    package static let dmarc = "dmarc"
    package static let tls = "tls"
}

/// Writes one batch inside its transaction, with prepared statements reused for every row.
/// Values are bound through SQLite's C API (`RawStatement`): GRDB's `StatementArguments` box
/// each value, which was a third of a commit's CPU. The bindings are GRDB's own (text as C
/// strings, blobs as bytes, integers and booleans as 64-bit integers), so the rows are the same.
private struct BatchWriter {
    private let db: Database
    private let insertFile: RawStatement
    private let insertReport: RawStatement
    private let insertBody: RawStatement
    private let insertDomain: RawStatement
    private let findReport: RawStatement
    private let findAnyTranscription: RawStatement
    private let findTranscribed: RawStatement
    private let insertDuplicate: RawStatement
    private(set) var result = CommitResult()
    /// What the reports added in this batch count together.
    private var counted = 0

    init(_ db: Database) throws {
        self.db = db
        insertFile = try RawStatement(db, sql: """
            INSERT INTO input_file (path, size, modified, content_hash, content_lookup, reports, known_content, problems, folder, inode, settled)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (path) DO UPDATE SET size = excluded.size, modified = excluded.modified,
              content_hash = excluded.content_hash, content_lookup = excluded.content_lookup, reports = excluded.reports,
              known_content = excluded.known_content, problems = excluded.problems,
              folder = excluded.folder, inode = excluded.inode, settled = excluded.settled
            """)
        insertReport = try RawStatement(db, sql: """
            INSERT INTO report (
              kind, org_name, report_id, begin, "end", counted, transcription_key, transcription_lookup, transcribed, source_file, source_entries)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, org_name, report_id) DO NOTHING
            """)
        insertBody = try RawStatement(db, sql: "INSERT INTO report_body (report, body) VALUES (?, ?)")
        insertDomain = try RawStatement(db, sql: "INSERT OR IGNORE INTO report_domain (domain_key, report) VALUES (?, ?)")
        findReport = try RawStatement(
            db, sql: "SELECT source_file, source_entries FROM report WHERE kind = ? AND org_name = ? AND report_id = ?")
        findAnyTranscription = try RawStatement(
            db, sql: "SELECT source_file, source_entries FROM report WHERE transcription_lookup = ? AND transcription_key = ? ORDER BY id LIMIT 1")
        findTranscribed = try RawStatement(
            db, sql: """
                SELECT source_file, source_entries FROM report
                WHERE transcription_lookup = ? AND transcription_key = ? AND transcribed = 1 ORDER BY id LIMIT 1
                """)
        insertDuplicate = try RawStatement(db, sql: """
            INSERT OR IGNORE INTO duplicate (kind, org_name, report_id, source_file, source_entries) VALUES (?, ?, ?, ?, ?)
            """)
    }

    func addToTotal() throws {
        guard counted > 0 else { return }
        try db.execute(sql: "UPDATE archive_total SET counted = counted + ?", arguments: [counted])
    }

    mutating func add(_ file: PreparedFile) throws {
        for report in file.reports { try add(report) }
        try insertFile.execute { values in
            values.text(file.path)
            values.integer(file.stamp.size)
            values.integer(file.stamp.modified)
            values.text(file.contentHash)
            values.integer(LookupKey.of(file.contentHash))
            values.integer(Int64(file.reportCount))
            values.integer(file.knownContent ? 1 : 0)
            values.text(file.problems)
            values.text(file.folder)
            values.integer(Int64(bitPattern: file.inode))
            values.integer(file.settled ? 1 : 0)
        }
    }

    private mutating func add(_ report: PreparedFile.Report) throws {
        let entries = Self.encode(report.source.entries)
        // A parsedmarc copy meets any copy in parsedmarc's form; a reporter's copy meets only
        // parsedmarc copies there (two reporter copies must agree exactly, below).
        let transcriptionLookup = report.transcription.map { LookupKey.of($0.key) }
        if let transcription = report.transcription, let transcriptionLookup,
           let kept = try (transcription.transcribed ? findAnyTranscription : findTranscribed).source(binding: { values in
               values.integer(transcriptionLookup)
               values.text(transcription.key)
           }) {
            try recordDuplicate(kind: report.kind, identity: report.identity, kept: kept, source: report.source, entries: entries)
            return
        }
        try insertReport.execute { values in
            values.text(report.kind)
            values.text(report.identity.orgName)
            values.text(report.identity.reportID)
            values.integer(report.range.begin)
            values.integer(report.range.end)
            values.integer(Int64(report.counted))
            values.optionalText(report.transcription?.key)
            values.optionalInteger(transcriptionLookup)
            values.integer((report.transcription?.transcribed ?? false) ? 1 : 0)
            values.text(report.source.file)
            values.blob(entries)
        }
        if insertReport.changes == 1 {
            let id = insertReport.lastInsertedRowID
            try insertBody.execute { values in
                values.integer(id)
                values.blob(report.body)
            }
            for key in report.domainKeys {
                try insertDomain.execute { values in
                    values.text(key)
                    values.integer(id)
                }
            }
            if report.kind == ReportKind.tls { result.addedTLSReports += 1 } else { result.addedReports += 1 }
            counted += report.counted
            return
        }
        let kept = try findReport.source { values in
            values.text(report.kind)
            values.text(report.identity.orgName)
            values.text(report.identity.reportID)
        }
        guard let kept else {
            throw ArchiveError(reason: "report \(report.identity.orgName) \(report.identity.reportID) was neither added nor found")
        }
        try recordDuplicate(kind: report.kind, identity: report.identity, kept: kept, source: report.source, entries: entries)
    }

    /// `kept` is the archived copy's source row; the same source read again is no copy.
    private mutating func recordDuplicate(
        kind: String, identity: ReportIdentity, kept: (file: String, entries: [UInt8]), source: ReportSource, entries: [UInt8]
    ) throws {
        let keptSource = ReportSource(file: kept.file, entries: try Self.decode(kept.entries))
        // The same file read again after it changed on disk: its reports are not new copies.
        guard keptSource != source else { return }
        try insertDuplicate.execute { values in
            values.text(kind)
            values.text(identity.orgName)
            values.text(identity.reportID)
            values.text(source.file)
            values.blob(entries)
        }
        if insertDuplicate.changes == 1 {
            result.duplicates.append(DuplicateReport(identity: identity, kept: keptSource, dropped: source))
        }
    }

    private static func encode(_ entries: [String]) -> [UInt8] {
        var out = BinaryWriter()
        out.strings(entries)
        return out.bytes
    }

    private static func decode(_ bytes: [UInt8]) throws -> [String] {
        var input = BinaryReader(bytes)
        do {
            return try input.strings()
        } catch {
            throw ArchiveError(reason: "a stored report source cannot be read back: \(error.reason)")
        }
    }
}

/// One of GRDB's cached statements, run with its values bound straight through SQLite's C API.
/// Only for statements inside a transaction that GRDB runs (a batch's, or a read's): each run
/// resets the statement, binds every parameter, steps it, resets it and clears its bindings
/// again, so it holds no binding or read lock between runs.
///
/// Text and blobs are copied into memory kept for every run (`BindingArena`) and bound from
/// there without SQLite copying them again: a run of a batch's statements allocated nothing.
private struct RawStatement {
    private let statement: Statement
    private let db: Database
    private let arena = BindingArena()

    init(_ db: Database, sql: String) throws {
        self.db = db
        statement = try db.cachedStatement(sql: sql)
    }

    /// Runs a statement that returns no row.
    func execute(_ bind: (inout BoundValues) -> Void) throws {
        let handle = try start(bind)
        defer { finish(handle) }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw failure(code) }
    }

    /// Runs a query; whether it gives a row.
    func hasRow(binding bind: (inout BoundValues) -> Void) throws -> Bool {
        let handle = try start(bind)
        defer { finish(handle) }
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw failure(code)
        }
    }

    /// Runs a query for a report's source (`source_file`, `source_entries`): its first row.
    func source(binding bind: (inout BoundValues) -> Void) throws -> (file: String, entries: [UInt8])? {
        let handle = try start(bind)
        defer { finish(handle) }
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_DONE:
            return nil
        case SQLITE_ROW:
            let file = sqlite3_column_text(handle, 0).map { String(cString: $0) } ?? ""
            let count = Int(sqlite3_column_bytes(handle, 1))
            let entries = sqlite3_column_blob(handle, 1).map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
            return (file, entries)
        default:
            throw failure(code)
        }
    }

    /// The number of rows the last statement inserted, updated or deleted (GRDB's
    /// `changesCount`, without its check of the calling queue: a batch runs on GRDB's).
    var changes: Int {
        Int(sqlite3_changes(db.sqliteConnection))
    }

    /// The row id of the last row inserted (GRDB's `lastInsertedRowID`, as `changes`).
    var lastInsertedRowID: Int64 {
        sqlite3_last_insert_rowid(db.sqliteConnection)
    }

    private func start(_ bind: (inout BoundValues) -> Void) throws -> OpaquePointer {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        arena.removeAll()
        var values = BoundValues(handle: handle, arena: arena)
        bind(&values)
        // Bound once every value is in the arena, which may have moved as it grew.
        let failure = values.failure == SQLITE_OK ? arena.bind(to: handle) : values.failure
        guard failure == SQLITE_OK, values.index == sqlite3_bind_parameter_count(handle) else {
            sqlite3_clear_bindings(handle)
            throw DatabaseError(
                resultCode: ResultCode(rawValue: failure == SQLITE_OK ? SQLITE_MISUSE : failure),
                message: "\(values.index) values bound of \(sqlite3_bind_parameter_count(handle))", sql: statement.sql)
        }
        return handle
    }

    /// The statement lets go of the arena's memory, which the next run reuses.
    private func finish(_ handle: OpaquePointer) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    private func failure(_ code: Int32) -> DatabaseError {
        let message = db.sqliteConnection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }
}

/// The values of one run of a `RawStatement`, in parameter order: integers and NULL are bound
/// at once, text and blobs copied into the statement's arena, which binds them once all are in.
private struct BoundValues {
    let handle: OpaquePointer
    let arena: BindingArena
    private(set) var index: Int32 = 0
    /// The first binding that failed (`SQLITE_OK` when none did).
    private(set) var failure = SQLITE_OK

    init(handle: OpaquePointer, arena: BindingArena) {
        self.handle = handle
        self.arena = arena
    }

    /// As GRDB binds a `String`: a C string, so the text ends at its first NUL as GRDB's does.
    mutating func text(_ value: String) {
        index += 1
        var value = value
        value.withUTF8 { arena.add(text: $0, at: index) }
    }

    /// A part of a string, bound as the string it makes would be.
    mutating func text(_ value: Substring) {
        index += 1
        var value = value
        value.withUTF8 { arena.add(text: $0, at: index) }
    }

    mutating func optionalText(_ value: String?) {
        valueOrNull(value) { $0.text($1) }
    }

    mutating func optionalInteger(_ value: Int64?) {
        valueOrNull(value) { $0.integer($1) }
    }

    private mutating func valueOrNull<Value>(_ value: Value?, _ bind: (inout BoundValues, Value) -> Void) {
        guard let value else {
            index += 1
            note(sqlite3_bind_null(handle, index))
            return
        }
        bind(&self, value)
    }

    mutating func integer(_ value: Int64) {
        index += 1
        note(sqlite3_bind_int64(handle, index, value))
    }

    /// An empty blob is bound as one, not as NULL.
    mutating func blob(_ value: [UInt8]) {
        index += 1
        guard !value.isEmpty else {
            note(sqlite3_bind_zeroblob(handle, index, 0))
            return
        }
        value.withUnsafeBufferPointer { arena.add(blob: $0, at: index) }
    }

    private mutating func note(_ code: Int32) {
        if failure == SQLITE_OK, code != SQLITE_OK { failure = code }
    }
}

/// Memory for the text and blob values of one run of a statement, kept from run to run, and
/// where each value is in it.
private final class BindingArena {
    private struct Value {
        var parameter: Int32
        var offset: Int
        var count: Int
        var isText: Bool
    }

    /// Never nil once made: SQLite takes text at a NULL address for a NULL value.
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    private var count = 0
    private var values: [Value] = []

    init() {
        capacity = 4_096
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        storage.deallocate()
    }

    func removeAll() {
        count = 0
        values.removeAll(keepingCapacity: true)
    }

    /// Text up to its first NUL, as SQLite reads a C string.
    func add(text bytes: UnsafeBufferPointer<UInt8>, at parameter: Int32) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            add(nil, count: 0, at: parameter, isText: true)
            return
        }
        let length = memchr(base, 0, bytes.count).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? bytes.count
        add(UnsafeRawPointer(base), count: length, at: parameter, isText: true)
    }

    func add(blob bytes: UnsafeBufferPointer<UInt8>, at parameter: Int32) {
        add(bytes.baseAddress.map(UnsafeRawPointer.init), count: bytes.count, at: parameter, isText: false)
    }

    private func add(_ bytes: UnsafeRawPointer?, count byteCount: Int, at parameter: Int32, isText: Bool) {
        let offset = count
        reserve(byteCount)
        if let bytes, byteCount > 0 { (storage + offset).copyMemory(from: bytes, byteCount: byteCount) }
        values.append(Value(parameter: parameter, offset: offset, count: byteCount, isText: isText))
        count = offset + byteCount
    }

    /// Binds every value added since `removeAll`; SQLite reads them from here until the
    /// statement is reset and its bindings cleared (`SQLITE_STATIC`).
    func bind(to handle: OpaquePointer) -> Int32 {
        for value in values {
            let code: Int32
            if value.isText {
                code = sqlite3_bind_text(
                    handle, value.parameter, (storage + value.offset).assumingMemoryBound(to: CChar.self), Int32(value.count), nil)
            } else {
                code = sqlite3_bind_blob(handle, value.parameter, storage + value.offset, Int32(value.count), nil)
            }
            guard code == SQLITE_OK else { return code }
        }
        return SQLITE_OK
    }

    @inline(__always)
    private func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        grow(toHold: extra)
    }

    private func grow(toHold extra: Int) {
        let grown = max(count + extra, capacity * 2)
        let moved = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
        moved.copyMemory(from: storage, byteCount: count)
        storage.deallocate()
        storage = moved
        capacity = grown
    }
}
