import CLibPQ
import Foundation

/// Asks the server to cancel the statement a connection is running (`PQcancel`), from any thread.
/// Closing a connection alone leaves the server running its query until it next writes to the socket.
///
/// libpq makes the cancel key from the connection once (`PQgetCancel`, no I/O); sending the request
/// opens a short connection of its own, so it works while the connection's own thread is blocked in a
/// call, and stays valid after the connection is closed. The fan-out's poll loop sends it from a
/// short-lived thread (`sendInBackground`), so it never waits for it.
public final class CancelHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var raw: OpaquePointer?

    init?(connection: OpaquePointer) {
        guard PQstatus(connection) == CONNECTION_OK, let raw = PQgetCancel(connection) else { return nil }
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

    /// Sends the request on a thread of its own; a failure is not reported (the statement then ends
    /// on its own, as it would have without the request).
    public func sendInBackground() {
        let thread = Thread { self.cancel() }
        thread.stackSize = 1 << 18
        thread.start()
    }
}
