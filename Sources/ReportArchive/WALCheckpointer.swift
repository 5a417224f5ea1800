import Dispatch
import Foundation
import GRDB
import GRDBSQLite

/// Copies an archive's write-ahead log into the archive file on a connection and thread of its
/// own. Left to SQLite, the writer does it itself once the log passes its limit, and waits for
/// the disk twice (the log, then the file): at 270,000 files about 13 s of a 59 s ingest.
///
/// The copy is SQLite's own checkpoint, safe against a crash or kill at any point: the log is
/// synced before a page is copied and the file after, and a commit stays in the log until then.
/// The writer still copies itself when the log passes a larger limit (the background copy
/// cannot keep up, or fails), so the log stays bounded.
package final class WALCheckpointer: @unchecked Sendable {
    /// When the log is copied, in frames (pages of 16 KB).
    package struct Limits: Sendable {
        /// A background copy starts.
        package var background: Int32
        /// The writer copies on its own thread, as SQLite's automatic checkpoint does.
        package var writer: Int32

        package init(background: Int32, writer: Int32) {
            self.background = background
            self.writer = writer
        }

        /// 128 MB in the background (each copy waits for the disk twice, so fewer, larger
        /// ones), 512 MB on the writer's thread.
        package static let standard = Limits(background: 8_192, writer: 32_768)
    }

    private let path: String
    private let limits: Limits
    private let queue = DispatchQueue(label: "sitegen.archive.checkpoint")
    private let lock = NSLock()
    /// Guarded by `lock`.
    private var copying = false
    /// Opened for the first copy; used on `queue` only.
    private var connection: DatabaseQueue?

    init(path: String, limits: Limits) {
        self.path = path
        self.limits = limits
    }

    /// Takes over the automatic checkpoint of the writer's connection (SQLite's
    /// `wal_autocheckpoint` is a commit hook too, and there is one per connection).
    func install(on db: Database) {
        sqlite3_wal_hook(db.sqliteConnection, Self.committed, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Removes the hook, before this object goes.
    func uninstall(from db: Database) {
        sqlite3_wal_hook(db.sqliteConnection, nil, nil)
    }

    /// Returns once no copy is under way.
    func waitForCopy() {
        queue.sync {}
    }

    /// Called by SQLite on the writer's thread after each commit, with the frames in the log.
    private static let committed: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32 = {
        context, connection, database, frames in
        guard let context else { return SQLITE_OK }
        Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().committed(connection, database, frames: frames)
        return SQLITE_OK
    }

    private func committed(_ connection: OpaquePointer?, _ database: UnsafePointer<CChar>?, frames: Int32) {
        if frames >= limits.writer {
            // What SQLite's automatic checkpoint does (busy, it gives up at once).
            sqlite3_wal_checkpoint(connection, database)
        } else if frames >= limits.background {
            startCopy()
        }
    }

    /// Starts a copy of the log in the background unless one is under way: past the
    /// background limit, or when the writer's last commits are near (so that closing the
    /// archive does not copy all of it).
    func startCopy() {
        lock.lock()
        defer { lock.unlock() }
        guard !copying else { return }
        copying = true
        queue.async { self.copy() }
    }

    private func copy() {
        defer {
            lock.lock()
            copying = false
            lock.unlock()
        }
        do {
            let connection = try self.connection ?? open()
            self.connection = connection
            try connection.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
        } catch {
            // Nothing is lost: the log keeps every commit, and the writer copies it once it
            // passes its limit.
        }
    }

    private func open() throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // A checkpoint syncs the log and the file unless synchronous is OFF; as the writer.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return try DatabaseQueue(path: path, configuration: configuration)
    }
}
