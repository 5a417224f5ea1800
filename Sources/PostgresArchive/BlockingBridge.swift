#if PostgreSQL
import Dispatch
import Synchronization

/// Runs postgres-nio's async calls for the synchronous `ReportStore` callers (Dispatch threads
/// of `ParallelMap`, the main thread of the CLI).
///
/// The caller blocks on a semaphore while the work runs as a task. That task, its child tasks
/// and the `PostgresClient` run loop prefer `executor`, a Dispatch queue of their own, so none of
/// it needs a thread of Swift's cooperative pool: a caller that happens to block one of those
/// threads (a synchronous test body does) cannot starve the work it waits for.
final class BlockingBridge: Sendable {
    let executor = DispatchTaskExecutor(label: "sitegen.postgres-archive")

    func wait<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) throws -> Value {
        let outcome = Outcome<Value>()
        let finished = DispatchSemaphore(value: 0)
        Task(executorPreference: executor) {
            do {
                outcome.set(.success(try await work()))
            } catch {
                outcome.set(.failure(error))
            }
            finished.signal()
        }
        finished.wait()
        return try outcome.get()
    }

    /// Starts a long-running task (the connection pool's run loop) on the bridge's executor.
    func start(_ work: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        Task(executorPreference: executor) { await work() }
    }
}

/// A task executor backed by a concurrent Dispatch queue.
final class DispatchTaskExecutor: TaskExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label, attributes: .concurrent)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

private final class Outcome<Value: Sendable>: Sendable {
    private let result = Mutex<Result<Value, any Error>?>(nil)

    func set(_ value: Result<Value, any Error>) {
        result.withLock { $0 = value }
    }

    func get() throws -> Value {
        guard let value = result.withLock({ $0 }) else {
            throw PostgresArchiveError(step: "wait", reason: "the database call ended without a result")
        }
        return try value.get()
    }
}
#endif
