import CatalogStore
import Foundation
import PostgresClient

/// Finishing what a killed `project archive` or `project rename --database` left. Both record their step
/// (`LifecycleIntent`) before they touch the server (archive: before its verify database is made) and forget it in the transaction that ends the step in
/// the registry, so a record that outlives its run (its lock is free) means the run died in between.
/// The server says which side of the step it died on: the database under its recorded OID still there
/// (archive) or still under its old name (rename) means the step never ran, and the record is forgotten;
/// the database gone, or under its new name with the recorded incarnation, means it ran, and the registry
/// side is completed.
extension Catalog {
    /// Settles the recorded steps of `project` (or of every project) whose runs are gone; returns one line
    /// per step settled. A server that cannot be reached, or a run still at work, is left for a later call.
    @discardableResult
    public func settleLifecycle(project: String? = nil, connectTimeout: Int = 10) -> [String] {
        guard let intents = try? store.lifecycleIntents(project: project), !intents.isEmpty else { return [] }
        return intents.compactMap { intent in try? settle(intent, connectTimeout: connectTimeout) }
    }

    /// The incarnation of the database `connection` names, read on a connection closed on return (so a
    /// rename or a drop that follows finds no session of ours on it).
    static func incarnation(of connection: ConnectionString, connectTimeout: Int) throws -> Incarnation {
        try Incarnation.read(on: Connection(connection, connectTimeout: connectTimeout))
    }

    private func settle(_ intent: LifecycleIntent, connectTimeout: Int) throws -> String? {
        let connection = try ConnectionString(intent.dsn)
        let maintenance = try BackupMaintenanceConnection.open(connection, connectTimeout: connectTimeout)
        guard try LifecycleLock.tryLockRun(maintenance, token: intent.token) else { return nil }
        defer { try? LifecycleLock.unlockRun(maintenance, token: intent.token) }
        let oid = String(intent.incarnation.prefix { $0 != "/" })
        let row = try maintenance.query(
            "SELECT datname, datconnlimit = -2 AS invalid FROM pg_database WHERE oid::text = $1", [oid]
        ).records.first
        switch intent.operation {
        case "archive":
            if let verify = intent.verifyDatabase {
                try maintenance.execute(script: "DROP DATABASE IF EXISTS \(try maintenance.quoteIdentifier(verify)) WITH (FORCE)")
            }
            if let row, row.bool("invalid") != true {
                try store.deleteLifecycleIntent(token: intent.token)
                audit(
                    "project.archive", target: intent.project, result: "cleaned",
                    detail: "a killed archive stopped before dropping database \(intent.databaseName); the project is as it was")
                return "archive of \(intent.project): stopped before the drop; the project is as it was"
            }
            // Gone, or left invalid by a drop that was cut short: finish the drop, then the registry side.
            if let name = row?["datname"] {
                try maintenance.execute(script: "DROP DATABASE IF EXISTS \(try maintenance.quoteIdentifier(name)) WITH (FORCE)")
            }
            try store.markArchived(
                project: intent.project, backupID: intent.backupID ?? 0, sha256: intent.sha256 ?? "", database: intent.databaseName,
                server: intent.server, intent: intent.token,
                audit: AuditEntry(
                    action: "project.archive", target: intent.project, result: "ok",
                    detail:
                        "completed after a killed run: backup \(intent.backupID ?? 0) (sha256 \(intent.sha256 ?? "")); database \(intent.databaseName) dropped"
                ))
            return "archive of \(intent.project): the database was dropped; marked archived"
        case "rename":
            guard let newName = intent.newName, let newDatabase = intent.newDatabase, row?["datname"] == newDatabase,
                try Self.incarnation(of: connection.replacing("dbname", with: newDatabase), connectTimeout: connectTimeout).description
                    == intent.incarnation
            else {
                try store.deleteLifecycleIntent(token: intent.token)
                audit(
                    "project.rename", target: intent.project, result: "cleaned",
                    detail: "a killed rename stopped before renaming database \(intent.databaseName); nothing was renamed")
                return "rename of \(intent.project): stopped before the database was renamed; nothing was renamed"
            }
            try store.renameProject(
                from: intent.project, to: newName, dsn: connection.replacing("dbname", with: newDatabase).raw, intent: intent.token,
                audit: AuditEntry(
                    action: "project.rename", target: intent.project, result: "ok",
                    detail: "completed after a killed run: to \(newName); database \(intent.databaseName) renamed to \(newDatabase)"),
                beforeCommit: {})
            return "rename of \(intent.project): the database was renamed to \(newDatabase); the project is now \(newName)"
        default:
            return nil
        }
    }
}
