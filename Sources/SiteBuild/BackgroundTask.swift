import Foundation

/// Work run on another thread while this one goes on: the ingest while the config and themes
/// load, a batch's commit while the next batch is parsed, a folder's settled files while the
/// folder is read.
final class BackgroundTask<Value: Sendable>: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    // Written once on the worker thread before `finished` is signalled, read only after it.
    private var outcome: Result<Value, any Error> = .failure(BackgroundTaskNotRun())

    init(_ work: @escaping @Sendable () throws -> Value) {
        DispatchQueue.global().async { [self] in
            outcome = Result { try work() }
            finished.signal()
        }
    }

    /// Waits for the work to end (at once if it has); its value, or the error it threw.
    func wait() throws -> Value {
        finished.wait()
        defer { finished.signal() }
        return try outcome.get()
    }
}

private struct BackgroundTaskNotRun: Error {}
