import CLibPQ
import Foundation

/// Connections to project databases kept open between fan-outs, so a long-running service pays
/// the 2 ms connection set-up once per project instead of once per request.
///
/// A fan-out borrows a connection for one task and hands it back when the conversation is over;
/// the pool never runs queries itself. Connections are keyed by project name and connection
/// string, so a project re-registered with another DSN never reuses the old one. At most
/// `perServerLimit` connections are open to one server (host and port) at a time; a task that
/// finds its server full waits for a connection to come back, or takes the place of an idle one
/// belonging to another project. Idle connections older than `idleTimeout` are closed by
/// `closeIdle()`, which the owner calls now and then.
public final class WarmPool: @unchecked Sendable {
    /// The most connections open to one server at once, busy and idle together.
    public let perServerLimit: Int
    /// Seconds an unused connection stays open.
    public let idleTimeout: Double

    private let lock = NSLock()
    /// Idle connections by project name, most recently returned last.
    private var idle: [String: [IdleConnection]] = [:]
    /// Open connections (busy and idle) by server.
    private var openCount: [String: Int] = [:]
    /// Bumped by `release`, so connections borrowed before it are closed when they come back.
    private var generations: [String: Int] = [:]
    /// Projects whose connections are on hold (for a restore) until the given time.
    private var holds: [String: Double] = [:]
    private var counters = Counters()

    /// A pool with the given bound per server; the default allows a thousand projects on one server.
    public init(perServerLimit: Int = 1100, idleTimeout: Double = 300) {
        self.perServerLimit = max(1, perServerLimit)
        self.idleTimeout = idleTimeout
    }

    deinit {
        for connections in idle.values {
            for connection in connections { PQfinish(connection.handle) }
        }
    }

    // MARK: Borrowing (used by FanOut)

    /// What a fan-out may do for one task.
    enum Checkout {
        /// Reuse this open connection.
        case reuse(OpaquePointer, Lease)
        /// Open a new connection; a slot on the server is reserved for it. `evicted`, when set, is
        /// another project's idle connection that made room and must be closed by the caller.
        case open(Lease, evicted: OpaquePointer?)
        /// The server is at its bound with every connection busy: try again shortly.
        case wait
        /// The project was released with a hold that has not run out: do not connect.
        case held(seconds: Double)
    }

    /// The right to one connection slot, carried by a borrowed connection until it is returned.
    struct Lease {
        let project: String
        let dsn: String
        let server: String
        let generation: Int
    }

    /// Takes an idle connection for `project`, or reserves a slot for a new one. `fresh` skips the
    /// idle ones (after a reused connection turned out to be broken).
    func checkout(project: String, connection: ConnectionString, fresh: Bool = false, now: Double) -> Checkout {
        let server = Self.serverKey(connection)
        lock.lock()
        defer { lock.unlock() }
        if let until = holds[project] {
            if until > now { return .held(seconds: until - now) }
            holds[project] = nil
        }
        let lease = Lease(project: project, dsn: connection.raw, server: server, generation: generations[project, default: 0])
        if !fresh, let position = idle[project]?.lastIndex(where: { $0.dsn == connection.raw }) {
            let reused = idle[project]!.remove(at: position)
            if idle[project]!.isEmpty { idle[project] = nil }
            counters.reused += 1
            return .reuse(reused.handle, lease)
        }
        if openCount[server, default: 0] < perServerLimit {
            openCount[server, default: 0] += 1
            counters.opened += 1
            return .open(lease, evicted: nil)
        }
        guard let evicted = takeOldestIdle(on: server) else {
            counters.waits += 1
            return .wait
        }
        counters.opened += 1
        counters.closed += 1
        return .open(lease, evicted: evicted)
    }

    /// Takes back a connection whose conversation ended cleanly; closes it instead if its project
    /// was released while it was out.
    func checkin(_ handle: OpaquePointer, lease: Lease, now: Double) {
        lock.lock()
        let current = generations[lease.project, default: 0] == lease.generation
        if current {
            idle[lease.project, default: []].append(IdleConnection(handle: handle, dsn: lease.dsn, server: lease.server, since: now))
        } else {
            openCount[lease.server, default: 1] -= 1
            counters.closed += 1
        }
        lock.unlock()
        if !current { PQfinish(handle) }
    }

    /// Closes a borrowed connection that is broken, timed out or mid-statement, and frees its slot.
    func discard(_ handle: OpaquePointer?, lease: Lease) {
        lock.lock()
        openCount[lease.server, default: 1] -= 1
        if handle != nil { counters.closed += 1 }
        lock.unlock()
        if let handle { PQfinish(handle) }
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
        for connection in closing { PQfinish(connection.handle) }
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
        for connection in closing { PQfinish(connection.handle) }
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
        for connection in closing { PQfinish(connection.handle) }
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
        for connection in closing { PQfinish(connection.handle) }
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
        /// Times a task found its server full and had to wait.
        public var waits: Int
    }

    /// How the pool stands now.
    public var statistics: Statistics {
        lock.lock()
        defer { lock.unlock() }
        return Statistics(open: openCount.values.reduce(0, +), idle: idle.values.reduce(0) { $0 + $1.count },
                          opened: counters.opened, reused: counters.reused, closed: counters.closed, waits: counters.waits)
    }

    /// The monotonic clock the pool measures idleness with, in seconds.
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    // MARK: Internals

    private struct IdleConnection {
        let handle: OpaquePointer
        let dsn: String
        let server: String
        let since: Double
    }

    private struct Counters {
        var opened = 0
        var reused = 0
        var closed = 0
        var waits = 0
    }

    /// Frees the slots of connections about to be closed; call with the lock held.
    private func forget(_ closing: [IdleConnection]) {
        for connection in closing { openCount[connection.server, default: 1] -= 1 }
        counters.closed += closing.count
    }

    /// Removes the least recently used idle connection on `server`; call with the lock held.
    private func takeOldestIdle(on server: String) -> OpaquePointer? {
        var oldest: (project: String, position: Int, since: Double)?
        for (project, connections) in idle {
            for (position, connection) in connections.enumerated() where connection.server == server {
                if oldest == nil || connection.since < oldest!.since { oldest = (project, position, connection.since) }
            }
        }
        guard let oldest else { return nil }
        let taken = idle[oldest.project]!.remove(at: oldest.position)
        if idle[oldest.project]!.isEmpty { idle[oldest.project] = nil }
        return taken.handle
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
