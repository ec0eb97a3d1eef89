import CLibPQ
import Foundation

/// A request to stop the statement a connection is running, sent when a task times out: closing
/// the connection alone leaves the server running the query until it next writes to the socket.
///
/// libpq 15's `PQcancel` blocks while it opens a connection of its own to the server, so the
/// request is sent from a short-lived thread of ours; the fan-out's poll loop never waits for it.
final class CancelRequest: @unchecked Sendable {
    /// Owned here and freed in `deinit` (libpq: `PQfreeCancel`).
    private let handle: OpaquePointer

    /// Takes the connection's cancel key; `PQgetCancel` does no I/O. Nil when the connection has none.
    init?(for connection: OpaquePointer) {
        guard PQstatus(connection) == CONNECTION_OK, let handle = PQgetCancel(connection) else { return nil }
        self.handle = handle
    }

    deinit { PQfreeCancel(handle) }

    /// Sends the request on a thread of its own. The handle stays valid after the connection is
    /// closed, so the caller may close it at once.
    func sendInBackground() {
        let thread = Thread { self.send() }
        thread.stackSize = 1 << 18
        thread.start()
    }

    /// Sends the request and waits for the server to take it. A failure is not reported: the
    /// statement then ends on its own, as it would have without the request.
    private func send() {
        var message = [CChar](repeating: 0, count: 256)
        _ = PQcancel(handle, &message, Int32(message.count))
    }
}
