import Foundation
import PostgresClient

extension PostgresStore {
    static let backupColumns = """
        id, project, database_name, file, size_bytes, sha256, created_at, duration_seconds, server_version, catalog_version,
        verified_at, verify_result, server, lineage
        """

    /// Records a completed backup and returns it as stored, with its id.
    @discardableResult
    public func insertBackup(_ record: BackupRecord) throws -> BackupRecord {
        try write { session in
            let row = try session.row(
                """
                INSERT INTO backup (project, database_name, file, size_bytes, sha256, created_at, duration_seconds,
                                    server_version, catalog_version, verified_at, verify_result, server, lineage)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING \(Self.backupColumns)
                """,
                [
                    record.project, record.databaseName, record.file, record.sizeBytes, record.sha256, record.createdAt.bound,
                    record.durationSeconds, record.serverVersion, record.catalogVersion, record.verifiedAt.bound,
                    record.verifiedOK.map { $0 ? "ok" : "failed" }, record.server, record.lineage,
                ])
            return row.map(Self.backupRecord) ?? record
        }
    }

    /// Backups, newest first; only those of `projects` when it is not empty.
    public func backups(projects: [String]) throws -> [BackupRecord] {
        try read { session in
            try session.rows(
                """
                SELECT \(Self.backupColumns) FROM backup WHERE cardinality($1::text[]) = 0 OR project = ANY($1::text[])
                ORDER BY created_at DESC, id DESC
                """, [PostgresArray.literal(projects.map { Optional($0) })]
            ).map(Self.backupRecord)
        }
    }

    /// One backup by id, or nil.
    public func backup(id: Int64) throws -> BackupRecord? {
        try read { session in try session.row("SELECT \(Self.backupColumns) FROM backup WHERE id = $1", [id]).map(Self.backupRecord) }
    }

    /// Records the outcome of `backup verify`.
    public func recordVerification(backupID: Int64, ok: Bool, at date: Date) throws {
        try write { session in
            _ = try session.execute(
                "UPDATE backup SET verified_at = $1, verify_result = $2 WHERE id = $3", [date.bound, ok ? "ok" : "failed", backupID])
        }
    }

    /// Forgets a backup whose file has been deleted.
    public func deleteBackup(id: Int64) throws {
        try write { session in _ = try session.execute("DELETE FROM backup WHERE id = $1", [id]) }
    }

    static func backupRecord(_ row: RegistryRow) -> BackupRecord {
        BackupRecord(
            id: row.int64(0), project: row.string(1), databaseName: row.string(2), file: row.string(3), sizeBytes: row.int64(4) ?? 0,
            sha256: row.string(5), createdAt: row.date(6) ?? Date(), durationSeconds: row.double(7) ?? 0, serverVersion: row.string(8),
            catalogVersion: row.string(9), verifiedAt: row.date(10), verifiedOK: row.optionalString(11).map { $0 == "ok" },
            server: row.optionalString(12), lineage: row.optionalString(13))
    }

    // MARK: Set-aside databases

    /// Records a database a restore renamed aside.
    @discardableResult
    public func insertSetAside(_ database: SetAsideDatabase) throws -> SetAsideDatabase {
        try write { session in
            var stored = database
            stored.id = try session.row(
                """
                INSERT INTO set_aside_database (project, database_name, backup_id, created_at, dropped_at)
                VALUES ($1, $2, $3, $4, $5) RETURNING id
                """, [database.project, database.databaseName, database.backupID, database.createdAt.bound, database.droppedAt.bound]
            )?.int64(0)
            return stored
        }
    }

    /// Set-aside databases not dropped yet, oldest first; only those of `projects` when it is not empty.
    public func setAsideDatabases(projects: [String]) throws -> [SetAsideDatabase] {
        try read { session in
            try session.rows(
                """
                SELECT id, project, database_name, backup_id, created_at, dropped_at FROM set_aside_database
                WHERE dropped_at IS NULL AND (cardinality($1::text[]) = 0 OR project = ANY($1::text[])) ORDER BY created_at, id
                """, [PostgresArray.literal(projects.map { Optional($0) })]
            ).map { row in
                SetAsideDatabase(
                    id: row.int64(0), project: row.string(1), databaseName: row.string(2), backupID: row.int64(3),
                    createdAt: row.date(4) ?? Date(), droppedAt: row.date(5))
            }
        }
    }

    /// Marks a set-aside database as dropped.
    public func markSetAsideDropped(id: Int64, at date: Date) throws {
        try write { session in _ = try session.execute("UPDATE set_aside_database SET dropped_at = $1 WHERE id = $2", [date.bound, id]) }
    }

    // MARK: Team migrations

    /// The team's registered `_metadata` migrations, by version.
    public func teamMigrations() throws -> [StoredTeamMigration] {
        try read { session in
            try session.rows("SELECT version, name, checksum, up_sql, down_sql, file FROM team_migration ORDER BY version").map { row in
                StoredTeamMigration(
                    version: row.int(0) ?? 0, name: row.string(1), checksum: row.string(2), upSQL: row.string(3),
                    downSQL: row.optionalString(4), file: row.string(5))
            }
        }
    }

    /// Replaces the registered team migrations.
    public func replaceTeamMigrations(_ migrations: [StoredTeamMigration], at date: Date) throws {
        try write { session in
            try session.execute("DELETE FROM team_migration")
            for migration in migrations {
                try session.execute(
                    """
                    INSERT INTO team_migration (version, name, checksum, up_sql, down_sql, file, registered_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    """,
                    [migration.version, migration.name, migration.checksum, migration.upSQL, migration.downSQL, migration.file, date.bound])
            }
        }
    }

    // MARK: Exports

    /// Records a finished export, with its audit entry, in one transaction.
    @discardableResult
    public func insertExport(_ record: ExportRecord, audit entry: AuditEntry) throws -> ExportRecord {
        try write { session in
            var stored = record
            stored.id = try session.row(
                """
                INSERT INTO bundle_export (project, file, size_bytes, sha256, metadata_only, format_version, server_version,
                                           catalog_version, created_at, duration_seconds)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id
                """,
                [
                    record.project, record.file, record.sizeBytes, record.sha256, record.metadataOnly, record.formatVersion,
                    record.serverVersion, record.catalogVersion, record.createdAt.bound, record.durationSeconds,
                ]
            )?.int64(0)
            try Self.insertAudit(entry, session)
            return stored
        }
    }

    /// Exports, newest first; only those of `project` when given.
    public func exports(project: String?) throws -> [ExportRecord] {
        try read { session in
            try session.rows(
                """
                SELECT id, project, file, size_bytes, sha256, metadata_only, format_version, server_version, catalog_version,
                       created_at, duration_seconds
                FROM bundle_export WHERE $1::text IS NULL OR project = $1 ORDER BY created_at DESC, id DESC
                """, [project]
            ).map { row in
                ExportRecord(
                    id: row.int64(0), project: row.string(1), file: row.string(2), sizeBytes: row.int64(3) ?? 0, sha256: row.string(4),
                    metadataOnly: row.bool(5) ?? false, formatVersion: row.int(6) ?? 0, serverVersion: row.string(7),
                    catalogVersion: row.string(8), createdAt: row.date(9) ?? Date(), durationSeconds: row.double(10) ?? 0)
            }
        }
    }
}
