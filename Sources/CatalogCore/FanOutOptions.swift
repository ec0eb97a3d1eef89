import PostgresClient

/// How a command fans out over projects: how many at once, and how long each may take.
public struct FanOutOptions: Sendable, Equatable {
    public var concurrency: Int
    /// Seconds per project, from its first connection attempt to its last row.
    public var timeout: Double

    public init(concurrency: Int = 16, timeout: Double = 10) {
        self.concurrency = concurrency
        self.timeout = timeout
    }

    var engine: FanOut { FanOut(concurrency: concurrency, timeout: timeout) }
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
        case .timedOut(let seconds): "no answer within \(String(format: "%g", seconds)) s; check that the server is up, or raise --timeout"
        }
    }

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
