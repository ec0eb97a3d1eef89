import Foundation
import PostgresClient

/// One project's whole conversation with its server under one deadline: every connection it opens
/// is cancelled when the deadline passes, whatever statement it is blocked in (a lock wait included).
///
/// `BoundedWorkers` makes one per project and watches them all from one thread of its own; the
/// project's work opens its connections through `connect(_:)` and turns errors into outcomes with
/// `outcome(for:project:)`, which says "timed out" (and why) when the deadline was the cause.
final class ProjectConversation: @unchecked Sendable {
    /// Seconds the whole conversation may take.
    let timeout: Double
    private var deadlineValue: Date
    private let lock = NSLock()
    private var open: [(cancel: CancelHandle, pid: Int32, connectionString: ConnectionString)] = []
    private var expired = false
    /// What the stuck statement waited for, when the watchdog could tell.
    private var waitedFor: String?
    private var finished = false

    init(timeout: Double, now: Date = Date()) {
        self.timeout = timeout
        deadlineValue = now.addingTimeInterval(timeout)
    }

    /// When the conversation is cancelled.
    var deadline: Date { lock.withLock { deadlineValue } }

    /// Gives the rest of the conversation a whole timeout again, after a step bounded otherwise
    /// (a `pg_dump` safety backup, bounded by its lock wait timeout, not by its length).
    func startOver() { lock.withLock { deadlineValue = Date().addingTimeInterval(timeout) } }

    /// Opens a connection whose connect timeout is what is left of the deadline, registered for cancelling.
    func connect(_ connectionString: ConnectionString) throws -> Connection {
        let connection = try Connection(connectionString, connectTimeout: secondsLeft)
        let isExpired = lock.withLock {
            if let cancel = connection.cancelHandle() { open.append((cancel, connection.backendPID, connectionString)) }
            return expired
        }
        if isExpired { throw PostgresError(kind: .timeout, message: "no answer within \(String(format: "%g", timeout)) s") }
        return connection
    }

    /// Seconds left before the deadline (at least one, for tools that take whole seconds).
    var secondsLeft: Int { max(1, Int(deadline.timeIntervalSinceNow.rounded(.up))) }

    /// The project's outcome for `error`: timed out (with what it waited for) when the deadline
    /// cancelled it, else failed with the error's message.
    func outcome(for error: Error, project: String) -> ProjectOutcome {
        let (expired, waitedFor) = lock.withLock { (self.expired, self.waitedFor) }
        if expired { return .timedOut(timeout, detail: waitedFor) }
        return .failed(CatalogError.wrap(error, project: project))
    }

    /// Marks the conversation done; the watchdog stops looking at it.
    func finish() { lock.withLock { finished = true } }

    var isFinished: Bool { lock.withLock { finished } }

    /// Called by the watchdog once the deadline has passed: finds what the stuck statement waits for,
    /// then cancels every open connection. Runs on a thread of its own, so a slow server stalls only it.
    func expire() {
        let connections = lock.withLock { () -> [(cancel: CancelHandle, pid: Int32, connectionString: ConnectionString)]? in
            guard !finished, !expired else { return nil }
            expired = true
            return open
        }
        guard let connections else { return }
        let waits = connections.compactMap { Self.lockWait(of: $0.pid, via: $0.connectionString) }
        lock.withLock { waitedFor = waits.first }
        // A statement that starts between two cancels is cancelled by the next one.
        while !isFinished {
            for connection in lock.withLock({ open }) { connection.cancel.cancel() }
            usleep(250_000)
        }
    }

    /// What backend `pid` is waiting for, in words, when it waits for a lock; nil otherwise.
    /// Asked over a short connection of its own to the same database, bounded by libpq's minimum connect timeout.
    static func lockWait(of pid: Int32, via connectionString: ConnectionString) -> String? {
        guard let probe = try? Connection(connectionString, connectTimeout: 2) else { return nil }
        _ = try? probe.query("SET statement_timeout = 2000")
        let row = try? probe.query(LockWaitQuery.sql, [Int(pid)]).records.first
        guard let row, let mode = row["mode"] else { return nil }
        let target = row["relation"].map { "on \($0)" } ?? "(\(row["locktype"] ?? "lock"))"
        let holders = row["blockers"].flatMap { $0.isEmpty ? nil : $0 }.map { " held by the session with pid \($0)" } ?? ""
        return "waited for a lock \(target) (\(mode))\(holders)"
    }
}

/// The lock a backend waits for, and the backends that block it.
enum LockWaitQuery {
    static let sql = """
        SELECT l.locktype, l.mode,
               CASE WHEN l.relation IS NOT NULL THEN l.relation::regclass::text END AS relation,
               array_to_string(pg_blocking_pids($1::int), ', ') AS blockers
        FROM pg_locks l
        WHERE l.pid = $1::int AND NOT l.granted
        LIMIT 1
        """
}
