import CatalogStore
import CatalogSupport
import Crypto
import Foundation
import PostgresClient

/// A `project archive` worked out before anything changes. Destructive: it needs `--yes`, and the API
/// takes the `hash` of the plan it was shown.
public struct ArchivePlan: Sendable, Equatable {
    public var project: String
    public var database: String
    public var server: String
    public var backupDirectory: String
    /// The database's size, and the space free where the backup goes (the dump is at most about as big).
    public var sizeBytes: Int64
    public var freeBytes: Int64
    /// Where the backup is restored to be checked; dropped afterwards.
    public var verifyDatabase: String
    public var createVerifyStatement: String
    public var dropVerifyStatement: String
    public var dropStatement: String

    public var steps: [String] {
        [
            "backup create \(project) into \(backupDirectory) (database \(sizeBytes) bytes, \(freeBytes) bytes free)",
            "record the archive (the backup's id and SHA-256, the database's OID, \(verifyDatabase)) in the store, so the next command on \(project) drops what a killed run left and completes one killed after the drop",
            createVerifyStatement,
            "pg_restore --single-transaction --exit-on-error the backup into \(verifyDatabase)",
            "compare every table's row count in \(verifyDatabase) with \(database); stop here, dropping nothing, if any differs",
            dropVerifyStatement,
            "refuse if other sessions are connected to \(database)",
            dropStatement,
            "mark project \(project) archived with the backup's id and SHA-256",
        ]
    }

    /// What a client confirms, as with sync: the first 8 bytes of a SHA-256, hex, over what the archive drops,
    /// where, and where its backup goes; not over the sizes or the verify database's name, which move
    /// between two looks at the same plan.
    public var hash: String {
        let confirmed = [project, server, database, backupDirectory, dropStatement, String(steps.count)]
        return SHA256.hash(data: Data(confirmed.joined(separator: "\n").utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}

extension Catalog {
    /// Plans an archive: reads the database's size and the free space where the backup goes; refuses too little.
    public func planArchive(
        _ name: String, directory: String? = nil, options: LifecycleOptions = LifecycleOptions(), now: Date = Date()
    ) throws
        -> ArchivePlan
    {
        settleLifecycle(project: name, connectTimeout: options.connectTimeout)
        let project = try project(named: name)
        if try archivedProjects().contains(where: { $0.name == name }) {
            throw CatalogError(.conflict, "project \"\(name)\" is already archived; nothing was changed", remedy: .listProjects)
        }
        let connection = try project.connectionString()
        let database = connection.databaseName ?? name
        let backupDirectory = backupDirectory(directory)
        return try wrapped(project: name) {
            let maintenance = try BackupMaintenanceConnection.open(connection, connectTimeout: options.connectTimeout)
            let row = try maintenance.query(
                "SELECT pg_database_size(oid) AS size, datname FROM pg_database WHERE datname = $1", [database]
            ).records.first
            guard let size = row.flatMap({ Int64($0["size"] ?? "") }) else {
                throw CatalogError(.notFound, "database \"\(database)\" was not found on \(project.server)", remedy: .checkProjectDSN)
            }
            let free = Self.freeBytes(at: backupDirectory)
            guard free >= size else {
                throw CatalogError(
                    .refused,
                    "not enough disk for the archive backup of \"\(name)\": its database is \(size) bytes and \(backupDirectory) has \(free) bytes free; nothing was changed"
                )
            }
            let names = Set(try maintenance.query("SELECT datname FROM pg_database").records.compactMap { $0["datname"] })
            let verify = BackupRestoreNames.unique(database, suffix: "_verifying_" + BackupRestoreNames.stamp(now), taken: names)
            let id = maintenance.quoteIdentifier
            return ArchivePlan(
                project: name, database: database, server: maintenance.serverAddress, backupDirectory: backupDirectory, sizeBytes: size,
                freeBytes: free,
                verifyDatabase: verify,
                createVerifyStatement: try CreateDatabaseStatement(name: verify, template: "template0").sql(RestorePlan.Quoting(maintenance)),
                dropVerifyStatement: "DROP DATABASE IF EXISTS \(try id(verify)) WITH (FORCE)", dropStatement: "DROP DATABASE \(try id(database))")
        }
    }

    /// Backs up, verifies the backup by restoring it and comparing row counts, drops the database, and only
    /// then marks the project archived. A backup that fails or does not verify leaves the database as it was.
    public func archive(_ plan: ArchivePlan, expectPlan: String? = nil, options: LifecycleOptions = LifecycleOptions()) throws -> BackupRecord {
        if let expectPlan, expectPlan != plan.hash {
            throw CatalogError(
                .planChanged, "the plan changed since it was shown (expected \(expectPlan), now \(plan.hash)); nothing was changed",
                facts: ["expected": expectPlan, "current": plan.hash])
        }
        let kept = "the database \"\(plan.database)\" was not dropped"
        let connection = try project(named: plan.project).connectionString()
        // Read now, well before the sessions check: a closed connection's backend takes a moment to go.
        let incarnation = try wrapped(project: plan.project) { try Self.incarnation(of: connection, connectTimeout: options.connectTimeout) }
        let results = try createBackups(
            ProjectSelection(names: [plan.project]),
            options: BackupOptions(directory: plan.backupDirectory, concurrency: 1, connectTimeout: options.connectTimeout, catalogVersion: "archive")
        )
        guard let backup = results.first?.backup, results.first?.outcome == .ok else {
            throw CatalogError(
                .failed, "project \"\(plan.project)\": the archive backup failed: \(results.first?.outcome.message ?? "no result"); \(kept)",
                remedy: results.first?.outcome.remedy)
        }
        let maintenance = try wrapped(project: plan.project) {
            try BackupMaintenanceConnection.open(connection, connectTimeout: options.connectTimeout)
        }
        // From here a kill is settled by the next command on the project (see `settleLifecycle`).
        let token = UUID().uuidString.lowercased()
        try wrapped(project: plan.project) {
            try LifecycleLock.lockRun(maintenance, token: token)
            try store.insertLifecycleIntent(
                LifecycleIntent(
                    operation: "archive", project: plan.project, server: plan.server, dsn: connection.raw, databaseName: plan.database,
                    incarnation: incarnation.description, backupID: backup.id, sha256: backup.sha256, verifyDatabase: plan.verifyDatabase,
                    token: token))
        }
        defer { try? LifecycleLock.unlockRun(maintenance, token: token) }
        do {
            try verify(backup, plan: plan, connection: connection, maintenance: maintenance, connectTimeout: options.connectTimeout)
        } catch {
            try? maintenance.execute(script: plan.dropVerifyStatement)
            try? store.deleteLifecycleIntent(token: token)
            throw CatalogError(
                .failed, "project \"\(plan.project)\": backup \(backup.id ?? 0) did not verify: \(CatalogError.wrap(error).message); \(kept)")
        }
        try? maintenance.execute(script: plan.dropVerifyStatement)
        do {
            let sessions = try wrapped { try BackupMaintenanceConnection.otherSessions(on: maintenance, database: plan.database) }
            guard sessions == 0 else {
                throw CatalogError(
                    .conflict, "project \"\(plan.project)\": \(sessions) other session(s) are connected to \"\(plan.database)\"; \(kept)",
                    remedy: .terminateOtherSessions)
            }
            try wrapped(project: plan.project) { try maintenance.execute(script: plan.dropStatement) }
        } catch {
            try? store.deleteLifecycleIntent(token: token)
            throw error
        }
        try wrapped {
            try store.markArchived(
                project: plan.project, backupID: backup.id ?? 0, sha256: backup.sha256, database: plan.database, server: plan.server,
                intent: token,
                audit: AuditEntry(
                    action: "project.archive", target: plan.project, result: "ok",
                    detail: "backup \(backup.id ?? 0) (sha256 \(backup.sha256)); database \(plan.database) dropped"))
        }
        return backup
    }

    /// The archived projects, once archives killed after their drop are completed (see `settleLifecycle`).
    public func archivedProjects() throws -> [ArchivedProject] {
        settleLifecycle()
        return try wrapped { try store.archivedProjects() }
    }

    /// Restores the backup into the plan's verify database and compares every table's row count with the original's.
    private func verify(_ backup: BackupRecord, plan: ArchivePlan, connection: ConnectionString, maintenance: Connection, connectTimeout: Int) throws
    {
        try maintenance.execute(script: plan.createVerifyStatement)
        let tools = try PgTools.locate()
        let tool = BackupToolConnection(connection.replacing("dbname", with: plan.verifyDatabase), connectTimeout: connectTimeout)
        let outcome = try ChildProcess(
            tools.pgRestore, ["--single-transaction", "--exit-on-error", "--no-password", tool.dbnameArgument, backup.file],
            environment: tool.environment
        ).run()
        guard outcome.status == 0 else { throw CatalogError("pg_restore failed: \(PgTools.summary(outcome.stderr))") }
        let original = try BundleTableCounts.read(on: Connection(connection, connectTimeout: connectTimeout))
        let restored = try BundleTableCounts.read(
            on: Connection(connection.replacing("dbname", with: plan.verifyDatabase), connectTimeout: connectTimeout))
        guard original == restored else {
            let differing = original.filter { !restored.contains($0) }.map { "\($0.schema).\($0.name)" }
            throw CatalogError("row counts differ from the database's (\(differing.joined(separator: ", ")))")
        }
    }

    /// Free bytes on the file system that holds `directory` (or its nearest existing parent).
    static func freeBytes(at directory: String) -> Int64 {
        var path = directory
        while !FileManager.default.fileExists(atPath: path), path != "/" { path = (path as NSString).deletingLastPathComponent }
        let attributes = try? FileManager.default.attributesOfFileSystem(forPath: path)
        return (attributes?[.systemFreeSize] as? NSNumber)?.int64Value ?? 0
    }
}
