import Foundation

/// Work started on another thread at once, its result (or error) taken when needed.
final class BackgroundWork<Value: Sendable>: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    /// Set once, before `finished` is signalled; read only after waiting for it.
    private var outcome: Result<Value, any Error> = .failure(CancellationError())

    init(_ work: @escaping @Sendable () throws -> Value) {
        DispatchQueue.global().async { [self] in
            outcome = Result { try work() }
            finished.signal()
        }
    }

    /// Waits for the work to end; its value, or the error it threw.
    func value() throws -> Value {
        finished.wait()
        defer { finished.signal() }
        return try outcome.get()
    }
}
