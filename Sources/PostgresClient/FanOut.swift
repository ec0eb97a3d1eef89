import CLibPQ
import CatalogSupport
import Foundation

/// One database's part of a fan-out: where to connect and the conversation to hold there.
///
/// `next` is called with the results so far (empty at first) and returns the statements to send
/// next, or none when the conversation is over. Most tasks send one statement; a few look at a
/// first answer (say, the `_metadata` revision) before deciding what else to ask.
///
/// The statements of one step travel together in one libpq pipeline: one round trip for all of
/// them, run in one implicit transaction, and the first error skips the rest of the step.
public struct FanOutTask: Sendable {
    /// Names the task in its result; with a pool, the project whose connections it borrows.
    public var key: String
    /// Where to connect.
    public var connection: ConnectionString
    /// The conversation: the statements of the next step given the answers so far, or none when it is over.
    public var next: @Sendable ([QueryResult]) throws -> [Query]

    /// A task that holds the conversation `steps` on `connection`, sending each step's statements together.
    public init(key: String, connection: ConnectionString, steps: @escaping @Sendable ([QueryResult]) throws -> [Query]) {
        self.key = key
        self.connection = connection
        self.next = steps
    }

    /// A task that holds the conversation `next` on `connection`, one statement at a time.
    public init(key: String, connection: ConnectionString, next: @escaping @Sendable ([QueryResult]) throws -> Query?) {
        self.init(key: key, connection: connection) { results in try next(results).map { [$0] } ?? [] }
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
    /// The task's key.
    public var key: String
    /// How it ended.
    public var outcome: FanOutOutcome
    /// Seconds from the first connection attempt to the end.
    public var seconds: Double
}

/// Runs conversations on many databases at once over non-blocking libpq, multiplexed with `poll(2)`
/// on a single thread of its own. At most `concurrency` conversations run at a time, and each
/// database gets `timeout` seconds from its first connection attempt to its last row.
///
/// Without a pool every task opens its own connection and closes it at the end. With a `WarmPool`
/// the same engine borrows kept-open connections and hands them back, so a long-running service
/// skips connection set-up; a borrowed connection found broken is replaced once, transparently.
/// On pooled connections each statement is also prepared once and then executed by name, which
/// saves PostgreSQL parsing and planning it again on every request (about two thirds of the cost
/// of the small catalog queries).
public struct FanOut: Sendable {
    /// How many conversations run at once (tasks waiting for a pooled connection count too).
    public var concurrency: Int
    /// Seconds each task may take, from its first connection attempt to its last row.
    public var timeout: Double
    /// Where connections come from and go back to; nil opens and closes one per task.
    public var pool: WarmPool?
    /// Told each task's key as the task starts, on the fan-out's thread (keep it short).
    public var onStart: (@Sendable (String) -> Void)?
    /// Told each task's result as the task ends, on the fan-out's thread (keep it short).
    public var onFinish: (@Sendable (FanOutResult) -> Void)?

    /// An engine with these limits, opening its own connections unless given a pool.
    public init(concurrency: Int = 64, timeout: Double = 10, pool: WarmPool? = nil) {
        self.concurrency = max(1, concurrency)
        self.timeout = timeout
        self.pool = pool
    }

    /// Runs every task on a thread of its own and returns the outcomes in the tasks' order.
    public func run(_ tasks: [FanOutTask]) async -> [FanOutResult] {
        let engine = self
        return await OwnThread.run { engine.runBlocking(tasks) }
    }

    /// Runs every task on the calling thread (never call this from the cooperative pool).
    public func runBlocking(_ tasks: [FanOutTask]) -> [FanOutResult] {
        var loop = PollLoop(tasks: tasks, concurrency: concurrency, timeout: timeout, pool: pool)
        loop.onStart = onStart
        loop.onFinish = onFinish
        return loop.run()
    }
}

/// The state of every open connection in one fan-out; only ever touched by the fan-out's thread.
private struct PollLoop {
    enum Phase {
        case connecting(waitForWrite: Bool)
        case querying
    }

    /// One try at starting a task. `fresh` is set on the second try, after a reused connection
    /// turned out to be broken: it must not take another idle one.
    struct Attempt {
        let index: Int
        let started: Double
        var fresh = false
    }

    /// What a pending result in a pipeline belongs to.
    enum Slot: Equatable {
        /// Preparing the named statement: its answer is dropped.
        case prepare(String)
        /// Running a statement: its answer joins the task's results.
        case execute
    }

    /// A step sent in one pipeline and not yet synced.
    struct Pipeline {
        /// The statements, kept so the step can be sent again if the server lost a prepared statement.
        var statements: [Query] = []
        /// What each result belongs to, in order; `slot` is the one being answered.
        var slots: [Slot] = []
        var slot = 0
        var slotAnswered = false
        var answers: [QueryResult] = []
        /// Statements whose PREPARE succeeded in this step.
        var newlyPrepared: [String] = []
        /// The step's first error; the statements after it are skipped by the server.
        var error: PostgresError?
    }

    struct Active {
        let attempt: Attempt
        let connection: OpaquePointer
        var phase: Phase
        let deadline: Double
        /// The pool slot this connection occupies; nil without a pool.
        let lease: WarmPool.Lease?
        /// True when the connection came from the pool rather than being opened for this task.
        let reused: Bool
        /// Statements prepared on this connection, by name (pooled connections only).
        var prepared: Set<String> = []
        /// The step in flight.
        var pipeline = Pipeline()
        /// Set once a step was sent again, so a persistent error is not retried forever.
        var reprepared = false
        /// The answers of the completed steps.
        var results: [QueryResult] = []
        var needsFlush = false

        var index: Int { attempt.index }
        var isQuerying: Bool {
            if case .querying = phase { return true }
            return false
        }
        var started: Double { attempt.started }
    }

    let tasks: [FanOutTask]
    let concurrency: Int
    let timeout: Double
    let pool: WarmPool?
    /// Where the pool hands connections to this fan-out's waiting tasks.
    let mailbox: WarmPool.Mailbox?
    var outcomes: [FanOutResult?]
    var nextTask = 0
    var active: [Active] = []
    /// Tasks queued in the pool for a connection, by task index.
    var waiting: [Int: Attempt] = [:]
    var resolver = HostResolver()
    var onStart: (@Sendable (String) -> Void)?
    var onFinish: (@Sendable (FanOutResult) -> Void)?

    init(tasks: [FanOutTask], concurrency: Int, timeout: Double, pool: WarmPool?) {
        self.tasks = tasks
        self.concurrency = concurrency
        self.timeout = timeout
        self.pool = pool
        self.mailbox = pool.map { _ in WarmPool.Mailbox() }
        self.outcomes = Array(repeating: nil, count: tasks.count)
    }

    mutating func run() -> [FanOutResult] {
        while nextTask < tasks.count || !active.isEmpty || !waiting.isEmpty {
            while active.count + waiting.count < concurrency, nextTask < tasks.count {
                onStart?(tasks[nextTask].key)
                begin(Attempt(index: nextTask, started: Self.now()))
                nextTask += 1
            }
            guard !active.isEmpty || !waiting.isEmpty else { continue }
            waitAndAdvance()
        }
        return outcomes.map { $0! }
    }

    // MARK: Starting

    /// Starts a task on a borrowed or new connection, or queues it in the pool until one is free.
    mutating func begin(_ attempt: Attempt) {
        guard let pool, let mailbox else { return connect(attempt, lease: nil) }
        let task = tasks[attempt.index]
        switch pool.checkout(
            project: task.key, connection: task.connection, fresh: attempt.fresh, now: Self.now(),
            mailbox: mailbox, token: attempt.index)
        {
        case .granted(let grant):
            start(attempt, grant)
        case .wait:
            waiting[attempt.index] = attempt
        case .held(let seconds):
            let message = "connections to this project are on hold for maintenance (a restore or import) for \(Int(seconds.rounded(.up))) more s"
            finish(attempt.index, .failed(PostgresError(kind: .connection, message: message)), started: attempt.started)
        }
    }

    /// Goes ahead with what the pool granted: a kept-open connection, or the right to open one.
    mutating func start(_ attempt: Attempt, _ grant: WarmPool.Grant) {
        switch grant {
        case .reuse(let connection, let lease, let prepared):
            guard WarmPool.isUsable(connection) else {
                pool?.discard(connection, lease: lease)
                return begin(attempt)
            }
            active.append(
                Active(
                    attempt: attempt, connection: connection, phase: .querying,
                    deadline: attempt.started + timeout, lease: lease, reused: true, prepared: prepared))
            sendNext(active.count - 1)
        case .open(let lease, let evicted):
            if let evicted { PQfinish(evicted) }
            connect(attempt, lease: lease)
        }
    }

    mutating func connect(_ attempt: Attempt, lease: WarmPool.Lease?) {
        let task = tasks[attempt.index]
        let addresses: [String]?
        switch resolver.addresses(for: task.connection) {
        case .success(let resolved): addresses = resolved
        case .failure(let error):
            if let lease { pool?.discard(nil, lease: lease) }
            finish(attempt.index, .failed(error), started: attempt.started)
            return
        }
        do {
            try LibPQLoading.ensureLoaded()
        } catch {
            if let lease { pool?.discard(nil, lease: lease) }
            finish(attempt.index, .failed(error), started: attempt.started)
            return
        }
        let connectTimeout = max(2, Int(timeout.rounded(.up)))
        let parameters = ConnectionParameters(
            task.connection, hostAddresses: addresses, defaultConnectTimeout: connectTimeout,
            applicationName: pool == nil ? "catalog" : WarmPool.applicationName)
        let connection = parameters.withCArrays { keywords, values in PQconnectStartParams(keywords, values, 1) }
        guard let connection else {
            if let lease { pool?.discard(nil, lease: lease) }
            finish(attempt.index, .failed(PostgresError(kind: .connection, message: "out of memory while connecting")), started: attempt.started)
            return
        }
        if PQstatus(connection) == CONNECTION_BAD {
            let error = PostgresError(connection: connection)
            close(connection, lease: lease, reusable: false)
            finish(attempt.index, .failed(error), started: attempt.started)
            return
        }
        silenceNotices(connection)
        // libpq's docs: after PQconnectStart, behave as if PQconnectPoll had returned PGRES_POLLING_WRITING.
        active.append(
            Active(
                attempt: attempt, connection: connection, phase: .connecting(waitForWrite: true),
                deadline: attempt.started + timeout, lease: lease, reused: false))
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
        let watched = descriptors.count
        if let mailbox, !waiting.isEmpty { descriptors.append(pollfd(fd: mailbox.descriptor, events: Int16(POLLIN), revents: 0)) }
        let deadlines = active.map(\.deadline) + waiting.values.map { $0.started + timeout }
        let earliest = deadlines.min()!
        let waitMilliseconds = min(1000, max(0, Int32(((earliest - Self.now()) * 1000).rounded(.up))))
        let ready = poll(&descriptors, nfds_t(descriptors.count), waitMilliseconds)
        if ready < 0, errno != EINTR {
            let error = PostgresError(kind: .connection, message: "poll failed: \(String(cString: strerror(errno)))")
            for position in active.indices.reversed() { fail(position, error) }
            return
        }
        let now = Self.now()
        // Walk backwards so finished entries can be removed in place.
        for position in (0..<watched).reversed() {
            if descriptors[position].revents != 0 {
                advance(position, revents: descriptors[position].revents)
            } else if now >= active[position].deadline {
                let entry = active.remove(at: position)
                // A statement in flight keeps running on the server after the socket closes: ask it to stop.
                let cancel = entry.isQuerying ? CancelHandle(connection: entry.connection) : nil
                close(entry, reusable: false)
                cancel?.sendInBackground()
                finish(entry.index, .timedOut, started: entry.started)
            }
        }
        receiveGrants(now: now)
    }

    /// Starts the waiting tasks the pool handed connections to, and ends those that waited too long.
    mutating func receiveGrants(now: Double) {
        guard let pool, let mailbox, !waiting.isEmpty else { return }
        for (token, grant) in mailbox.take() {
            guard let attempt = waiting.removeValue(forKey: token) else {
                pool.giveBack(grant)
                continue
            }
            if now >= attempt.started + timeout {
                pool.giveBack(grant)
                finish(token, .timedOut, started: attempt.started)
            } else {
                start(attempt, grant)
            }
        }
        for (token, attempt) in waiting where now >= attempt.started + timeout {
            let task = tasks[token]
            // When the grant is already on its way, it arrives in the mailbox and is given back there.
            if pool.cancel(project: task.key, connection: task.connection, mailbox: mailbox, token: token) {
                waiting[token] = nil
                finish(token, .timedOut, started: attempt.started)
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
                // NULL ends one statement's results; before any result it only means "nothing yet".
                guard active[position].pipeline.slotAnswered else { return }
                active[position].pipeline.slot += 1
                active[position].pipeline.slotAnswered = false
                continue
            }
            let handle = ResultHandle(raw)
            switch handle.status {
            case PGRES_PIPELINE_SYNC:
                return completeStep(position)
            case PGRES_PIPELINE_ABORTED:
                // Skipped because an earlier statement of the step failed.
                active[position].pipeline.slotAnswered = true
            default:
                active[position].pipeline.take(handle)
            }
        }
    }

    /// Ends a step once its pipeline is synced: keeps its answers and goes on, or ends the task
    /// with the step's first error.
    mutating func completeStep(_ position: Int) {
        let connection = active[position].connection
        guard PQexitPipelineMode(connection) == 1 else { return fail(position, PostgresError(connection: connection, kind: .query)) }
        let pipeline = active[position].pipeline
        active[position].pipeline = Pipeline()
        active[position].prepared.formUnion(pipeline.newlyPrepared)
        if let error = pipeline.error {
            // The server lost a prepared statement (a pooler reset the session) or its plan no
            // longer fits: forget the statements this step ran by name, and send it again, once.
            if pool != nil, [SQLState.invalidSQLStatementName, SQLState.featureNotSupported].contains(error.sqlState), !active[position].reprepared {
                active[position].reprepared = true
                let ranByName = Set(pipeline.statements.map { StatementName.of($0.sql) }).subtracting(pipeline.newlyPrepared)
                active[position].prepared.subtract(ranByName)
                return send(position, pipeline.statements)
            }
            return fail(position, error)
        }
        active[position].results += pipeline.answers
        sendNext(position)
    }

    mutating func sendNext(_ position: Int) {
        let entry = active[position]
        let step: [Query]
        do {
            step = try tasks[entry.index].next(entry.results)
        } catch let error as PostgresError {
            return fail(position, error)
        } catch {
            return fail(position, PostgresError(kind: .query, message: "\(error)"))
        }
        guard !step.isEmpty else {
            active.remove(at: position)
            close(entry, reusable: true)
            finish(entry.index, .ok(entry.results), started: entry.started)
            return
        }
        send(position, step)
    }

    /// Sends a step's statements in one pipeline, followed by one sync: with bound parameters on a
    /// one-off connection; on a pooled one, prepared first (once per connection, in the same
    /// pipeline) and then executed by name.
    mutating func send(_ position: Int, _ step: [Query]) {
        let connection = active[position].connection
        guard PQenterPipelineMode(connection) == 1 else { return fail(position, PostgresError(connection: connection, kind: .query)) }
        var slots: [Slot] = []
        for query in step {
            let sent: Int32
            if pool == nil {
                sent = query.parameters.withCStringArray { values in
                    PQsendQueryParams(connection, query.sql, Int32(values.count), nil, values, nil, nil, 0)
                }
            } else {
                let name = StatementName.of(query.sql)
                if !active[position].prepared.contains(name), !slots.contains(.prepare(name)) {
                    guard PQsendPrepare(connection, name, query.sql, Int32(query.parameters.count), nil) == 1 else {
                        return fail(position, PostgresError(connection: connection, kind: .query))
                    }
                    slots.append(.prepare(name))
                }
                sent = query.parameters.withCStringArray { values in
                    PQsendQueryPrepared(connection, name, Int32(values.count), values, nil, nil, 0)
                }
            }
            guard sent == 1 else { return fail(position, PostgresError(connection: connection, kind: .query)) }
            slots.append(.execute)
        }
        guard PQpipelineSync(connection) == 1 else { return fail(position, PostgresError(connection: connection, kind: .query)) }
        active[position].pipeline = Pipeline(statements: step, slots: slots)
        let flushed = PQflush(connection)
        if flushed < 0 { return fail(position, PostgresError(connection: connection, kind: .query)) }
        active[position].needsFlush = flushed == 1
    }

    /// Ends a task with an error; a reused connection that broke before its first answer is
    /// replaced by a new one once, since the server may have restarted while it sat idle.
    mutating func fail(_ position: Int, _ error: PostgresError) {
        let entry = active.remove(at: position)
        let broken = PQstatus(entry.connection) == CONNECTION_BAD
        close(entry, reusable: true)
        if entry.reused, broken, entry.results.isEmpty, !entry.attempt.fresh {
            var retry = entry.attempt
            retry.fresh = true
            return begin(retry)
        }
        finish(entry.index, .failed(error), started: entry.started)
    }

    /// Hands a connection back to the pool when it is idle and healthy, else closes it.
    mutating func close(_ entry: Active, reusable: Bool) {
        close(entry.connection, lease: entry.lease, prepared: entry.prepared, reusable: reusable)
    }

    mutating func close(_ connection: OpaquePointer, lease: WarmPool.Lease?, prepared: Set<String> = [], reusable: Bool) {
        guard let pool, let lease else {
            PQfinish(connection)
            return
        }
        let idle =
            PQstatus(connection) == CONNECTION_OK && PQtransactionStatus(connection) == PQTRANS_IDLE
            && PQpipelineStatus(connection) == PQ_PIPELINE_OFF && PQisBusy(connection) == 0
        if reusable && idle {
            pool.checkin(connection, lease: lease, prepared: prepared, now: Self.now())
        } else {
            pool.discard(connection, lease: lease)
        }
    }

    mutating func finish(_ index: Int, _ outcome: FanOutOutcome, started: Double) {
        let result = FanOutResult(key: tasks[index].key, outcome: outcome, seconds: Self.now() - started)
        outcomes[index] = result
        onFinish?(result)
    }

    static func now() -> Double {
        WarmPool.now()
    }
}

extension PollLoop.Pipeline {
    /// Files one result under the statement being answered: a PREPARE's name, a statement's rows,
    /// or the step's first error.
    mutating func take(_ handle: ResultHandle) {
        slotAnswered = true
        do {
            let result = try handle.checked()
            switch slots[slot] {
            case .prepare(let name): newlyPrepared.append(name)
            case .execute: answers.append(result)
            }
        } catch let failure as PostgresError {
            if error == nil { error = failure }
        } catch {
            if self.error == nil { self.error = PostgresError(kind: .query, message: "\(error)") }
        }
    }
}

/// Names for prepared statements: the same SQL always gets the same name (FNV-1a of its text), so
/// a pooled connection recognises a statement it prepared for an earlier request.
enum StatementName {
    static func of(_ sql: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return "catalog_" + String(hash, radix: 16)
    }
}
