import Foundation

/// `map` over all cores, results in input order.
public enum ParallelMap {
    public static func map<Item: Sendable, Output: Sendable>(
        _ items: [Item], _ transform: @Sendable (Item) -> Output
    ) -> [Output] {
        let slots = Slots<Output>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { index in
            slots.set(index, transform(items[index]))
        }
        return slots.values
    }

    private final class Slots<Output: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [Output?]

        init(count: Int) {
            storage = Array(repeating: nil, count: count)
        }

        func set(_ index: Int, _ value: Output) {
            lock.withLock { storage[index] = value }
        }

        /// Every slot is filled once `concurrentPerform` has returned.
        var values: [Output] {
            lock.withLock { storage.compactMap { $0 } }
        }
    }
}
