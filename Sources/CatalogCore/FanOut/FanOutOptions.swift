import PostgresClient

/// How a command fans out over projects: how many at once, how long each may take, whether
/// connections are opened per command or borrowed from a long-running service's warm pool, and
/// where progress goes. Reads (`engine`, PostgresClient's `FanOut`) and writes (`BoundedWorkers`)
/// both take their limits and report their progress from here.
public struct FanOutOptions: Sendable, Equatable {
    /// How many projects to work on at once.
    public var concurrency: Int
    /// Seconds per project, from its first connection attempt to its last row.
    public var timeout: Double
    /// Kept-open connections to borrow; nil (every CLI command) opens and closes one per project.
    public var pool: WarmPool?
    /// Told as each project's part starts and ends, by reads and writes alike.
    public var progress: FanOutProgress?
    /// Where the one revision query per server is asked (the fresh path). nil (every CLI command):
    /// on a connection of its own to the first selected project's database. A long-running service
    /// passes one, so that query reuses one kept-open connection per server.
    public var signal: SignalConnection?

    /// How a long-running service asks each server for its published revisions.
    public struct SignalConnection: Sendable {
        /// Kept-open connections, one per server (the pool's key is the server, not a project).
        public var pool: WarmPool
        /// The database the kept-open connection is on, such as `postgres`, so it never holds a
        /// session on a project's database (a restore, rename or archive needs none there). When it
        /// cannot be reached, the server is asked once more on a project's own database.
        public var database: String?

        public init(pool: WarmPool, database: String?) {
            self.pool = pool
            self.database = database
        }
    }

    /// Options for one command; the CLI's defaults.
    public init(
        concurrency: Int = 16, timeout: Double = 10, pool: WarmPool? = nil, progress: FanOutProgress? = nil, signal: SignalConnection? = nil
    ) {
        self.concurrency = concurrency
        self.timeout = timeout
        self.pool = pool
        self.progress = progress
        self.signal = signal
    }

    /// Options are equal when they fan out the same way through the same pools.
    public static func == (lhs: FanOutOptions, rhs: FanOutOptions) -> Bool {
        lhs.concurrency == rhs.concurrency && lhs.timeout == rhs.timeout && lhs.pool === rhs.pool
            && lhs.signal?.pool === rhs.signal?.pool && lhs.signal?.database == rhs.signal?.database
    }

    /// The read engine, reporting to `progress`.
    var engine: FanOut {
        var engine = FanOut(concurrency: concurrency, timeout: timeout, pool: pool)
        if let progress {
            engine.onStart = { progress(.started(project: $0)) }
            engine.onFinish = { result in
                progress(.finished(project: result.key, outcome: ProjectOutcome(result.outcome, timeout: timeout), seconds: result.seconds))
            }
        }
        return engine
    }
}
