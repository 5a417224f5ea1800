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
    public static let defaultBatchSize = 2_000
    /// Files per transaction.
    public var batchSize = defaultBatchSize

    public init(store: any ReportStore, limits: InputLimits = .standard) {
        self.store = store
        loader = ReportLoader(limits: limits)
    }

    public func ingest(folder: URL, progress: @Sendable (StepProgress) -> Void = { _ in }) throws -> ArchiveIngestResult {
        let started = Date()
        let (listed, listingProblems) = ReportFolder.list(folder)
        let known = try store.knownFiles()
        let changed = listed.filter { known[$0.path] != $0.stamp }
        var result = ArchiveIngestResult()
        result.filesKnown = listed.count - changed.count
        result.skippedFiles = listingProblems

        var done = 0
        for start in stride(from: 0, to: changed.count, by: batchSize) {
            let batch = Array(changed[start..<min(start + batchSize, changed.count)])
            let files = try read(batch, folder: folder)
            // Files that could not be read are not remembered, so the next run tries them again.
            result.added.merge(try store.commit(files.filter { !$0.contentHash.isEmpty }))
            for file in files {
                guard case .loaded(let load) = file.outcome else {
                    result.filesKnown += 1
                    continue
                }
                result.filesRead += 1
                result.reportsRead += load.reportCount
                if load.reportCount == 0 {
                    result.skippedFiles.append(load)
                } else if !load.problems.isEmpty {
                    result.partlySkippedFiles.append(load)
                }
            }
            done += batch.count
            progress(StepProgress(step: "ingest", done: done, total: changed.count, elapsed: Date().timeIntervalSince(started)))
        }
        result.skippedFiles.sort { $0.file < $1.file }
        return result
    }

    /// Reads and hashes a batch on all cores, then parses the files whose bytes are new.
    private func read(_ batch: [ListedFile], folder: URL) throws -> [IngestedFile] {
        let limit = loader.limits.maxFileBytes
        let contents = ParallelMap.map(batch) { file -> (data: Data?, problem: String?) in
            guard file.stamp.size <= Int64(limit) else {
                return (nil, "the file is \(file.stamp.size) bytes, over the \(limit >> 20) MiB limit")
            }
            do {
                return (try Data(contentsOf: folder.appendingPathComponent(file.path)), nil)
            } catch {
                return (nil, "cannot read: \(error.localizedDescription)")
            }
        }
        let hashes = ParallelMap.map(contents.map(\.data)) { data in data.map(SHA256.hexDigest) ?? "" }
        let archived = try store.knownContents(Set(hashes.filter { !$0.isEmpty }))
        let indices = Array(batch.indices)
        return ParallelMap.map(indices) { index in
            let file = batch[index]
            if archived.contains(hashes[index]) {
                return IngestedFile(path: file.path, stamp: file.stamp, contentHash: hashes[index], outcome: .knownContent)
            }
            var load: FileLoad
            if let data = contents[index].data {
                load = loader.load(data, as: file.path)
            } else {
                load = FileLoad(file: file.path)
                load.problems.append(LoadProblem(source: ReportSource(file: file.path), step: .read, reason: contents[index].problem ?? "cannot read"))
            }
            return IngestedFile(path: file.path, stamp: file.stamp, contentHash: hashes[index], outcome: .loaded(load))
        }
    }
}
