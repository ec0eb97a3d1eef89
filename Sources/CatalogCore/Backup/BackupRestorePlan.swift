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
    /// How the backup's server and lineage compare with the project's database, as the plan shows it.
    public var identityCheck: String
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
        ["verify the SHA-256 of \(backup.file)", identityCheck]
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

    /// The backup must be of this database: same server, same lineage. Backups recorded before catalog kept
    /// these (NULLs) cannot be checked, and the plan says so. A mismatch needs `--into-different-database`.
    static func identityCheck(project: String, backup: BackupRecord, facts: BackupRestoreFacts, options: RestoreOptions) throws -> String {
        guard backup.server != nil || backup.lineage != nil else {
            return "check the target: not possible, backup \(backup.id ?? 0) was taken before catalog recorded servers and lineages"
        }
        var mismatches: [String] = []
        if let server = backup.server, server != facts.server {
            mismatches.append("the backup was taken on server \(server), the database is on \(facts.server)")
        }
        if let lineage = backup.lineage, lineage != facts.incarnation.lineage {
            mismatches.append("the backup's lineage is \(lineage), the database's is \(facts.incarnation.lineage ?? "none")")
        }
        guard !mismatches.isEmpty else {
            guard let lineage = backup.lineage else {
                return "check the target: server \(facts.server) matches the backup's (the backup has no lineage: its database had no _metadata)"
            }
            return "check the target: server \(facts.server) and lineage \(lineage) match the backup's"
        }
        guard options.intoDifferentDatabase else {
            throw CatalogError(
                .refused,
                "backup \(backup.id ?? 0) of project \"\(project)\" is not of database \"\(facts.database)\": \(mismatches.joined(separator: "; ")); nothing was changed",
                remedy: .allowDifferentDatabase(project: project))
        }
        return "restore into a different database, as allowed: \(mismatches.joined(separator: "; "))"
    }

    /// The original's privileges (`datacl`, when not the default) and comment, set on the new database.
    static func accessStatements(_ facts: BackupRestoreFacts, database: String, quoting: Quoting) throws -> [String] {
        let target = try quoting.identifier(database)
        var statements: [String] = []
        if let grants = facts.grants {
            statements.append("REVOKE ALL ON DATABASE \(target) FROM PUBLIC")
            statements.append("REVOKE ALL ON DATABASE \(target) FROM \(try quoting.identifier(facts.owner))")
            var order: [BackupRestoreFacts.Grant] = []
            var privileges: [String: [String]] = [:]
            for grant in grants {
                let key = "\(grant.grantee ?? "")/\(grant.grantable)"
                if privileges[key] == nil { order.append(grant) }
                privileges[key, default: []].append(grant.privilege)
            }
            for grant in order {
                let grantee = try grant.grantee.map(quoting.identifier) ?? "PUBLIC"
                let list = privileges["\(grant.grantee ?? "")/\(grant.grantable)", default: []].joined(separator: ", ")
                statements.append("GRANT \(list) ON DATABASE \(target) TO \(grantee)\(grant.grantable ? " WITH GRANT OPTION" : "")")
            }
        }
        if let comment = facts.comment {
            statements.append("COMMENT ON DATABASE \(target) IS \(try quoting.literal(comment))")
        }
        return statements
    }

    /// Builds the plan from what the server said; pure, so it can be tested without a server.
    static func make(
        project: String, backup: BackupRecord, facts: BackupRestoreFacts, options: RestoreOptions, now: Date, quoting: Quoting
    ) throws -> RestorePlan {
        let temporary = BackupRestoreNames.temporary(facts.database, at: now, taken: facts.existingNames)
        let aside = BackupRestoreNames.setAside(facts.database, at: now, taken: facts.existingNames.union([temporary]))
        let id = quoting.identifier
        let literal = quoting.literal
        let create = try CreateDatabaseStatement(
            name: temporary, owner: facts.owner, template: "template0", encoding: facts.encoding, collate: facts.collate,
            ctype: facts.ctype, localeProvider: facts.localeProvider, providerLocale: facts.providerLocale,
            connectionLimit: facts.connectionLimit
        ).sql(quoting)
        let settings = try facts.settings.map { setting in
            let target = try setting.role.map { "ROLE \(try id($0)) IN DATABASE" } ?? "DATABASE"
            let values = try setting.values.map(literal).joined(separator: ", ")
            return "ALTER \(target) \(try id(temporary)) SET \(try id(setting.name)) TO \(values)"
        }
        var swap: [String] = []
        if options.terminateConnections {
            swap.append(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(try literal(facts.database)) AND pid <> pg_backend_pid()")
        }
        swap.append("ALTER DATABASE \(try id(facts.database)) RENAME TO \(try id(aside))")
        swap.append("ALTER DATABASE \(try id(temporary)) RENAME TO \(try id(facts.database))")
        let leftovers = BackupRestoreNames.leftovers(of: facts.database, among: facts.existingNames)
        let identityCheck = try Self.identityCheck(project: project, backup: backup, facts: facts, options: options)
        return RestorePlan(
            project: project, backup: backup, database: facts.database, temporaryDatabase: temporary, leftovers: leftovers,
            setAsideDatabase: aside, otherSessions: facts.otherSessions, terminateConnections: options.terminateConnections,
            dropOld: options.dropOld, identityCheck: identityCheck,
            dropLeftoverStatements: try leftovers.map { "DROP DATABASE IF EXISTS \(try id($0))" },
            createStatements: [create] + settings + (try accessStatements(facts, database: temporary, quoting: quoting)), swapStatements: swap,
            dropOldStatement: options.dropOld ? "DROP DATABASE \(try id(aside))" : nil,
            dropTemporaryStatement: "DROP DATABASE IF EXISTS \(try id(temporary)) WITH (FORCE)")
    }
}
