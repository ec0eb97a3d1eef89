import Foundation
import PostgresClient

extension PostgresStore {
    /// The recorded steps of one project (by its name, or the new name a rename gives it) or of all, oldest first.
    public func lifecycleIntents(project: String?) throws -> [LifecycleIntent] {
        try read { session in
            try session.rows(
                """
                SELECT operation, project, server, dsn, database_name, incarnation, new_name, new_database, backup_id, sha256,
                       verify_database, token, started_at
                FROM lifecycle_intent WHERE $1::text IS NULL OR project = $1 OR new_name = $1 ORDER BY id
                """, [project]
            ).map { row in
                LifecycleIntent(
                    operation: row.string(0), project: row.string(1), server: row.string(2), dsn: row.string(3),
                    databaseName: row.string(4), incarnation: row.string(5), newName: row.optionalString(6),
                    newDatabase: row.optionalString(7), backupID: row.int64(8), sha256: row.optionalString(9),
                    verifyDatabase: row.optionalString(10), token: row.string(11), startedAt: row.date(12) ?? Date())
            }
        }
    }

    /// Records a step before it touches the server; refuses a project another recorded step is changing.
    public func insertLifecycleIntent(_ intent: LifecycleIntent) throws {
        try Self.refusePassword(intent.dsn, project: intent.project)
        try write { session in
            guard try session.row("SELECT 1 FROM lifecycle_intent WHERE project = $1", [intent.project]) == nil else {
                throw StoreError(.conflict, "project \"\(intent.project)\" is being changed by another catalog command")
            }
            try session.execute(
                """
                INSERT INTO lifecycle_intent (operation, project, server, dsn, database_name, incarnation, new_name, new_database,
                                              backup_id, sha256, verify_database, token, started_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                """,
                [
                    intent.operation, intent.project, intent.server, intent.dsn, intent.databaseName, intent.incarnation, intent.newName,
                    intent.newDatabase, intent.backupID, intent.sha256, intent.verifyDatabase, intent.token, intent.startedAt.bound,
                ])
        }
    }

    /// Forgets a step that did not happen on the server (or whose registry side is done).
    public func deleteLifecycleIntent(token: String) throws {
        try write { session in try session.execute("DELETE FROM lifecycle_intent WHERE token = $1", [token]) }
    }
}
