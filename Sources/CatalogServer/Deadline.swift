import Synchronization

/// Races work against a clock without waiting for the work to stop: blocking work on a thread of
/// its own cannot be cancelled, so a task group (which waits for every child) would not do.
enum Deadline {
    /// Returns `body`'s result, or throws `timeout` after `seconds`, whichever comes first.
    static func run<T: Sendable>(
        seconds: Double, timeout: any Error & Sendable,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let once = ResumeOnce(continuation)
            let clock = Task {
                try await Task.sleep(for: .seconds(seconds))
                once.resume(with: .failure(timeout))
            }
            Task {
                let result: Result<T, any Error>
                do { result = .success(try await body()) } catch { result = .failure(error) }
                clock.cancel()
                once.resume(with: result)
            }
        }
    }

    /// Resumes a continuation the first time only.
    private final class ResumeOnce<T: Sendable>: Sendable {
        private let continuation: Mutex<CheckedContinuation<T, any Error>?>

        init(_ continuation: CheckedContinuation<T, any Error>) {
            self.continuation = Mutex(continuation)
        }

        func resume(with result: Result<T, any Error>) {
            let pending = continuation.withLock { pending in
                defer { pending = nil }
                return pending
            }
            pending?.resume(with: result)
        }
    }
}
