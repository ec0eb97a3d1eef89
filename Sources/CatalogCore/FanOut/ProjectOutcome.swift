import PostgresClient

/// How one project's part of a fan-out ended, in words for people and scripts.
public enum ProjectOutcome: Sendable, Equatable {
    case ok
    case failed(String)
    /// No answer within the timeout (seconds); `detail` says what the project was waiting for, when known.
    case timedOut(Double, detail: String? = nil)
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
        case .timedOut(let seconds, let detail?):
            "timed out after \(String(format: "%g", seconds)) s: \(detail); end that session, or raise --timeout (--query-timeout for catalog serve)"
        case .timedOut(let seconds, nil):
            "no answer within \(String(format: "%g", seconds)) s; check that the server is up, or raise --timeout (--query-timeout for catalog serve)"
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
