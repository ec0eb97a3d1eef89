import CLibPQ
import Foundation

/// Connections to project databases kept open between fan-outs, so a long-running service pays
/// the 2 ms connection set-up once per project instead of once per request.
///
/// A fan-out borrows a connection for one task and hands it back when the conversation is over;
/// the pool never runs queries itself. Connections are keyed by project name and connection
/// string, so a project re-registered with another DSN never reuses the old one.
///
/// Two bounds apply. At most `perProjectLimit` connections are open to one project: a task that
/// finds all of them busy waits, and the next one returned is handed straight to it. At most
/// `perServerLimit` are open to one server (host and port): a project with no connection yet
/// takes the place of another project's idle one, or waits for one to be returned. A project that
/// already has a connection never evicts another's, so concurrent fan-outs over a fleet larger
/// than the bound share connections instead of reopening them. At most `idlePerServerLimit` are
/// kept idle per server: one returned when its server already holds that many is closed, so what a
/// service holds between requests stays a few connections per server however many projects it
/// read. Idle connections older than `idleTimeout` are closed by `closeIdle()`, which the owner
/// calls now and then.
public final class WarmPool: @unchecked Sendable {
    /// The most connections open to one server at once, busy and idle together.
    public let perServerLimit: Int
    /// The most connections open to one project at once.
    public let perProjectLimit: Int
    /// Seconds an unused connection stays open.
    public let idleTimeout: Double
    /// The most idle connections kept to one server; more are closed as they come back.
    public let idlePerServerLimit: Int

    let lock = NSLock()
    /// Idle connections by project name, most recently returned last.
    var idle: [String: [IdleConnection]] = [:]
    /// Open connections (busy and idle) by server, and by project.
    var serverCount: [String: Int] = [:]
    var projectCount: [String: Int] = [:]
    /// Tasks waiting for one of their project's busy connections, by project, oldest first.
    var projectWaiters: [String: [Waiter]] = [:]
    /// Tasks of projects with no connection, waiting for room on a full server, by server, oldest first.
    var serverWaiters: [String: [Waiter]] = [:]
    /// Bumped by `release`, so connections borrowed before it are closed when they come back.
    var generations: [String: Int] = [:]
    /// Projects whose connections are on hold (for a restore) until the given time.
    var holds: [String: Double] = [:]
    var counters = Counters()

    /// The `application_name` pooled connections carry (unless the DSN sets one), so a restore
    /// that finds them in `pg_stat_activity` can say they are `catalog serve`'s.
    public static let applicationName = "catalog serve"

    /// A pool with the given bounds; the default allows a thousand projects on one server.
    public init(perServerLimit: Int = 1100, perProjectLimit: Int = 1, idleTimeout: Double = 300, idlePerServerLimit: Int = .max) {
        self.perServerLimit = max(1, perServerLimit)
        self.perProjectLimit = max(1, perProjectLimit)
        self.idleTimeout = idleTimeout
        self.idlePerServerLimit = max(0, idlePerServerLimit)
    }

    deinit {
        for connections in idle.values {
            for connection in connections { PQfinish(connection.handle) }
        }
    }

    // MARK: Letting go

    /// Closes every idle connection to `project` and marks its borrowed ones to be closed when they
    /// come back, so a restore or import can get a database with no other sessions. For `holdFor`
    /// seconds the pool then refuses to connect to it (its fan-out tasks fail at once, saying so);
    /// after that, the next fan-out connects again.
    public func release(_ project: String, holdFor seconds: Double = 0, now: Double = WarmPool.now()) {
        lock.lock()
        generations[project, default: 0] += 1
        if seconds > 0 { holds[project] = now + seconds }
        let closing = idle.removeValue(forKey: project) ?? []
        forget(closing)
        lock.unlock()
        finish(closing.map(\.handle))
    }

    /// Closes the connections of projects no longer registered, or registered with another connection string.
    public func retain(registered: [(name: String, dsn: String)]) {
        let wanted = Dictionary(registered.map { ($0.name, $0.dsn) }, uniquingKeysWith: { first, _ in first })
        lock.lock()
        var closing: [IdleConnection] = []
        for (project, connections) in idle {
            let (keep, drop) = connections.partitioned { wanted[project] == $0.dsn }
            closing += drop
            idle[project] = keep.isEmpty ? nil : keep
        }
        for project in generations.keys where wanted[project] == nil { generations[project, default: 0] += 1 }
        forget(closing)
        lock.unlock()
        finish(closing.map(\.handle))
    }

    /// Closes idle connections unused for `idleTimeout` seconds; returns how many were closed.
    @discardableResult
    public func closeIdle(now: Double = WarmPool.now()) -> Int {
        lock.lock()
        var closing: [IdleConnection] = []
        for (project, connections) in idle {
            let (keep, drop) = connections.partitioned { now - $0.since < idleTimeout }
            closing += drop
            idle[project] = keep.isEmpty ? nil : keep
        }
        forget(closing)
        lock.unlock()
        finish(closing.map(\.handle))
        return closing.count
    }

    /// Closes every idle connection, as at shutdown; borrowed ones are closed when they come back.
    public func closeAll() {
        lock.lock()
        let closing = idle.values.flatMap { $0 }
        idle = [:]
        for project in generations.keys { generations[project, default: 0] += 1 }
        forget(closing)
        lock.unlock()
        finish(closing.map(\.handle))
    }

    // MARK: Reporting

    /// A snapshot for metrics and tests.
    public struct Statistics: Sendable, Equatable {
        /// Connections open now, busy and idle.
        public var open: Int
        /// Connections open and waiting to be reused.
        public var idle: Int
        /// Connections opened since the pool was made.
        public var opened: Int
        /// Borrowings served by an already open connection.
        public var reused: Int
        /// Connections closed: broken, idle too long, released or evicted.
        public var closed: Int
        /// Times a task had to wait for a connection to be returned.
        public var waits: Int
    }

    /// How the pool stands now.
    public var statistics: Statistics {
        lock.lock()
        defer { lock.unlock() }
        return Statistics(
            open: serverCount.values.reduce(0, +), idle: idle.values.reduce(0) { $0 + $1.count },
            opened: counters.opened, reused: counters.reused, closed: counters.closed, waits: counters.waits)
    }

    /// The monotonic clock the pool measures idleness with, in seconds.
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    // MARK: Internals

    struct IdleConnection {
        let handle: OpaquePointer
        let project: String
        let dsn: String
        let server: String
        let since: Double
        /// Names of the statements prepared on this connection (see `FanOut`).
        let prepared: Set<String>
    }

    struct Counters {
        var opened = 0
        var reused = 0
        var closed = 0
        var waits = 0
    }

    /// Frees the slots of idle connections about to be closed and lets tasks waiting on full
    /// servers have them. Call with the lock held.
    func forget(_ closing: [IdleConnection]) {
        counters.closed += closing.count
        for connection in closing {
            serverCount[connection.server, default: 1] -= 1
            projectCount[connection.project, default: 1] -= 1
        }
        for server in Set(closing.map(\.server)) { serveServerWaiters(server) }
    }

    /// Closes connections outside the lock.
    func finish(_ handles: [OpaquePointer]) {
        for handle in handles { PQfinish(handle) }
    }

    /// Connections to one server share its bound: host (or socket directory, or service) and port.
    static func serverKey(_ connection: ConnectionString) -> String {
        let host = connection["hostaddr"] ?? connection["host"] ?? connection["service"].map { "service=\($0)" } ?? "local"
        return "\(host):\(connection["port"] ?? "5432")"
    }

    /// True when an idle connection can take a statement: still open, and nothing arrived while it
    /// sat unused. A server that shut down or ended the session has sent a message or closed the
    /// socket, which shows as readable; such a connection is closed and replaced.
    static func isUsable(_ handle: OpaquePointer) -> Bool {
        guard PQstatus(handle) == CONNECTION_OK, PQtransactionStatus(handle) == PQTRANS_IDLE else { return false }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }
}

private extension Array {
    /// The elements that satisfy `belongs`, and the rest, each in their original order.
    func partitioned(_ belongs: (Element) -> Bool) -> (matching: [Element], rest: [Element]) {
        var matching: [Element] = []
        var rest: [Element] = []
        for element in self {
            if belongs(element) { matching.append(element) } else { rest.append(element) }
        }
        return (matching, rest)
    }
}
