import PostgresClient

/// How a command fans out over projects: how many at once, how long each may take, and whether
/// connections are opened per command or borrowed from a long-running service's warm pool.
public struct FanOutOptions: Sendable, Equatable {
    /// How many projects to work on at once.
    public var concurrency: Int
    /// Seconds per project, from its first connection attempt to its last row.
    public var timeout: Double
    /// Kept-open connections to borrow; nil (every CLI command) opens and closes one per project.
    public var pool: WarmPool?

    /// Options for one command; the CLI's defaults.
    public init(concurrency: Int = 16, timeout: Double = 10, pool: WarmPool? = nil) {
        self.concurrency = concurrency
        self.timeout = timeout
        self.pool = pool
    }

    /// Options are equal when they fan out the same way through the same pool.
    public static func == (lhs: FanOutOptions, rhs: FanOutOptions) -> Bool {
        lhs.concurrency == rhs.concurrency && lhs.timeout == rhs.timeout && lhs.pool === rhs.pool
    }

    var engine: FanOut { FanOut(concurrency: concurrency, timeout: timeout, pool: pool) }
}

/// How one project's part of a fan-out ended, in words for people and scripts.
public enum ProjectOutcome: Sendable, Equatable {
    case ok
    case failed(String)
    case timedOut(Double)
    case skipped(String)

    /// `ok`, `failed`, `timed_out` or `skipped`.
    public var label: String {
        switch self {
        case .ok: "ok"
        case .failed: "failed"
        case .timedOut: "timed_out"
        case .skipped: "skipped"
        }
    }

    /// Why it did not succeed, or nil.
    public var reason: String? {
        switch self {
        case .ok: nil
        case .failed(let reason), .skipped(let reason): reason
        case .timedOut(let seconds): "no answer within \(String(format: "%g", seconds)) s; check that the server is up, or raise --timeout (--query-timeout for catalog serve)"
        }
    }

    /// True for `ok`.
    public var isOK: Bool { self == .ok }

    init(_ outcome: FanOutOutcome, timeout: Double, hint: ((PostgresError) -> String?)? = nil) {
        switch outcome {
        case .ok: self = .ok
        case .timedOut: self = .timedOut(timeout)
        case .failed(let error):
            let extra = hint?(error).map { "; \($0)" } ?? ""
            self = .failed(PostgresAdvice.explain(error) + extra)
        }
    }
}
