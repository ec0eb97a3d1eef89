import CatalogStore
import Foundation
import PostgresClient

/// A `project rename` worked out before anything changes.
public struct RenamePlan: Sendable, Equatable {
    public var project: String
    public var newName: String
    /// The database and its new name, with `--database`; nil renames only the registry entry.
    public var database: String?
    public var newDatabase: String?
    public var server: String
    /// Other sessions on the database, by `application_name`, when the plan was made.
    public var sessions: [String]
    public var terminateConnections: Bool
    /// Run from the maintenance database inside the store's transaction: ending sessions, then the rename.
    public var statements: [String]
    /// Renames the database back when the store cannot commit.
    var undoStatement: String?

    public var steps: [String] {
        var steps: [String] = []
        if let database {
            steps.append(
                sessions.isEmpty
                    ? "no other sessions on \(database)"
                    : "other sessions on \(database): \(sessions.joined(separator: ", "))\(terminateConnections ? " (terminated)" : "")")
            steps.append(
                "record the rename (the database's OID and lineage) in the store, so a run killed after ALTER DATABASE is completed by the next command on \(project)"
            )
        }
        steps.append("BEGIN (store): rename project \(project) to \(newName), with its backups, set-aside databases, exports and attachments")
        if let newDatabase {
            steps += statements
            steps.append("point project \(newName)'s DSN at \(newDatabase)")
        }
        steps.append("COMMIT (store); if it fails, the database is renamed back")
        return steps
    }
}

extension Catalog {
    /// Plans a rename: checks the names and lists the sessions that would block renaming the database.
    public func planRename(
        _ name: String, to newName: String, renameDatabase: Bool, terminateConnections: Bool, options: LifecycleOptions = LifecycleOptions()
    ) throws -> RenamePlan {
        try ProjectName.validate(newName)
        let settled = settleLifecycle(project: name, connectTimeout: options.connectTimeout)
        guard let project = try wrapped({ try store.project(named: name) }) else {
            // A killed run of this rename, completed just now, is reported as such.
            if !settled.isEmpty { throw CatalogError(.conflict, "\(settled.joined(separator: "; ")); nothing else was changed") }
            throw CatalogError.unknownProject(name)
        }
        if try wrapped({ try store.project(named: newName) }) != nil {
            throw CatalogError(
                .alreadyExists, "project \"\(newName)\" is already registered; nothing was changed", remedy: .store(.renameOrRemoveProject(newName)))
        }
        var plan = RenamePlan(
            project: name, newName: newName, database: nil, newDatabase: nil, server: project.server, sessions: [],
            terminateConnections: terminateConnections, statements: [], undoStatement: nil)
        guard renameDatabase else { return plan }
        let connection = try project.connectionString()
        let database = connection.databaseName ?? name
        let newDatabase = "\(newName)_db"
        try CreatePlanner.checkDatabaseName(newDatabase, project: newName)
        try wrapped(project: name) {
            let maintenance = try BackupMaintenanceConnection.open(connection, connectTimeout: options.connectTimeout)
            let names = Set(try maintenance.query("SELECT datname FROM pg_database").records.compactMap { $0["datname"] })
            guard names.contains(database) else {
                throw CatalogError(.notFound, "database \"\(database)\" was not found on \(project.server)", remedy: .checkProjectDSN)
            }
            guard !names.contains(newDatabase) else {
                throw CatalogError(.alreadyExists, "database \"\(newDatabase)\" already exists on \(project.server); nothing was changed")
            }
            let sessions = try BackupMaintenanceConnection.otherSessionsByApplication(on: maintenance, database: database)
            plan.sessions = sessions.map { "'\($0.application)' \($0.sessions)" }
            if !sessions.isEmpty && !terminateConnections {
                throw CatalogError(
                    .conflict,
                    "\(sessions.reduce(0) { $0 + $1.sessions }) other session(s) are connected to database \"\(database)\" (by application_name: \(plan.sessions.joined(separator: ", "))); nothing was changed",
                    remedy: .terminateOtherSessions)
            }
            let id = maintenance.quoteIdentifier
            if terminateConnections {
                plan.statements.append(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(try maintenance.quoteLiteral(database)) AND pid <> pg_backend_pid()"
                )
            }
            plan.statements.append("ALTER DATABASE \(try id(database)) RENAME TO \(try id(newDatabase))")
            plan.undoStatement = "ALTER DATABASE \(try id(newDatabase)) RENAME TO \(try id(database))"
        }
        plan.database = database
        plan.newDatabase = newDatabase
        return plan
    }

    /// Renames the registry entry and, with `--database`, the database, together or neither: the database
    /// is renamed inside the store's transaction, which then commits (or the database is renamed back).
    /// The rename is recorded first, so a run killed between the two is completed by the next command on
    /// the project (see `settleLifecycle`).
    @discardableResult
    public func rename(_ plan: RenamePlan, options: LifecycleOptions = LifecycleOptions()) throws -> Project {
        let project = try project(named: plan.project)
        let connection = try project.connectionString()
        let maintenance = try plan.newDatabase.map { _ in
            try wrapped(project: plan.project) { try BackupMaintenanceConnection.open(connection, connectTimeout: options.connectTimeout) }
        }
        let dsn = plan.newDatabase.map { connection.replacing("dbname", with: $0).raw }
        let detail = plan.newDatabase.map { "to \(plan.newName); database \(plan.database ?? "") renamed to \($0)" } ?? "to \(plan.newName)"
        var token: String?
        if let maintenance, let database = plan.database, let newDatabase = plan.newDatabase {
            let runToken = UUID().uuidString.lowercased()
            try wrapped(project: plan.project) {
                let incarnation = try Self.incarnation(of: connection, connectTimeout: options.connectTimeout)
                try LifecycleLock.lockRun(maintenance, token: runToken)
                try store.insertLifecycleIntent(
                    LifecycleIntent(
                        operation: "rename", project: plan.project, server: maintenance.serverAddress, dsn: connection.raw,
                        databaseName: database, incarnation: incarnation.description, newName: plan.newName, newDatabase: newDatabase,
                        token: runToken))
            }
            token = runToken
        }
        defer {
            if let maintenance, let token { try? LifecycleLock.unlockRun(maintenance, token: token) }
        }
        var renamed = false
        do {
            return try wrapped {
                try store.renameProject(
                    from: plan.project, to: plan.newName, dsn: dsn, intent: token,
                    audit: AuditEntry(action: "project.rename", target: plan.project, result: "ok", detail: detail),
                    beforeCommit: {
                        guard let maintenance else { return }
                        for statement in plan.statements { try maintenance.execute(script: statement) }
                        renamed = true
                    })
            }
        } catch {
            if renamed, let undo = plan.undoStatement { try? maintenance?.execute(script: undo) }
            if let token { try? store.deleteLifecycleIntent(token: token) }
            let failure = CatalogError.wrap(error, project: plan.project)
            throw CatalogError(failure.code, "\(failure.message); nothing was renamed", remedy: failure.remedy)
        }
    }
}
