#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ContentDigest
import Foundation
import ReportArchive
import ReportModel

/// What one ingest run did.
public struct ArchiveIngestResult: Sendable {
    /// Files read and parsed in this run (new, or changed since they were ingested).
    public var filesRead = 0
    /// Files not read again: same size and time as when ingested, or bytes already archived.
    public var filesKnown = 0
    /// Reports of both kinds in the files read, duplicates included.
    public var reportsRead = 0
    /// Records of the DMARC reports in the files read, duplicates included.
    public var recordsRead = 0
    public var added = CommitResult()
    /// Files of this run that gave no report, and files that gave some but had unusable parts.
    public var skippedFiles: [FileLoad] = []
    public var partlySkippedFiles: [FileLoad] = []

    public init() {}
}

/// Progress of a long step: items done of the total, for a progress line.
public struct StepProgress: Sendable {
    public var step: String
    public var done: Int
    public var total: Int
    public var elapsed: TimeInterval
}

/// Adds the reports folder to the archive: files seen before (same path, size and time) are
/// not read again, files whose bytes the archive already holds are not parsed again, and the
/// rest is parsed on all cores and committed in batches. A batch is one transaction, so an
/// interrupted run keeps every batch it committed and nothing of the one it was in.
public struct ArchiveIngester: Sendable {
    public var loader: ReportLoader
    public var store: any ReportStore
    /// At 270,000 files the archive's indexes outgrow SQLite's page cache, and every
    /// transaction writes each index page it touched again: fewer, larger transactions write
    /// far less (8,000: 38 s and 197 MB at the peak, where 2,000 took 44–46 s and 157 MB).
    public static let defaultBatchSize = 8_000
    /// Files per transaction.
    public var batchSize = defaultBatchSize
    /// Bytes of files per transaction, at most (a batch has one file at least): large
    /// reports make smaller batches, so that what a batch holds until it is committed stays
    /// bounded. The default is above what 8,000 files of the bench's 16 KB take.
    public var batchBytes: Int64 = 160 << 20
    /// Looks at every file again, as if the archive remembered no folder and no settled file:
    /// finds a finished report file that was rewritten in place.
    public var rescan = false
    /// The time a run starts: a folder changed in the two seconds before it is read again next
    /// run. Tests move it ahead.
    public var clock: @Sendable () -> Date = { Date() }

    public init(store: any ReportStore, limits: InputLimits = .standard) {
        self.store = store
        loader = ReportLoader(limits: limits)
    }

    public func ingest(folder: URL, progress: @Sendable (StepProgress) -> Void = { _ in }) throws -> ArchiveIngestResult {
        let started = Date()
        let memory = rescan ? nil : try store.listingMemory()
        // Without a memory, the archive's list of known files is read while the folder is listed.
        let knownLookup = memory == nil ? BackgroundTask { try store.knownFiles() } : nil
        var walker = ReportFolder(memory: memory, settledFiles: { [store] in try store.settledFiles(inFolder: $0) }, now: clock())
        var listing = try walker.list(folder)
        let known = try knownLookup?.wait() ?? memory?.unsettledFiles ?? [:]
        let changed = Self.changedFiles(listing.files, known: known)
        let root = folder.path.hasSuffix("/") ? folder.path : folder.path + "/"
        if let unclassified = memory?.unclassifiedFiles, !unclassified.isEmpty {
            try store.settle(Self.classify(listing.files, unclassified: unclassified, known: known, root: root))
        }
        var result = ArchiveIngestResult()
        result.filesKnown = listing.fileCount - changed.count
        result.skippedFiles = listing.problems
        var unrecorded: [String] = []

        // Looked up only when there is something to add (PostgreSQL sums it over every report).
        var budget = CountBudget(limit: loader.limits.maxTotalCount, counted: changed.isEmpty ? 0 : try store.countedTotal())
        // Batch n is committed on its own thread while batch n + 1 is read and parsed; its
        // hashes count as archived, as they will be by the time n + 1 is committed.
        var committing: (commit: BackgroundTask<CommitResult>, files: Int, hashes: Set<String>)?
        var done = 0
        let buffers = FileReadBuffers()
        func finish(_ commit: (commit: BackgroundTask<CommitResult>, files: Int, hashes: Set<String>)) throws {
            result.added.merge(try commit.commit.wait())
            done += commit.files
            progress(StepProgress(step: "ingest", done: done, total: changed.count, elapsed: Date().timeIntervalSince(started)))
        }
        let batches = Self.batches(of: changed, files: batchSize, bytes: batchBytes)
        for (number, range) in batches.enumerated() {
            let batch = Array(changed[range])
            // The last two batches: what is committed so far is made durable while they are
            // read, not after the last commit, with no core left to do anything else.
            if number + 2 >= batches.count { store.finishingWrites() }
            var prepared: [PreparedFile] = []
            prepared.reserveCapacity(batch.count)
            for var entry in try read(batch, root: root, committing: committing?.hashes ?? [], buffers: buffers) {
                if let stored = entry.stored, let problem = budget.admit(stored.counted, ReportSource(file: entry.file.path)) {
                    // Left out for the total: the file gave no report, as when it is loaded.
                    var load = FileLoad(file: entry.file.path)
                    load.problems.append(problem)
                    entry = ReadFile(leftOut: entry.file, load)
                } else if entry.stored == nil, case .loaded(let load) = entry.file.outcome {
                    let admitted = budget.admit(load)
                    entry.file.outcome = .loaded(admitted)
                    // A report left out for the total: the file is prepared again without it.
                    if admitted.reportCount != load.reportCount, entry.prepared != nil { entry.prepared = PreparedFile(entry.file) }
                }
                result.count(entry.file, stored: entry.stored)
                if let ready = entry.prepared { prepared.append(ready) } else { unrecorded.append(entry.file.path) }
            }
            if let previous = committing { try finish(previous) }
            committing = (BackgroundTask { [prepared] in try store.commit(prepared: prepared) }, batch.count, Set(prepared.map(\.contentHash)))
        }
        if let last = committing { try finish(last) }
        result.skippedFiles.sort { $0.file < $1.file }
        // A file not recorded is tried again next run, so its folder is read again.
        listing.readAgain(foldersOf: unrecorded)
        try store.remember(folders: listing.folders)
        return result
    }

    /// Consecutive ranges of `files`, each of `maxFiles` files and `maxBytes` bytes at most,
    /// or of one file.
    static func batches(of files: [ListedFile], files maxFiles: Int, bytes maxBytes: Int64) -> [Range<Int>] {
        var batches: [Range<Int>] = []
        var start = 0
        var bytes: Int64 = 0
        for (index, file) in files.enumerated() {
            if index > start, index - start >= maxFiles || bytes + file.stamp.size > maxBytes {
                batches.append(start..<index)
                start = index
                bytes = 0
            }
            bytes += file.stamp.size
        }
        if start < files.count { batches.append(start..<files.count) }
        return batches
    }

    /// The listed files the archive does not know with this size and time, sorted by path.
    /// Compared in slices on all cores: a rebuild compares hundreds of thousands of files.
    private static func changedFiles(_ listed: [ListedFile], known: [String: FileStamp]) -> [ListedFile] {
        let slice = 16_384
        return ParallelMap.map(Array(stride(from: 0, to: listed.count, by: slice))) { start in
            listed[start..<min(start + slice, listed.count)].filter { known[$0.path] != $0.stamp }
        }.flatMap { $0 }.sorted { $0.path < $1.path }
    }

    /// Whether the unchanged files an older sitegen ingested are settled, from their first bytes.
    private static func classify(
        _ listed: [ListedFile], unclassified: Set<String>, known: [String: FileStamp], root: String
    ) -> [(path: String, inode: UInt64, settled: Bool)] {
        let unchanged = listed.filter { unclassified.contains($0.path) && known[$0.path] == $0.stamp }
        return ParallelMap.map(unchanged) { file in
            let head = FileBytes.head(ofPath: root + file.path, count: 8_192)
            return (file.path, file.inode, head.map { !InputKind.growsInPlace($0) } ?? false)
        }
    }

    /// A file of a batch, and the form in which it is committed; nil for a file that could
    /// not be read, which is not remembered, so the next run tries it again.
    private struct ReadFile: Sendable {
        /// For a file read straight into its stored form, only its path, stamp, hash and inode
        /// are used: its one report is in `prepared`, and `stored` says what it counts.
        var file: IngestedFile
        var prepared: PreparedFile?
        var stored: (records: Int, counted: Int)?

        /// Prepared on the core that parsed it, while its reports are still in that core's cache.
        init(_ file: IngestedFile) {
            self.file = file
            prepared = file.contentHash.isEmpty ? nil : PreparedFile(file)
        }

        init(_ file: ListedFile, hash: String, _ report: StoredAggregate) {
            self.file = IngestedFile(path: file.path, stamp: file.stamp, contentHash: hash, outcome: .loaded(FileLoad(file: file.path)))
            self.file.inode = file.inode
            prepared = PreparedFile(path: file.path, stamp: file.stamp, contentHash: hash, inode: file.inode, stored: report)
            stored = (report.recordCount, report.counted)
        }

        /// A file read straight into its stored form whose report the total left out.
        init(leftOut file: IngestedFile, _ load: FileLoad) {
            var loaded = file
            loaded.outcome = .loaded(load)
            self.init(loaded)
        }
    }

    /// Files read, hashed, looked up in the archive and parsed together on one thread: few
    /// enough that their bytes are still in the core's cache when they are parsed, enough
    /// that the archive is asked about many at once.
    static let groupSize = 32

    /// Reads, hashes and parses a batch on all cores, a group of files at a time, then
    /// prepares the files whose bytes are new. Files over the size limit are left to the
    /// loader, which reads a large mbox message by message and parsedmarc's output report by
    /// report, and refuses anything else.
    private func read(_ batch: [ListedFile], root: String, committing: Set<String>, buffers: FileReadBuffers) throws -> [ReadFile] {
        let groupSize = Self.groupSize
        let groups = ParallelMap.map(Array(stride(from: 0, to: batch.count, by: groupSize))) { start in
            Result {
                try buffers.withBuffer { buffer in
                    try read(batch[start..<min(start + groupSize, batch.count)], root: root, committing: committing, into: buffer)
                }
            }
        }
        return try groups.flatMap { try $0.get() }
    }

    /// One group of a batch: every file is read into `buffer` and hashed, the archive asked
    /// once which of the hashes it holds, then the files with new bytes are parsed.
    private func read(_ group: ArraySlice<ListedFile>, root: String, committing: Set<String>, into buffer: FileReadBuffer) throws -> [ReadFile] {
        let limit = loader.limits.maxFileBytes
        var folder = OpenFolder(root: root)
        let contents = group.map { file -> (content: Result<Range<Int>, FileReadFailure>, hash: String)? in
            guard file.stamp.size <= Int64(limit) else { return nil }
            switch folder.read(file.path, into: buffer, limit: limit) {
            case .success(let range): return (.success(range), buffer.withBytes(range) { SHA256.hexDigest($0) })
            // Grown since it was listed: the loader decides, as for any large file.
            case .failure(.tooLarge): return nil
            case .failure(.unreadable(let reason)): return (.failure(FileReadFailure(reason: "cannot read: \(reason)")), "")
            }
        }
        var fresh = Set<String>()
        for case let (_, hash)? in contents where !hash.isEmpty && !committing.contains(hash) { fresh.insert(hash) }
        let archived = try store.knownContents(fresh)
        return zip(group, contents).map { file, content in
            let hash = content?.hash ?? ""
            // The hashes of the batch being committed count as archived, as they will be by
            // the time this batch is committed.
            let known = archived.contains(hash) || committing.contains(hash)
            if case .success(let range)? = content?.content, !known,
               let report = buffer.withBytes(range, storedForm) {
                return ReadFile(file, hash: hash, report)
            }
            let bytes = content.map { $0.content.map { buffer.data($0) } }
            return ReadFile(ingest(file, hash: hash, knownContent: known, content: bytes, root: root))
        }
    }

    /// An XML report, plain or gzip/zlib-compressed, read straight into the form the archive
    /// stores: what loading the file and preparing its report gives, for a fraction of the
    /// work. nil for anything else (other kinds, refusals), which is loaded as usual.
    private func storedForm(_ bytes: UnsafeRawBufferPointer) -> StoredAggregate? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        let limits = loader.limits
        switch InputKind.detect(bytes) {
        case .xml:
            return StoredAggregate(xml: bytes, limits: limits)
        case .gzip, .zlib:
            // Read in place: the inflater does not keep the data past its return.
            let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none)
            // As the loader unpacks one compressed XML document: with the same limit, one level
            // down. A compressed TLS report is inflated again by the loader (it is small).
            guard limits.maxNesting >= 1,
                  let inflated = try? Inflater.inflate(data, limit: min(limits.maxExpandedBytes, limits.maxArchiveBytes)),
                  InputKind.detect(inflated) == .xml
            else { return nil }
            return StoredAggregate(xml: inflated, limits: limits)
        default:
            return nil
        }
    }

    private func ingest(
        _ file: ListedFile, hash: String, knownContent: Bool, content: Result<Data, FileReadFailure>?, root: String
    ) -> IngestedFile {
        var ingested: IngestedFile
        switch content {
        case .success(let data):
            let outcome: IngestedFile.Outcome = knownContent ? .knownContent : .loaded(loader.load(data, as: file.path))
            ingested = IngestedFile(path: file.path, stamp: file.stamp, contentHash: hash, outcome: outcome)
            ingested.growsInPlace = InputKind.growsInPlace(data.prefix(8_192))
        case .failure(let failure):
            var load = FileLoad(file: file.path)
            load.problems.append(LoadProblem(source: ReportSource(file: file.path), step: .read, reason: failure.reason))
            ingested = IngestedFile(path: file.path, stamp: file.stamp, contentHash: "", outcome: .loaded(load))
        case nil:
            // Over the size limit: an export read in pieces, which is what grows in place.
            let url = URL(fileURLWithPath: root + file.path)
            let load = loader.load(contentsOf: url, as: file.path)
            let hash = load.reportCount > 0 ? (try? Self.streamedHash(url)) ?? "" : ""
            ingested = IngestedFile(path: file.path, stamp: file.stamp, contentHash: hash, outcome: .loaded(load))
            ingested.growsInPlace = true
        }
        ingested.inode = file.inode
        return ingested
    }

    /// SHA-256 of a file read in 1 MiB pieces.
    private static func streamedHash(_ url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(chunk) }
        return SHA256.hex(hasher.finalize())
    }
}

extension ArchiveIngestResult {
    /// Counts what a file gave; `stored` for a file read straight into its stored form,
    /// whose one report has that many records.
    mutating func count(_ file: IngestedFile, stored: (records: Int, counted: Int)?) {
        if let stored {
            filesRead += 1
            reportsRead += 1
            recordsRead += stored.records
            return
        }
        guard case .loaded(let load) = file.outcome else {
            filesKnown += 1
            return
        }
        filesRead += 1
        reportsRead += load.reportCount
        recordsRead += load.reports.reduce(0) { $0 + $1.report.records.count }
        if load.reportCount == 0 {
            skippedFiles.append(load)
        } else if !load.problems.isEmpty {
            partlySkippedFiles.append(load)
        }
    }
}

/// The folder of the files being read, kept open: the files of a group nearly always share
/// one, and a file opened relative to it costs no walk of the folder's path.
private struct OpenFolder: ~Copyable {
    private let root: String
    private var path: Substring?
    private var descriptor: Int32 = -1

    /// `root`: the reports folder's path, ending in "/".
    init(root: String) {
        self.root = root
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Reads the file at `path` (relative to the reports folder) into the buffer, as
    /// `FileReadBuffer.append(contentsOfPath:limit:)` does.
    mutating func read(_ path: String, into buffer: FileReadBuffer, limit: Int) -> Result<Range<Int>, FileBytes.Failure> {
        let folder = PreparedFile.folder(of: path)
        if folder != self.path {
            if descriptor >= 0 { close(descriptor) }
            descriptor = open(root + folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            self.path = folder
        }
        // A folder that cannot be opened: the file's own path gives the reason it cannot be read.
        guard descriptor >= 0 else { return buffer.append(contentsOfPath: root + path, limit: limit) }
        // The name is the end of the path, opened from there: no string is made for it.
        let nameOffset = folder.isEmpty ? 0 : folder.utf8.count + 1
        return path.withCString { buffer.append(contentsOf: $0 + nameOffset, inFolder: descriptor, limit: limit) }
    }
}

private struct FileReadFailure: Error {
    var reason: String
}
