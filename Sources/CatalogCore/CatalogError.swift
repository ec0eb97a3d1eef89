import CatalogStore
import PostgresClient

/// An error a user sees: one line that says what went wrong and what to do next.
public struct CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    static func unknownProject(_ name: String) -> CatalogError {
        CatalogError("project \"\(name)\" is not registered; run 'catalog project list' to see the registered ones, or 'catalog project add \(name) --dsn …'")
    }

    static func noProjectsSelected() -> CatalogError {
        CatalogError("no project selected; name one or more projects, or pass --all")
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
            return text + "; the server did not answer in time; check that it is up, or raise --timeout (--query-timeout for catalog serve)"
        }
        if error.sqlState == "42501" {
            return text + "; connect as a role that has the privilege, or ask the database owner to grant it"
        }
        return text
    }
}
