import CatalogStore
import Foundation
import PostgresClient

/// A restore worked out before anything changes: the checked backup, the database names, and every
/// statement, so `--plan` can print exactly what `restore` will run.
public struct RestorePlan: Sendable, Equatable {
    /// The project restored.
    public var project: String
    /// The backup restored, its checksum already verified.
    public var backup: BackupRecord
    /// The project's database, replaced by the restored copy.
    public var database: String
    /// Where the backup is restored first; it takes the database's name only after a complete restore.
    public var temporaryDatabase: String
    /// Temporary databases that interrupted restores of this database left behind; dropped first.
    public var leftovers: [String]
    /// The name the original database keeps afterwards.
    public var setAsideDatabase: String
    /// Sessions other than catalog's connected to the database when the plan was made.
    public var otherSessions: Int
    /// End other sessions at the swap instead of refusing.
    public var terminateConnections: Bool
    /// Drop the original after the swap instead of keeping it aside.
    public var dropOld: Bool
    /// `DROP DATABASE` for each leftover. Without FORCE: a leftover still in use (a restore that is
    /// still running) makes this restore stop instead.
    public var dropLeftoverStatements: [String]
    /// `CREATE DATABASE` for the temporary database, then its copied settings; run from the maintenance database.
    public var createStatements: [String]
    /// Both renames (after ending other sessions, when asked), run in one transaction from the maintenance database.
    public var swapStatements: [String]
    /// `DROP DATABASE` for the original, with `--drop-old`.
    public var dropOldStatement: String?
    /// Removes the temporary database after a failure.
    var dropTemporaryStatement: String

    /// Every step in order, as `--plan` prints it.
    public var steps: [String] {
        ["verify the SHA-256 of \(backup.file)"]
            + dropLeftoverStatements
            + createStatements
            + ["pg_restore --single-transaction --exit-on-error --dbname=<project DSN with dbname=\(temporaryDatabase)> \(backup.file)"]
            + ["BEGIN"] + swapStatements + ["COMMIT"]
            + (dropOldStatement.map { [$0] } ?? [])
    }

    /// How identifiers and literals are quoted: the maintenance connection's `quoteIdentifier` and `quoteLiteral`.
    struct Quoting {
        var identifier: (String) throws -> String
        var literal: (String) throws -> String

        init(identifier: @escaping (String) throws -> String, literal: @escaping (String) throws -> String) {
            self.identifier = identifier
            self.literal = literal
        }

        init(_ connection: Connection) {
            self.init(identifier: connection.quoteIdentifier, literal: connection.quoteLiteral)
        }
    }

    /// ` LOCALE_PROVIDER = icu ICU_LOCALE = '…'` (or `builtin`) for a database whose locale does not
    /// come from libc, else nothing. Restores and imports both create databases with it.
    static func localeProviderClause(_ provider: String, locale: String?, literal: (String) throws -> String) throws -> String {
        guard let locale, ["icu", "builtin"].contains(provider) else { return "" }
        return " LOCALE_PROVIDER = \(provider) \(provider.uppercased())_LOCALE = \(try literal(locale))"
    }

    /// Builds the plan from what the server said; pure, so it can be tested without a server.
    static func make(
        project: String, backup: BackupRecord, facts: BackupRestoreFacts, options: RestoreOptions, now: Date, quoting: Quoting
    ) throws -> RestorePlan {
        let temporary = BackupRestoreNames.temporary(facts.database, at: now, taken: facts.existingNames)
        let aside = BackupRestoreNames.setAside(facts.database, at: now, taken: facts.existingNames.union([temporary]))
        let id = quoting.identifier
        let literal = quoting.literal
        var create = "CREATE DATABASE \(try id(temporary)) WITH OWNER = \(try id(facts.owner)) TEMPLATE = template0"
            + " ENCODING = \(try literal(facts.encoding)) LC_COLLATE = \(try literal(facts.collate)) LC_CTYPE = \(try literal(facts.ctype))"
        create += try Self.localeProviderClause(facts.localeProvider, locale: facts.providerLocale, literal: literal)
        if facts.connectionLimit != -1 { create += " CONNECTION LIMIT = \(facts.connectionLimit)" }
        let settings = try facts.settings.map { setting in
            let target = try setting.role.map { "ROLE \(try id($0)) IN DATABASE" } ?? "DATABASE"
            let values = try setting.values.map(literal).joined(separator: ", ")
            return "ALTER \(target) \(try id(temporary)) SET \(try id(setting.name)) TO \(values)"
        }
        var swap: [String] = []
        if options.terminateConnections {
            swap.append("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(try literal(facts.database)) AND pid <> pg_backend_pid()")
        }
        swap.append("ALTER DATABASE \(try id(facts.database)) RENAME TO \(try id(aside))")
        swap.append("ALTER DATABASE \(try id(temporary)) RENAME TO \(try id(facts.database))")
        let leftovers = BackupRestoreNames.leftovers(of: facts.database, among: facts.existingNames)
        return RestorePlan(
            project: project, backup: backup, database: facts.database, temporaryDatabase: temporary, leftovers: leftovers,
            setAsideDatabase: aside, otherSessions: facts.otherSessions, terminateConnections: options.terminateConnections,
            dropOld: options.dropOld, dropLeftoverStatements: try leftovers.map { "DROP DATABASE IF EXISTS \(try id($0))" },
            createStatements: [create] + settings, swapStatements: swap,
            dropOldStatement: options.dropOld ? "DROP DATABASE \(try id(aside))" : nil,
            dropTemporaryStatement: "DROP DATABASE IF EXISTS \(try id(temporary)) WITH (FORCE)")
    }
}
