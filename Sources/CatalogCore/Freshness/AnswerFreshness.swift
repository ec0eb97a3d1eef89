/// How a project's part of an answer was known to be fresh.
public enum AnswerFreshness: String, Sendable, Equatable {
    /// The server's published revision (`catalog.revision`, one query per server) matched the index's
    /// copy, so the index answered without connecting to the project.
    case serverSignal = "server_signal"
    /// The project's database was read just now.
    case projectRead = "project_read"
    /// `catalog serve` answered from memory, kept fresh by its background check (one revision query
    /// per server, at most the refresh interval ago); nothing was checked for this request.
    case backgroundCheck = "background_check"
    /// Only the index answered (`--cached`); nothing was checked.
    case indexOnly = "index_only"
}
