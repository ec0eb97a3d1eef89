import Foundation
import GRDB

/// A lifecycle step that changes an existing database (archive's drop, rename's `ALTER DATABASE … RENAME`),
/// recorded before the server is touched. The step's end in the registry removes the row in the same
/// transaction; a row left by a killed run lets the next run that touches the project complete the
/// registry side (the server shows the step happened) or forget it (the server shows it did not).
public struct LifecycleIntent: Sendable, Equatable {
    /// `archive` or `rename`.
    public var operation: String
    public var project: String
    /// The server, as `host:port`.
    public var server: String
    /// The project's connection string when the step began; it may hold a password: never print it.
    public var dsn: String
    public var databaseName: String
    /// `OID/lineage` of the database when the step was recorded.
    public var incarnation: String
    /// rename: the new project and database names.
    public var newName: String?
    public var newDatabase: String?
    /// archive: the backup and its SHA-256, and the database it is restored into to be verified.
    public var backupID: Int64?
    public var sha256: String?
    public var verifyDatabase: String?
    /// A random id; the run holds a lock named after it while it works.
    public var token: String
    public var startedAt: Date

    public init(
        operation: String, project: String, server: String, dsn: String, databaseName: String, incarnation: String,
        newName: String? = nil, newDatabase: String? = nil, backupID: Int64? = nil, sha256: String? = nil,
        verifyDatabase: String? = nil, token: String, startedAt: Date = Date()
    ) {
        self.operation = operation
        self.project = project
        self.server = server
        self.dsn = dsn
        self.databaseName = databaseName
        self.incarnation = incarnation
        self.newName = newName
        self.newDatabase = newDatabase
        self.backupID = backupID
        self.sha256 = sha256
        self.verifyDatabase = verifyDatabase
        self.token = token
        self.startedAt = startedAt
    }
}

extension Store {
    /// The recorded steps of one project (by its name, or the new name a rename gives it) or of all, oldest first.
    public func lifecycleIntents(project: String?) throws -> [LifecycleIntent] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT operation, project, server, dsn, database_name, incarnation, new_name, new_database, backup_id, sha256,
                           verify_database, token, started_at
                    FROM lifecycle_intent WHERE ? IS NULL OR project = ? OR new_name = ? ORDER BY id
                    """, arguments: [project, project, project]
            ).map { row in
                LifecycleIntent(
                    operation: row[0], project: row[1], server: row[2], dsn: row[3], databaseName: row[4], incarnation: row[5],
                    newName: row[6], newDatabase: row[7], backupID: row[8], sha256: row[9], verifyDatabase: row[10], token: row[11],
                    startedAt: row[12])
            }
        }
    }

    /// Records a step before it touches the server; refuses a project another recorded step is changing.
    public func insertLifecycleIntent(_ intent: LifecycleIntent) throws {
        try write { db in
            let busy = try Bool.fetchOne(db, sql: "SELECT 1 FROM lifecycle_intent WHERE project = ?", arguments: [intent.project]) ?? false
            guard !busy else { throw StoreError(.conflict, "project \"\(intent.project)\" is being changed by another catalog command") }
            try db.execute(
                sql: """
                    INSERT INTO lifecycle_intent (operation, project, server, dsn, database_name, incarnation, new_name, new_database,
                                                  backup_id, sha256, verify_database, token, started_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    intent.operation, intent.project, intent.server, intent.dsn, intent.databaseName, intent.incarnation, intent.newName,
                    intent.newDatabase, intent.backupID, intent.sha256, intent.verifyDatabase, intent.token, intent.startedAt,
                ])
        }
    }

    /// Forgets a step that did not happen on the server (or whose registry side is done).
    public func deleteLifecycleIntent(token: String) throws {
        try write { db in try db.execute(sql: "DELETE FROM lifecycle_intent WHERE token = ?", arguments: [token]) }
    }
}
