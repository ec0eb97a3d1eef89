import CatalogStore
import PostgresClient

/// An error a user sees: one line that says what went wrong and what to do next, and a code that
/// callers match on (as postgres-nio's `PSQLError.Code` and GRDB's `ResultCode` are matched on):
/// the HTTP layer turns the code into a status, the CLI into an exit status.
public struct CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is, for callers that react to it.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// A named project, definition, backup or file does not exist.
        case notFound = "not_found"
        /// Something by that name exists already.
        case alreadyExists = "already_exists"
        /// The request contradicts the current state (an attachment, a lock, a running command).
        case conflict
        /// A reviewed plan no longer matches what would be done now.
        case planChanged = "plan_changed"
        /// catalog will not do this without an explicit opt-in (a destructive step, an unsafe path).
        case refused
        /// The input itself is wrong (a malformed name, pattern, file or value).
        case badInput = "bad_input"
        /// A server could not be reached or refused the credentials.
        case unreachable
        /// No answer within the time allowed.
        case timedOut = "timed_out"
        /// Anything else.
        case failed
    }

    public var code: Code
    public var message: String
    /// The facts behind the message (such as a plan's expected and current hash), for callers that
    /// phrase their own advice: the CLI names its commands and flags, the API its routes.
    public var facts: [String: String]
    /// What to do next, as a value: each front end words it in its own terms (the CLI names its
    /// commands and flags, the API its routes and body fields), so the message names neither.
    public var remedy: Remedy?

    /// An error of kind `failed`.
    public init(_ message: String) { self.init(.failed, message) }

    /// An error of a given kind.
    public init(_ code: Code, _ message: String, facts: [String: String] = [:], remedy: Remedy? = nil) {
        self.code = code
        self.message = message
        self.facts = facts
        self.remedy = remedy
    }

    /// An argument of the wrong form, such as an invalid name or a malformed `--from` (a usage error).
    public static func usage(_ message: String) -> CatalogError {
        CatalogError(.badInput, message)
    }

    public var description: String { message }

    static func unknownProject(_ name: String) -> CatalogError {
        CatalogError(.notFound, "project \"\(name)\" is not registered", remedy: .listOrRegisterProject(name))
    }

    static func unknownTag(_ tag: String, known: [String]) -> CatalogError {
        let shown = known.prefix(10).joined(separator: ", ") + (known.count > 10 ? ", …" : "")
        let tags = known.isEmpty ? "no project has a tag yet" : "the tags in use are \(shown)"
        return CatalogError(.notFound, "no registered project has the tag \"\(tag)\"; \(tags)", remedy: .listOrAddTag(tag))
    }

    static func noProjectsSelected() -> CatalogError {
        CatalogError(.badInput, "no project selected", remedy: .selectProjects)
    }

    static func noProjectsRegistered() -> CatalogError {
        CatalogError(.notFound, "no projects are registered", remedy: .registerFirstProject)
    }
}

extension CatalogError {
    /// Turns any error from a lower layer into a user-facing one, naming the project when there is one.
    public static func wrap(_ error: Error, project: String? = nil) -> CatalogError {
        let prefix = project.map { "project \"\($0)\": " } ?? ""
        switch error {
        case let error as CatalogError:
            return error
        case let error as StoreError:
            return CatalogError(Code(error.code), error.message, remedy: error.remedy.map(Remedy.store))
        case let error as PostgresError:
            let (text, remedy) = PostgresAdvice.explained(error)
            return CatalogError(Code(error), prefix + text, remedy: remedy)
        default:
            return CatalogError(prefix + "\(error)")
        }
    }
}

extension CatalogError.Code {
    /// The kind of a store error.
    init(_ code: StoreError.Code) {
        switch code {
        case .notFound: self = .notFound
        case .alreadyExists: self = .alreadyExists
        case .conflict, .busy: self = .conflict
        case .refused, .readOnly: self = .refused
        case .badInput: self = .badInput
        case .timedOut: self = .timedOut
        case .unreachable: self = .unreachable
        case .failed: self = .failed
        }
    }

    /// The kind of a PostgreSQL error: connection and authentication failures are `unreachable`.
    init(_ error: PostgresError) {
        switch error.kind {
        case .connection: self = .unreachable
        case .timeout: self = .timedOut
        case .clientLibrary: self = .failed
        case .query:
            switch error.sqlState {
            case SQLState.invalidPassword, SQLState.invalidCatalogName: self = .unreachable
            case SQLState.queryCanceled: self = .timedOut
            case SQLState.invalidRegularExpression: self = .badInput
            default: self = .failed
            }
        }
    }
}

/// Adds "what to do next" to the PostgreSQL errors users meet most.
enum PostgresAdvice {
    /// A `failed` error whose message `compose` builds around the PostgreSQL error's text, with its remedy.
    static func error(_ error: PostgresError, _ compose: (String) -> String) -> CatalogError {
        let (text, remedy) = explained(error)
        return CatalogError(.failed, compose(text), remedy: remedy)
    }

    /// The error's text with the advice that names no command, and the remedy for the rest.
    static func explained(_ error: PostgresError) -> (String, CatalogError.Remedy?) {
        let text = error.description
        let lowered = text.lowercased()
        if error.sqlState == SQLState.invalidPassword || lowered.contains("password authentication failed") {
            return (text + "; check the password in the DSN, your ~/.pgpass or PGPASSWORD", nil)
        }
        if error.sqlState == SQLState.invalidCatalogName || (lowered.contains("database") && lowered.contains("does not exist")) {
            return (text, .fixDatabaseName)
        }
        if error.kind == .timeout {
            return (text + "; the server did not answer in time", .checkServerOrRaiseTimeout)
        }
        if error.sqlState == SQLState.insufficientPrivilege {
            return (text + "; connect as a role that has the privilege, or ask the database owner to grant it", nil)
        }
        return (text, nil)
    }
}
