#if PostgreSQL
import PostgresNIO
import ReportArchive
import ReportModel

/// Writes one batch on a connection inside its transaction.
struct PostgresBatchWriter {
    let connection: PostgresConnection
    let origin: String
    let logger: Logger
    private(set) var result = CommitResult()

    init(connection: PostgresConnection, origin: String, logger: Logger) {
        self.connection = connection
        self.origin = origin
        self.logger = logger
    }

    /// The same bytes at the same path, this time found already archived (another worker parsed
    /// them a moment before, or the file was touched): the record of the read that parsed them stays.
    private static let sameBytesKnown = "excluded.known_content AND input_file.content_hash = excluded.content_hash"

    mutating func add(_ file: PreparedFile) async throws {
        for report in file.reports { try await add(report, of: file) }
        try await connection.query("""
            INSERT INTO input_file (origin, path, size, modified, content_hash, reports, known_content, problems)
            VALUES (\(origin), \(file.path), \(file.stamp.size), \(file.stamp.modified), \(file.contentHash),
                    \(file.reportCount), \(file.knownContent), \(file.problems))
            ON CONFLICT (origin, path) DO UPDATE SET size = excluded.size, modified = excluded.modified,
              content_hash = excluded.content_hash,
              reports = CASE WHEN \(unescaped: Self.sameBytesKnown) THEN input_file.reports ELSE excluded.reports END,
              known_content = CASE WHEN \(unescaped: Self.sameBytesKnown) THEN input_file.known_content ELSE excluded.known_content END,
              problems = CASE WHEN \(unescaped: Self.sameBytesKnown) THEN input_file.problems ELSE excluded.problems END
            """, logger: logger)
    }

    private mutating func add(_ report: PreparedFile.Report, of file: PreparedFile) async throws {
        let identity = report.identity
        if try await metTranscription(report, of: file) { return }
        // Waits for a concurrent insert of the same report to end; returns no row if it is kept.
        let inserted = try await connection.query("""
            INSERT INTO report (kind, org_name, report_id, begin_time, end_time, counted, transcription_key, transcribed,
                                source_origin, source_file, source_entries, source_hash, body)
            VALUES (\(report.kind), \(identity.orgName), \(identity.reportID), \(report.range.begin), \(report.range.end), \(report.counted),
                    \(report.transcription?.key), \(report.transcription?.transcribed ?? false),
                    \(origin), \(report.source.file), \(report.source.entries), \(file.contentHash), \(ByteBuffer(bytes: report.body)))
            ON CONFLICT (kind, org_name, report_id) DO NOTHING
            RETURNING id
            """, logger: logger)
        var newID: Int64?
        for try await id in inserted.decode(Int64.self) { newID = id }
        if let id = newID {
            try await connection.query("""
                INSERT INTO report_domain (domain_key, report) SELECT unnest(\(report.domainKeys)::text[]), \(id)
                ON CONFLICT DO NOTHING
                """, logger: logger)
            if report.kind == ReportKind.tls { result.addedTLSReports += 1 } else { result.addedReports += 1 }
            return
        }

        // Read committed: this statement sees the row another worker has just committed.
        let keptRows = try await connection.query("""
            SELECT source_origin, source_file, source_entries, source_hash FROM report
            WHERE kind = \(report.kind) AND org_name = \(identity.orgName) AND report_id = \(identity.reportID)
            """, logger: logger)
        try await recordDuplicate(report, of: file, keptRows: keptRows)
    }

    /// A parsedmarc copy meets any copy in parsedmarc's form; a reporter's copy meets only
    /// parsedmarc copies there (two reporter copies must agree exactly). Returns whether it met one.
    private mutating func metTranscription(_ report: PreparedFile.Report, of file: PreparedFile) async throws -> Bool {
        guard let transcription = report.transcription else { return false }
        let keptRows = try await connection.query("""
            SELECT source_origin, source_file, source_entries, source_hash FROM report
            WHERE transcription_key = \(transcription.key) AND (\(transcription.transcribed) OR transcribed)
            ORDER BY id LIMIT 1
            """, logger: logger)
        var kept: (String, String, [String], String)?
        for try await row in keptRows.decode((String, String, [String], String).self) { kept = row }
        guard let kept else { return false }
        try await recordDuplicate(report, of: file, kept: kept)
        return true
    }

    private mutating func recordDuplicate(_ report: PreparedFile.Report, of file: PreparedFile, keptRows: PostgresRowSequence) async throws {
        var kept: (String, String, [String], String)?
        for try await row in keptRows.decode((String, String, [String], String).self) { kept = row }
        guard let kept else {
            throw PostgresArchiveError(
                step: "commit", reason: "report \(report.identity.orgName) \(report.identity.reportID) was neither added nor found")
        }
        try await recordDuplicate(report, of: file, kept: kept)
    }

    /// `kept` is the archived copy's (origin, file, entries, content hash).
    private mutating func recordDuplicate(
        _ report: PreparedFile.Report, of file: PreparedFile, kept row: (String, String, [String], String)
    ) async throws {
        let identity = report.identity
        let kept = (origin: row.0, file: row.1, entries: row.2, hash: row.3)
        // The same file read again (changed on disk), or the same bytes read by another worker
        // or under another name: its reports are not new copies.
        let sameFile = kept.origin == origin && kept.file == report.source.file
        guard kept.entries != report.source.entries || !(sameFile || kept.hash == file.contentHash) else { return }

        let listed = try await connection.query("""
            INSERT INTO duplicate (kind, org_name, report_id, source_origin, source_file, source_entries, source_hash)
            VALUES (\(report.kind), \(identity.orgName), \(identity.reportID), \(origin), \(report.source.file),
                    \(report.source.entries), \(file.contentHash))
            ON CONFLICT DO NOTHING
            RETURNING 1
            """, logger: logger)
        var isNew = false
        for try await _ in listed.decode(Int.self) { isNew = true }
        guard isNew else { return }
        // A copy kept from another worker's folder is named with that folder.
        let keptFile = kept.origin == origin ? kept.file : "\(kept.origin)/\(kept.file)"
        result.duplicates.append(DuplicateReport(
            identity: identity, kept: ReportSource(file: keptFile, entries: kept.entries), dropped: report.source))
    }
}
#endif
