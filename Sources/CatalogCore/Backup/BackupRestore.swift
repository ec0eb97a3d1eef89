import CatalogStore
import CatalogSupport
import Foundation
import PostgresClient

/// How `backup restore` treats other sessions and the original database.
public struct RestoreOptions: Sendable, Equatable {
    /// End other sessions on the database at the swap instead of refusing.
    public var terminateConnections: Bool
    /// Drop the original database after the swap instead of keeping it set aside.
    public var dropOld: Bool
    /// Seconds to wait for each connection.
    public var connectTimeout: Int
    /// Restore even when the project's database has another lineage or is on another server than the backup's.
    public var intoDifferentDatabase: Bool
    /// The tools to run; nil finds them with `PgTools.locate()`.
    public var tools: PgTools?

    /// The defaults refuse while others are connected, refuse a database the backup was not taken of,
    /// and keep the original database aside.
    public init(
        terminateConnections: Bool = false, dropOld: Bool = false, connectTimeout: Int = 10,
        intoDifferentDatabase: Bool = false, tools: PgTools? = nil
    ) {
        self.terminateConnections = terminateConnections
        self.dropOld = dropOld
        self.intoDifferentDatabase = intoDifferentDatabase
        self.connectTimeout = connectTimeout
        self.tools = tools
    }
}

/// What a completed restore did.
public struct RestoreResult: Sendable, Equatable {
    /// The plan that ran.
    public var plan: RestorePlan
    /// The original database's new name, or nil when `--drop-old` dropped it.
    public var setAsideDatabase: String?
    /// How long the restore took, checksum to swap.
    public var seconds: Double
}

extension Catalog {
    /// Checks the backup's checksum and reads what the restore must copy; changes nothing.
    public func planRestore(
        project name: String, backupID: Int64, options: RestoreOptions = RestoreOptions(), now: Date = Date()
    ) throws -> RestorePlan {
        let project = try project(named: name)
        let backup = try backupRecord(id: backupID)
        guard backup.project == project.name else {
            throw CatalogError(
                .notFound, "backup \(backupID) is of project \"\(backup.project)\", not \"\(project.name)\"",
                remedy: .listBackups(project: project.name))
        }
        try Self.checkIntegrity(backup)
        return try wrapped(project: name) {
            let connectionString = try project.connectionString()
            // Read from the database itself, and closed again: the facts count the other sessions on it.
            let (database, server, incarnation) = try {
                let target = try Connection(connectionString, connectTimeout: options.connectTimeout)
                return (target.databaseName, target.serverAddress, try Incarnation.read(on: target))
            }()
            let maintenance = try BackupMaintenanceConnection.open(connectionString, connectTimeout: options.connectTimeout)
            let tools = options.tools ?? (try? PgTools.locate())
            if let problem = BackupVersionCheck.problem(
                dumpServerVersion: backup.serverVersion, targetServerVersion: Int(maintenance.serverVersion),
                toolsVersion: tools.flatMap(BackupVersionCheck.toolsVersion))
            {
                throw CatalogError(.refused, "project \"\(name)\": \(problem); nothing was changed")
            }
            let facts = try BackupRestoreFacts.read(on: maintenance, database: database, server: server, incarnation: incarnation)
            return try RestorePlan.make(
                project: name, backup: backup, facts: facts, options: options, now: now,
                quoting: RestorePlan.Quoting(maintenance))
        }
    }

    /// Restores into a fresh database and swaps it in only when the restore fully succeeded. Any
    /// failure before the swap leaves the original untouched and removes the temporary database.
    public func restore(_ plan: RestorePlan, options: RestoreOptions = RestoreOptions()) throws -> RestoreResult {
        let clock = ContinuousClock()
        let start = clock.now
        let tools = try options.tools ?? PgTools.locate()
        let project = try project(named: plan.project)
        let untouched = "the original database \"\(plan.database)\" was not touched"
        try Self.checkIntegrity(plan.backup)
        let connectionString = try project.connectionString()
        let maintenance = try wrapped(project: plan.project) {
            try BackupMaintenanceConnection.open(connectionString, connectTimeout: options.connectTimeout)
        }
        if let busy = try otherSessionsProblem(plan, on: maintenance) {
            throw CatalogError(.conflict, "project \"\(plan.project)\": \(busy); \(untouched)", remedy: .terminateOtherSessions)
        }
        for drop in plan.dropLeftoverStatements {
            do {
                try maintenance.execute(script: drop)
            } catch {
                let reason =
                    "could not drop a temporary database an interrupted restore left behind (is another restore of this project running?): \(CatalogError.wrap(error).message)"
                throw restoreFailure(plan, reason, untouched: untouched)
            }
        }
        do {
            try maintenance.execute(script: plan.createStatements[0])
        } catch {
            throw restoreFailure(plan, "could not create the temporary database: \(CatalogError.wrap(error).message)", untouched: untouched)
        }
        do {
            for statement in plan.createStatements.dropFirst() { try maintenance.execute(script: statement) }
            try runPgRestore(plan, tools: tools, connectionString: connectionString, timeout: options.connectTimeout)
            if let busy = try otherSessionsProblem(plan, on: maintenance) { throw CatalogError(.conflict, busy, remedy: .terminateOtherSessions) }
            try maintenance.transaction {
                for statement in plan.swapStatements { try maintenance.execute(script: statement) }
            }
        } catch {
            try? maintenance.execute(script: plan.dropTemporaryStatement)
            let failure = CatalogError.wrap(error)
            throw restoreFailure(plan, failure.message, untouched: untouched + " and the temporary database was removed", remedy: failure.remedy)
        }
        // The restored database publishes its own revision (the original's value was not copied).
        PublishedRevision.republish(connectionString, connectTimeout: options.connectTimeout)
        return try finishRestore(plan, on: maintenance, seconds: (clock.now - start).seconds)
    }

    /// Why the swap cannot go ahead while other sessions are connected, or nil when it can.
    private func otherSessionsProblem(_ plan: RestorePlan, on maintenance: Connection) throws -> String? {
        guard !plan.terminateConnections else { return nil }
        let byApplication = try wrapped(project: plan.project) {
            try BackupMaintenanceConnection.otherSessionsByApplication(on: maintenance, database: plan.database)
        }
        let sessions = byApplication.reduce(0) { $0 + $1.sessions }
        guard sessions > 0 else { return nil }
        let names = byApplication.map { "'\($0.application)' \($0.sessions)" }.joined(separator: ", ")
        var message = "\(sessions) other session(s) are connected to database \"\(plan.database)\" (by application_name: \(names))"
        if byApplication.contains(where: { $0.application == WarmPool.applicationName }) {
            message += "; catalog serve's warm pool lets go with 'POST /api/v1/projects/\(plan.project)/release?hold_seconds=300'"
        }
        return message
    }

    private func runPgRestore(_ plan: RestorePlan, tools: PgTools, connectionString: ConnectionString, timeout: Int) throws {
        let tool = BackupToolConnection(connectionString.replacing("dbname", with: plan.temporaryDatabase), connectTimeout: timeout)
        let outcome = try ChildProcess(
            tools.pgRestore,
            [
                "--single-transaction", "--exit-on-error", "--no-password", tool.dbnameArgument, plan.backup.file,
            ], environment: tool.environment
        ).run()
        guard outcome.status == 0 else {
            throw CatalogError("pg_restore failed: \(PgTools.summary(outcome.stderr))")
        }
    }

    private func restoreFailure(_ plan: RestorePlan, _ reason: String, untouched: String, remedy: CatalogError.Remedy? = nil) -> CatalogError {
        audit("backup.restore", target: plan.project, result: "failed", detail: reason)
        return CatalogError(
            .failed, "project \"\(plan.project)\": restoring backup \(plan.backup.id ?? 0) failed: \(reason); \(untouched)", remedy: remedy)
    }

    private func finishRestore(_ plan: RestorePlan, on maintenance: Connection, seconds: Double) throws -> RestoreResult {
        // The database is another incarnation now: its index copy must not be served again.
        try wrapped { try store.invalidateIndex(project: plan.project) }
        let aside = try wrapped {
            try store.insertSetAside(
                SetAsideDatabase(
                    project: plan.project, databaseName: plan.setAsideDatabase,
                    backupID: plan.backup.id, createdAt: Date()))
        }
        var result = RestoreResult(plan: plan, setAsideDatabase: plan.setAsideDatabase, seconds: seconds)
        if let drop = plan.dropOldStatement, let id = aside.id {
            do {
                try maintenance.execute(script: drop)
                try wrapped { try store.markSetAsideDropped(id: id) }
                result.setAsideDatabase = nil
            } catch {
                throw CatalogError(
                    .failed,
                    "project \"\(plan.project)\": the backup was restored, but the old database \"\(plan.setAsideDatabase)\" could not be dropped: \(CatalogError.wrap(error).message)",
                    remedy: .pruneSetAsideLater)
            }
        }
        audit(
            "backup.restore", target: plan.project, result: "ok",
            detail: "backup \(plan.backup.id ?? 0); old database \(result.setAsideDatabase ?? "dropped")")
        return result
    }
}
