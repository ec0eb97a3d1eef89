import CLibPQ
import Foundation

/// One database's part of a fan-out: where to connect and the conversation to hold there.
///
/// `next` is called with the results so far (empty at first) and returns the next statement, or
/// nil when the conversation is over. Most tasks send one statement; a few look at a first answer
/// (say, the `_metadata` revision) before deciding what else to ask.
public struct FanOutTask: Sendable {
    public var key: String
    public var connection: ConnectionString
    public var next: @Sendable ([QueryResult]) throws -> Query?

    public init(key: String, connection: ConnectionString, next: @escaping @Sendable ([QueryResult]) throws -> Query?) {
        self.key = key
        self.connection = connection
        self.next = next
    }

    /// A task that sends exactly one statement.
    public init(key: String, connection: ConnectionString, query: Query) {
        self.init(key: key, connection: connection) { results in results.isEmpty ? query : nil }
    }
}

/// How one database's part ended.
public enum FanOutOutcome: Sendable {
    case ok([QueryResult])
    case failed(PostgresError)
    case timedOut
}

/// One database's outcome, with how long it took from the first connection attempt.
public struct FanOutResult: Sendable {
    public var key: String
    public var outcome: FanOutOutcome
    public var seconds: Double
}

/// Runs conversations on many databases at once over non-blocking libpq, multiplexed with `poll(2)`
/// on a single thread of its own. At most `concurrency` connections are open at a time, and each
/// database gets `timeout` seconds from its first connection attempt to its last row.
public struct FanOut: Sendable {
    public var concurrency: Int
    public var timeout: Double

    public init(concurrency: Int = 64, timeout: Double = 10) {
        self.concurrency = max(1, concurrency)
        self.timeout = timeout
    }

    /// Runs every task on a thread of its own and returns the outcomes in the tasks' order.
    public func run(_ tasks: [FanOutTask]) async -> [FanOutResult] {
        let engine = self
        return await OwnThread.run { engine.runBlocking(tasks) }
    }

    /// Runs every task on the calling thread (never call this from the cooperative pool).
    public func runBlocking(_ tasks: [FanOutTask]) -> [FanOutResult] {
        var loop = PollLoop(tasks: tasks, concurrency: concurrency, timeout: timeout)
        return loop.run()
    }
}

/// The state of every open connection in one fan-out; only ever touched by the fan-out's thread.
private struct PollLoop {
    enum Phase {
        case connecting(waitForWrite: Bool)
        case querying
    }

    struct Active {
        let index: Int
        let connection: OpaquePointer
        var phase: Phase
        let started: Double
        let deadline: Double
        var results: [QueryResult] = []
        var pendingError: PostgresError?
        var lastResult: QueryResult?
        var needsFlush = false
    }

    let tasks: [FanOutTask]
    let concurrency: Int
    let timeout: Double
    var outcomes: [FanOutResult?]
    var nextTask = 0
    var active: [Active] = []
    var resolver = HostResolver()

    init(tasks: [FanOutTask], concurrency: Int, timeout: Double) {
        self.tasks = tasks
        self.concurrency = concurrency
        self.timeout = timeout
        self.outcomes = Array(repeating: nil, count: tasks.count)
    }

    mutating func run() -> [FanOutResult] {
        while nextTask < tasks.count || !active.isEmpty {
            while active.count < concurrency, nextTask < tasks.count {
                start(nextTask)
                nextTask += 1
            }
            guard !active.isEmpty else { continue }
            waitAndAdvance()
        }
        return outcomes.map { $0! }
    }

    // MARK: Starting

    mutating func start(_ index: Int) {
        let task = tasks[index]
        let started = Self.now()
        let addresses: [String]?
        switch resolver.addresses(for: task.connection) {
        case .success(let resolved): addresses = resolved
        case .failure(let error):
            finish(index, .failed(error), started: started)
            return
        }
        let connectTimeout = max(2, Int(timeout.rounded(.up)))
        let parameters = ConnectionParameters(task.connection, hostAddresses: addresses, defaultConnectTimeout: connectTimeout)
        let connection = parameters.withCArrays { keywords, values in PQconnectStartParams(keywords, values, 1) }
        guard let connection else {
            finish(index, .failed(PostgresError(kind: .connection, message: "out of memory while connecting")), started: started)
            return
        }
        if PQstatus(connection) == CONNECTION_BAD {
            let error = PostgresError(connection: connection)
            PQfinish(connection)
            finish(index, .failed(error), started: started)
            return
        }
        silenceNotices(connection)
        // libpq's docs: after PQconnectStart, behave as if PQconnectPoll had returned PGRES_POLLING_WRITING.
        active.append(Active(index: index, connection: connection, phase: .connecting(waitForWrite: true),
                             started: started, deadline: started + timeout))
    }

    // MARK: Waiting

    mutating func waitAndAdvance() {
        var descriptors = active.map { entry -> pollfd in
            var events = Int16(POLLIN)
            switch entry.phase {
            case .connecting(let waitForWrite): events = Int16(waitForWrite ? POLLOUT : POLLIN)
            case .querying: if entry.needsFlush { events |= Int16(POLLOUT) }
            }
            return pollfd(fd: PQsocket(entry.connection), events: events, revents: 0)
        }
        let earliest = active.map(\.deadline).min()!
        let waitMilliseconds = max(0, Int32(((earliest - Self.now()) * 1000).rounded(.up)))
        let ready = poll(&descriptors, nfds_t(descriptors.count), min(waitMilliseconds, 1000))
        if ready < 0, errno != EINTR {
            let error = PostgresError(kind: .connection, message: "poll failed: \(String(cString: strerror(errno)))")
            for position in active.indices.reversed() { fail(position, error) }
            return
        }
        let now = Self.now()
        // Walk backwards so finished entries can be removed in place.
        for position in descriptors.indices.reversed() {
            if descriptors[position].revents != 0 {
                advance(position, revents: descriptors[position].revents)
            } else if now >= active[position].deadline {
                let entry = active.remove(at: position)
                PQfinish(entry.connection)
                finish(entry.index, .timedOut, started: entry.started)
            }
        }
    }

    // MARK: Advancing

    mutating func advance(_ position: Int, revents: Int16) {
        switch active[position].phase {
        case .connecting:
            advanceConnecting(position)
        case .querying:
            advanceQuerying(position, revents: revents)
        }
    }

    mutating func advanceConnecting(_ position: Int) {
        let connection = active[position].connection
        switch PQconnectPoll(connection) {
        case PGRES_POLLING_OK:
            PQsetnonblocking(connection, 1)
            active[position].phase = .querying
            sendNext(position)
        case PGRES_POLLING_READING:
            active[position].phase = .connecting(waitForWrite: false)
        case PGRES_POLLING_WRITING:
            active[position].phase = .connecting(waitForWrite: true)
        default:
            fail(position, PostgresError(connection: connection))
        }
    }

    mutating func advanceQuerying(_ position: Int, revents: Int16) {
        let connection = active[position].connection
        if revents & Int16(POLLOUT) != 0 || active[position].needsFlush {
            let flushed = PQflush(connection)
            if flushed < 0 { return fail(position, PostgresError(connection: connection, kind: .query)) }
            active[position].needsFlush = flushed == 1
        }
        if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
            guard PQconsumeInput(connection) == 1 else {
                return fail(position, PostgresError(connection: connection, kind: .query))
            }
        }
        while PQisBusy(connection) == 0 {
            guard let raw = PQgetResult(connection) else {
                // NULL: the statement is complete.
                return completeStatement(position)
            }
            let handle = ResultHandle(raw)
            do {
                active[position].lastResult = try handle.checked()
            } catch let error as PostgresError {
                if active[position].pendingError == nil { active[position].pendingError = error }
            } catch {
                active[position].pendingError = PostgresError(kind: .query, message: "\(error)")
            }
        }
    }

    mutating func completeStatement(_ position: Int) {
        if let error = active[position].pendingError { return fail(position, error) }
        if let result = active[position].lastResult { active[position].results.append(result) }
        active[position].lastResult = nil
        sendNext(position)
    }

    mutating func sendNext(_ position: Int) {
        let entry = active[position]
        let query: Query?
        do {
            query = try tasks[entry.index].next(entry.results)
        } catch let error as PostgresError {
            return fail(position, error)
        } catch {
            return fail(position, PostgresError(kind: .query, message: "\(error)"))
        }
        guard let query else {
            active.remove(at: position)
            PQfinish(entry.connection)
            finish(entry.index, .ok(entry.results), started: entry.started)
            return
        }
        let sent = query.parameters.withCStringArray { values in
            PQsendQueryParams(entry.connection, query.sql, Int32(values.count), nil, values, nil, nil, 0)
        }
        guard sent == 1 else { return fail(position, PostgresError(connection: entry.connection, kind: .query)) }
        let flushed = PQflush(entry.connection)
        if flushed < 0 { return fail(position, PostgresError(connection: entry.connection, kind: .query)) }
        active[position].needsFlush = flushed == 1
    }

    mutating func fail(_ position: Int, _ error: PostgresError) {
        let entry = active.remove(at: position)
        PQfinish(entry.connection)
        finish(entry.index, .failed(error), started: entry.started)
    }

    mutating func finish(_ index: Int, _ outcome: FanOutOutcome, started: Double) {
        outcomes[index] = FanOutResult(key: tasks[index].key, outcome: outcome, seconds: Self.now() - started)
    }

    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
