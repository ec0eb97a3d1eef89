import Foundation

/// Runs blocking work (one libpq connection each) for many items on at most `concurrency`
/// threads of catalog's own, and returns the results in the items' order.
enum BoundedWorkers {
    static func map<Item: Sendable, Output: Sendable>(
        _ items: [Item], concurrency: Int, _ body: @escaping @Sendable (Item) -> Output
    ) -> [Output] {
        guard items.count > 1, concurrency > 1 else { return items.map(body) }
        let results = ResultBox<Output>(count: items.count)
        let group = DispatchGroup()
        let next = Counter()
        for _ in 0..<min(concurrency, items.count) {
            group.enter()
            let thread = Thread {
                while let index = next.take(below: items.count) {
                    results.set(index, body(items[index]))
                }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        return results.values()
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0

        func take(below limit: Int) -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }

    private final class ResultBox<Output>: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [Output?]

        init(count: Int) { storage = Array(repeating: nil, count: count) }

        func set(_ index: Int, _ value: Output) {
            lock.lock()
            storage[index] = value
            lock.unlock()
        }

        func values() -> [Output] { storage.map { $0! } }
    }
}
