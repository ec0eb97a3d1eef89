import CatalogStore
import CatalogSupport
import Foundation
import PostgresClient

/// A `project unarchive` worked out before anything changes: the archive backup (its checksum checked),
/// the database name it had, and the statements of the restore under a temporary name.
public struct UnarchivePlan: Sendable, Equatable {
    public var project: String
    public var backup: BackupRecord
    public var database: String
    public var server: String
    public var maskedDSN: String
    var run: LifecycleRun

    public var steps: [String] {
        ["verify the SHA-256 of \(backup.file) against the archive's"] + run.openingSteps + [
            "pg_restore --single-transaction --exit-on-error \(backup.file) into \(run.temporaryDatabase)",
            run.closingStep,
            "register project \(project) again (\(maskedDSN))",
        ]
    }
}

extension Catalog {
    /// Plans bringing an archived project back, under the database name it had, on its server or `serverDSN`'s.
    public func planUnarchive(
        _ name: String, serverDSN: String? = nil, options: LifecycleOptions = LifecycleOptions(), now: Date = Date()
    ) throws
        -> UnarchivePlan
    {
        settleLifecycle(project: name, connectTimeout: options.connectTimeout)
        guard let archived = try wrapped({ try store.archivedProjects() }).first(where: { $0.name == name }) else {
            throw CatalogError(
                .notFound, "project \"\(name)\" is not archived", remedy: .listProjects)
        }
        guard let backupID = archived.backupID else {
            throw CatalogError(.notFound, "the archive backup of project \"\(name)\" is no longer recorded", remedy: .listBackups(project: name))
        }
        let backup = try backupRecord(id: backupID)
        try Self.checkIntegrity(backup)
        guard backup.sha256 == archived.sha256 else {
            throw CatalogError(.failed, "backup \(backupID) is not the one project \"\(name)\" was archived with (its SHA-256 differs)")
        }
        let target = try serverDSN.map(CreatePlanner.serverConnection) ?? project(named: name).connectionString()
        return try wrapped(project: name) {
            let maintenance = try BackupMaintenanceConnection.open(target, connectTimeout: options.connectTimeout)
            let names = Set(try maintenance.query("SELECT datname FROM pg_database").records.compactMap { $0["datname"] })
            guard !names.contains(archived.database) else {
                throw CatalogError(
                    .alreadyExists, "database \"\(archived.database)\" already exists on \(maintenance.serverAddress); nothing was changed")
            }
            let temporary = BackupRestoreNames.unique(archived.database, suffix: "_unarchiving_" + BackupRestoreNames.stamp(now), taken: names)
            let quoting = RestorePlan.Quoting(maintenance)
            let run = try LifecycleRun.make(
                operation: "unarchive", project: name, server: maintenance.serverAddress, database: archived.database,
                temporaryDatabase: temporary, token: UUID().uuidString.lowercased(),
                createStatement: try CreateDatabaseStatement(name: temporary, template: "template0").sql(quoting), quoting: quoting)
            return UnarchivePlan(
                project: name, backup: backup, database: archived.database, server: maintenance.serverAddress,
                maskedDSN: target.replacing("dbname", with: archived.database).masked, run: run)
        }
    }

    /// Restores the archive backup under a temporary name, renames it to the archived name, and registers
    /// the project again; a failure or a kill leaves it archived and no database behind (see `LifecycleRun`).
    public func unarchive(_ plan: UnarchivePlan, serverDSN: String? = nil, options: LifecycleOptions = LifecycleOptions()) throws {
        try Self.checkIntegrity(plan.backup)
        let target = try serverDSN.map(CreatePlanner.serverConnection) ?? project(named: plan.project).connectionString()
        let tools = try PgTools.locate()
        _ = try carryOut(
            plan.run, on: target, connectTimeout: options.connectTimeout,
            fill: { temporary in
                let tool = BackupToolConnection(temporary, connectTimeout: options.connectTimeout)
                let outcome = try ChildProcess(
                    tools.pgRestore, ["--single-transaction", "--exit-on-error", "--no-password", tool.dbnameArgument, plan.backup.file],
                    environment: tool.environment
                ).run()
                guard outcome.status == 0 else { throw CatalogError("pg_restore failed: \(PgTools.summary(outcome.stderr))") }
            },
            register: {
                try store.registerUnarchived(
                    project: plan.project, dsn: target.replacing("dbname", with: plan.database).raw, token: plan.run.token,
                    audit: AuditEntry(
                        action: "project.unarchive", target: plan.project, result: "ok",
                        detail: "backup \(plan.backup.id ?? 0) restored as \(plan.database) on \(plan.server)"))
            })
    }
}
