import PostgresClient

/// How one project's part of a fan-out ended, in words for people and scripts. A failure says what
/// happened (`message`) and, as a value, what to do next (`remedy`): the CLI and the API word the
/// remedy in their own terms (`--timeout` for the one, serve's `--query-timeout` for the other), so
/// the library names no flag.
public enum ProjectOutcome: Sendable, Equatable {
    case ok
    case failed(String, remedy: CatalogError.Remedy? = nil)
    /// No answer within the timeout (seconds); `detail` says what the project was waiting for, when known.
    case timedOut(Double, detail: String? = nil)
    case skipped(String, remedy: CatalogError.Remedy? = nil)

    /// `ok`, `failed`, `timed_out` or `skipped`.
    public var label: String {
        switch self {
        case .ok: "ok"
        case .failed: "failed"
        case .timedOut: "timed_out"
        case .skipped: "skipped"
        }
    }

    /// What happened, without what to do next; nil for `ok`.
    public var message: String? {
        switch self {
        case .ok: nil
        case .failed(let message, _), .skipped(let message, _): message
        case .timedOut(let seconds, let detail?): "timed out after \(String(format: "%g", seconds)) s: \(detail)"
        case .timedOut(let seconds, nil): "no answer within \(String(format: "%g", seconds)) s"
        }
    }

    /// What to do next, for a front end to word; nil when there is nothing to suggest.
    public var remedy: CatalogError.Remedy? {
        switch self {
        case .ok: nil
        case .failed(_, let remedy), .skipped(_, let remedy): remedy
        case .timedOut(_, .some): .endSessionOrRaiseTimeout
        case .timedOut(_, nil): .checkServerOrRaiseTimeout
        }
    }

    /// The message and the remedy in one line, the remedy worded by `advice` (a front end's words).
    public func reason(advice: (CatalogError.Remedy) -> String) -> String? {
        guard let message else { return nil }
        guard let remedy else { return message }
        return "\(message); \(advice(remedy))"
    }

    /// A failure from an error: its message and its remedy.
    static func failed(_ error: CatalogError) -> ProjectOutcome {
        .failed(error.message, remedy: error.remedy)
    }

    /// True for `ok`.
    public var isOK: Bool { self == .ok }

    init(_ outcome: FanOutOutcome, timeout: Double, hint: ((PostgresError) -> (detail: String, remedy: CatalogError.Remedy)?)? = nil) {
        switch outcome {
        case .ok: self = .ok
        case .timedOut: self = .timedOut(timeout)
        case .failed(let error):
            let (text, remedy) = PostgresAdvice.explained(error)
            if let (detail, hinted) = hint?(error) {
                self = .failed("\(text); \(detail)", remedy: hinted)
            } else {
                self = .failed(text, remedy: remedy)
            }
        }
    }
}
