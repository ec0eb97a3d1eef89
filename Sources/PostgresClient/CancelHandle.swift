import CLibPQ
import Foundation

/// Asks the server to cancel the statement a connection is running (`PQcancel`), from any thread.
///
/// libpq makes the cancel object from the connection once (`PQgetCancel`); sending the request opens
/// a short connection of its own, so it works while the connection's own thread is blocked in a call.
public final class CancelHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var raw: OpaquePointer?

    init?(connection: OpaquePointer) {
        guard let raw = PQgetCancel(connection) else { return nil }
        self.raw = raw
    }

    deinit { PQfreeCancel(raw) }

    /// Sends the cancel request; true when the server accepted it (a statement may still finish first).
    @discardableResult
    public func cancel() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let raw else { return false }
        var buffer = [CChar](repeating: 0, count: 256)
        return PQcancel(raw, &buffer, Int32(buffer.count)) == 1
    }
}
