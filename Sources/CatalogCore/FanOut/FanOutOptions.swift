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

    /// Options for one command; the CLI's defaults.
    public init(concurrency: Int = 16, timeout: Double = 10, pool: WarmPool? = nil, progress: FanOutProgress? = nil) {
        self.concurrency = concurrency
        self.timeout = timeout
        self.pool = pool
        self.progress = progress
    }

    /// Options are equal when they fan out the same way through the same pool.
    public static func == (lhs: FanOutOptions, rhs: FanOutOptions) -> Bool {
        lhs.concurrency == rhs.concurrency && lhs.timeout == rhs.timeout && lhs.pool === rhs.pool
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
