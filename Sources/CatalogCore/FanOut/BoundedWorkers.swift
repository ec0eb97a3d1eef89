import Foundation

/// Runs blocking work (one libpq connection each) for many items on at most `concurrency`
/// threads of catalog's own, and returns the results in the items' order.
///
/// Each item's work is one `ProjectConversation` with its own deadline; one watchdog thread per
/// run cancels the connections of a conversation whose deadline has passed, so `--timeout` bounds
/// every project's whole conversation, lock waits included. This is the write engine; reads use
/// PostgresClient's non-blocking `FanOut`. Both share `FanOutOptions`, `ProjectOutcome` and
/// `FanOutProgress` (the `map` overload with `progress:` reports each project's start and end).
enum BoundedWorkers {
    static func map<Item: Sendable, Output: Sendable>(
        _ items: [Item], concurrency: Int, timeout: Double,
        _ body: @escaping @Sendable (Item, ProjectConversation) -> Output
    ) -> [Output] {
        let watchdog = Watchdog()
        defer { watchdog.stop() }
        let run: @Sendable (Item) -> Output = { item in
            let conversation = ProjectConversation(timeout: timeout)
            watchdog.watch(conversation)
            defer { conversation.finish() }
            return body(item, conversation)
        }
        guard items.count > 1, concurrency > 1 else { return items.map(run) }
        let results = ResultBox<Output>(count: items.count)
        let group = DispatchGroup()
        let next = Counter()
        for _ in 0..<min(concurrency, items.count) {
            group.enter()
            let thread = Thread {
                while let index = next.take(below: items.count) {
                    results.set(index, run(items[index]))
                }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        return results.values()
    }

    /// Checks the conversations of one run every 20 ms and expires those past their deadline.
    private final class Watchdog: @unchecked Sendable {
        private let lock = NSLock()
        private var watched: [ProjectConversation] = []
        private var stopped = false

        init() {
            let thread = Thread { [self] in loop() }
            thread.start()
        }

        func watch(_ conversation: ProjectConversation) { lock.withLock { watched.append(conversation) } }

        func stop() { lock.withLock { stopped = true } }

        private func loop() {
            while true {
                let now = Date()
                let due: [ProjectConversation]? = lock.withLock {
                    if stopped { return nil }
                    watched.removeAll { $0.isFinished }
                    let due = watched.filter { $0.deadline <= now }
                    watched.removeAll { conversation in due.contains { $0 === conversation } }
                    return due
                }
                guard let due else { return }
                for conversation in due {
                    Thread { conversation.expire() }.start()
                }
                usleep(20_000)
            }
        }
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
