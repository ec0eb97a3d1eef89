import CatalogStore
import PostgresClient

/// An error a user sees: one line that says what went wrong and what to do next.
public struct CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Whether the command could not run, or was given wrong arguments.
    public enum Kind: Sendable, Equatable {
        /// The command could not run: an unknown project, a bad file, a store problem (exit 2).
        case failure
        /// An argument has the wrong form, judged without reading anything (exit 64, a usage error).
        case usage
    }

    public var message: String
    public var kind: Kind

    public init(_ message: String, kind: Kind = .failure) {
        self.message = message
        self.kind = kind
    }

    /// An argument of the wrong form, such as an invalid name or a malformed `--from`.
    public static func usage(_ message: String) -> CatalogError {
        CatalogError(message, kind: .usage)
    }

    public var description: String { message }

    static func unknownProject(_ name: String) -> CatalogError {
        CatalogError("project \"\(name)\" is not registered; run 'catalog project list' to see the registered ones, or 'catalog project add \(name) --dsn …'")
    }

    static func unknownTag(_ tag: String, known: [String]) -> CatalogError {
        let shown = known.prefix(10).joined(separator: ", ") + (known.count > 10 ? ", …" : "")
        let tags = known.isEmpty ? "no project has a tag yet" : "the tags in use are \(shown)"
        return CatalogError("no registered project has the tag \"\(tag)\"; \(tags); run 'catalog project list' to see them, or add it with 'catalog project update NAME --tag \(tag)'")
    }

    static func noProjectsSelected() -> CatalogError {
        CatalogError.usage("no project selected; name one or more projects, or pass --all")
    }

    static func noProjectsRegistered() -> CatalogError {
        CatalogError("no projects are registered; add one with 'catalog project add NAME --dsn …'")
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
            return CatalogError(error.message)
        case let error as PostgresError:
            return CatalogError(prefix + PostgresAdvice.explain(error))
        default:
            return CatalogError(prefix + "\(error)")
        }
    }
}

/// Adds "what to do next" to the PostgreSQL errors users meet most.
enum PostgresAdvice {
    static func explain(_ error: PostgresError) -> String {
        let text = error.description
        let lowered = text.lowercased()
        if error.sqlState == "28P01" || lowered.contains("password authentication failed") {
            return text + "; check the password in the DSN, your ~/.pgpass or PGPASSWORD"
        }
        if error.sqlState == "3D000" || (lowered.contains("database") && lowered.contains("does not exist")) {
            return text + "; create the database, or fix the dbname in the DSN with 'catalog project add'"
        }
        if error.kind == .timeout {
            return text + "; the server did not answer in time; check that it is up, or raise --timeout"
        }
        if error.sqlState == "42501" {
            return text + "; connect as a role that has the privilege, or ask the database owner to grant it"
        }
        return text
    }
}
