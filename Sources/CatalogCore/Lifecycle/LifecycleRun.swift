import CatalogStore
import Foundation
import PostgresClient

/// The half of `project create` and `project clone` that makes the database: under the server's create
/// lock, drop what killed runs left, check the names again, record the run, run `CREATE DATABASE` and
/// comment it with the run's token; fill it (bounded by `--timeout`, outside the lock); rename it under
/// the lock again; register. Any failure drops the database it made and forgets the record.
struct LifecycleRun: Sendable, Equatable {
    /// `create` or `clone`.
    var operation: String
    var project: String
    /// The server, as `host:port`, for messages.
    var server: String
    var database: String
    var temporaryDatabase: String
    var token: String
    var createStatement: String
    var commentStatement: String
    var renameStatement: String
    var dropTemporaryStatement: String
    var dropDatabaseStatement: String

    /// The steps every run shows before its own work in the temporary database: the server's lock, the
    /// record, `CREATE DATABASE` and the comment that marks the database as this run's.
    var openingSteps: [String] {
        [
            "wait for server \(server)'s create lock (runs that make databases on one server take turns; the wait is not part of the timeout)",
            "record the \(operation) in the store, so a killed run's database is dropped by the next run on this server",
            createStatement,
            commentStatement,
        ]
    }

    /// The step that gives the database its final name, once it is filled.
    var closingStep: String { renameStatement }

    /// The comment a database made by a run carries, so the next run knows it as this run's.
    static func comment(operation: String, token: String) -> String { "catalog project \(operation) \(token)" }

    /// What every lifecycle run names, from the plan's names and the server's quoting.
    static func make(
        operation: String, project: String, server: String, database: String, temporaryDatabase: String, token: String,
        createStatement: String, quoting: RestorePlan.Quoting
    ) throws -> LifecycleRun {
        let id = quoting.identifier
        return LifecycleRun(
            operation: operation, project: project, server: server, database: database, temporaryDatabase: temporaryDatabase, token: token,
            createStatement: createStatement,
            commentStatement:
                "COMMENT ON DATABASE \(try id(temporaryDatabase)) IS \(try quoting.literal(comment(operation: operation, token: token)))",
            renameStatement: "ALTER DATABASE \(try id(temporaryDatabase)) RENAME TO \(try id(database))",
            dropTemporaryStatement: "DROP DATABASE IF EXISTS \(try id(temporaryDatabase)) WITH (FORCE)",
            dropDatabaseStatement: "DROP DATABASE IF EXISTS \(try id(database)) WITH (FORCE)")
    }
}

/// How long a run waited for the server's lock, and what it cleaned up first.
struct LifecycleRunReport: Sendable {
    var lockWaitSeconds: Double
    var cleanedUp: [String]
}

extension Catalog {
    /// Carries out `run` on the server `connection` reaches: `fill` gets the temporary database's
    /// connection string, `register` records the project once the database has its name.
    func carryOut(
        _ run: LifecycleRun, on connection: ConnectionString, connectTimeout: Int,
        fill: (ConnectionString) throws -> Void, register: () throws -> Void
    ) throws -> LifecycleRunReport {
        let maintenance = try wrapped(project: run.project) {
            try BackupMaintenanceConnection.open(connection, connectTimeout: connectTimeout)
        }
        var lockWait = try wrapped { try LifecycleLock.lockServer(maintenance) }
        let cleaned = try dropLeftovers(on: maintenance)
        try checkStillFree(run, on: maintenance)
        try wrapped {
            try LifecycleLock.lockRun(maintenance, token: run.token)
            try store.insertPendingLifecycle(
                PendingLifecycle(
                    operation: run.operation, project: run.project, server: maintenance.serverAddress, dsn: maintenance.connectionString.raw,
                    databaseName: run.database, temporaryDatabase: run.temporaryDatabase, token: run.token))
        }
        var renamed = false
        do {
            try maintenance.execute(script: run.createStatement)
            try maintenance.execute(script: run.commentStatement)
            try LifecycleLock.unlockServer(maintenance)
            try fill(connection.replacing("dbname", with: run.temporaryDatabase))
            lockWait += try LifecycleLock.lockServer(maintenance)
            try maintenance.execute(script: run.renameStatement)
            renamed = true
            try register()
        } catch {
            try? maintenance.execute(script: renamed ? run.dropDatabaseStatement : run.dropTemporaryStatement)
            try? store.deletePendingLifecycle(token: run.token)
            let failure = CatalogError.wrap(error)
            audit("project.\(run.operation)", target: run.project, result: "failed", detail: failure.message)
            throw CatalogError(
                failure.code,
                "project \"\(run.project)\": making database \"\(run.database)\" failed: \(failure.message); the new database was dropped and nothing was registered",
                remedy: failure.remedy)
        }
        try? LifecycleLock.unlockRun(maintenance, token: run.token)
        try? LifecycleLock.unlockServer(maintenance)
        return LifecycleRunReport(lockWaitSeconds: lockWait, cleanedUp: cleaned)
    }

    /// Under the server's create lock: the final and temporary names must still be free.
    private func checkStillFree(_ run: LifecycleRun, on maintenance: Connection) throws {
        let names = Set(try wrapped { try maintenance.query("SELECT datname FROM pg_database").records.compactMap { $0["datname"] } })
        if names.contains(run.database) {
            throw CatalogError(
                .alreadyExists, "database \"\(run.database)\" already exists on \(run.server); nothing was changed",
                remedy: .chooseDatabaseName(example: "\(run.project)_new_db"))
        }
        if names.contains(run.temporaryDatabase) {
            throw CatalogError(
                .conflict, "database \"\(run.temporaryDatabase)\" appeared on \(run.server) since the plan was made; nothing was changed")
        }
    }

    /// Drops what killed lifecycle runs on this server left, and forgets their records. A record whose run
    /// still holds its lock is another command at work and is left alone. Only a database the record names
    /// is dropped: the temporary one (its name is the run's own), or the final one when its comment
    /// carries the record's token. Returns the names dropped.
    func dropLeftovers(on maintenance: Connection) throws -> [String] {
        let records = try wrapped { try store.pendingLifecycle(server: maintenance.serverAddress) }
        var dropped: [String] = []
        for record in records {
            guard try wrapped({ try LifecycleLock.tryLockRun(maintenance, token: record.token) }) else { continue }
            defer { try? LifecycleLock.unlockRun(maintenance, token: record.token) }
            let present = try wrapped {
                try maintenance.query(
                    "SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1 OR datname = $2",
                    [record.temporaryDatabase, record.databaseName]
                ).records
            }
            var droppedHere: [String] = []
            for row in present {
                guard let name = row["datname"] else { continue }
                let ours =
                    name == record.temporaryDatabase || row["comment"] == LifecycleRun.comment(operation: record.operation, token: record.token)
                guard ours else { continue }
                try wrapped { try maintenance.execute(script: "DROP DATABASE IF EXISTS \(try maintenance.quoteIdentifier(name)) WITH (FORCE)") }
                droppedHere.append(name)
            }
            try wrapped { try store.deletePendingLifecycle(token: record.token) }
            audit(
                "project.\(record.operation)", target: record.project, result: "cleaned",
                detail: droppedHere.isEmpty ? "nothing was left" : "dropped \(droppedHere.joined(separator: ", "))")
            dropped += droppedHere
        }
        return dropped
    }
}
