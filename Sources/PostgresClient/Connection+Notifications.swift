import CLibPQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Connection {
    /// Waits up to `timeout` seconds for notifications on the channels this connection LISTENs on,
    /// with poll(2) on its socket, and returns the channels notified (empty when none came in time).
    /// It blocks the calling thread: call it from a thread of catalog's own, never the cooperative pool.
    public func waitForNotifications(timeout: Double) throws -> [String] {
        var channels = takeNotifications()
        guard channels.isEmpty else { return channels }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(max(0, min(timeout, 3600)) * 1000))
        guard ready > 0 else { return [] }
        guard PQconsumeInput(handle) == 1 else { throw PostgresError(connection: handle) }
        channels = takeNotifications()
        return channels
    }

    /// The notifications libpq has read, each freed once its channel is copied.
    private func takeNotifications() -> [String] {
        var channels: [String] = []
        while let notification = PQnotifies(handle) {
            channels.append(String(cString: notification.pointee.relname))
            PQfreemem(notification)
        }
        return channels
    }
}
