import Foundation

/// Runs blocking work on a thread of catalog's own, so async callers never stall Swift's
/// cooperative pool (two threads on these machines) with a blocking libpq call.
public enum OwnThread {
    /// Runs `body` on a new thread and resumes the caller with its result.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Runs non-throwing `body` on a new thread.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: body())
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}
