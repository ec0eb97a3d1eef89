import Foundation
import GRDB

/// One backup file catalog wrote with `pg_dump -Fc`, and how to tell it is intact.
public struct BackupRecord: Sendable, Equatable {
    /// The store's id, which `backup verify` and `backup restore` take; nil until recorded.
    public var id: Int64?
    /// The project's name when the backup was taken.
    public var project: String
    /// The database that was dumped.
    public var databaseName: String
    /// The absolute path of the dump file.
    public var file: String
    /// The file's size.
    public var sizeBytes: Int64
    /// The SHA-256 of the finished file, hex-encoded.
    public var sha256: String
    /// When the dump started.
    public var createdAt: Date
    /// How long dumping and recording took.
    public var durationSeconds: Double
    /// The PostgreSQL server's version, such as `15.18`.
    public var serverVersion: String
    /// The version of catalog that took it.
    public var catalogVersion: String
    /// When `backup verify` last checked it; nil when never verified.
    public var verifiedAt: Date?
    /// Whether the last `backup verify` passed.
    public var verifiedOK: Bool?
    /// The server it was taken on, as `host:port`; nil for backups taken before catalog recorded it.
    public var server: String?
    /// The project's lineage id when it was taken; nil before catalog recorded it, or without `_metadata`.
    public var lineage: String?

    /// A backup, before it is recorded (no id) or as read back.
    public init(
        id: Int64? = nil, project: String, databaseName: String, file: String, sizeBytes: Int64, sha256: String,
        createdAt: Date, durationSeconds: Double, serverVersion: String, catalogVersion: String,
        verifiedAt: Date? = nil, verifiedOK: Bool? = nil, server: String? = nil, lineage: String? = nil
    ) {
        self.id = id
        self.project = project
        self.databaseName = databaseName
        self.file = file
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
        self.createdAt = createdAt
        self.durationSeconds = durationSeconds
        self.serverVersion = serverVersion
        self.catalogVersion = catalogVersion
        self.verifiedAt = verifiedAt
        self.verifiedOK = verifiedOK
        self.server = server
        self.lineage = lineage
    }
}

/// A database that a restore renamed aside (`<name>_before_restore_<timestamp>`) instead of dropping.
public struct SetAsideDatabase: Sendable, Equatable {
    /// The store's id; nil until recorded.
    public var id: Int64?
    /// The project whose database it was.
    public var project: String
    /// The name it was renamed to.
    public var databaseName: String
    /// The backup restored in its place.
    public var backupID: Int64?
    /// When it was set aside.
    public var createdAt: Date
    /// When it was dropped; nil while it exists.
    public var droppedAt: Date?

    /// A set-aside database, before it is recorded (no id) or as read back.
    public init(id: Int64? = nil, project: String, databaseName: String, backupID: Int64?, createdAt: Date, droppedAt: Date? = nil) {
        self.id = id
        self.project = project
        self.databaseName = databaseName
        self.backupID = backupID
        self.createdAt = createdAt
        self.droppedAt = droppedAt
    }
}

/// A team `_metadata` migration as last registered with `metadata migrate --migrations DIR`.
public struct StoredTeamMigration: Sendable, Equatable {
    /// The migration's number, 1000 or more.
    public var version: Int
    /// The rest of its file name.
    public var name: String
    /// The SHA-256 of its SQL.
    public var checksum: String
    /// The SQL that applies it.
    public var upSQL: String
    /// The SQL that undoes it, if it has a down script.
    public var downSQL: String?
    /// Where the file was read from, for messages.
    public var file: String

    /// A team migration as registered.
    public init(version: Int, name: String, checksum: String, upSQL: String, downSQL: String?, file: String) {
        self.version = version
        self.name = name
        self.checksum = checksum
        self.upSQL = upSQL
        self.downSQL = downSQL
        self.file = file
    }
}

extension Store {
    /// Records a completed backup and returns it as stored, with its id.
    @discardableResult
    public func insertBackup(_ record: BackupRecord) throws -> BackupRecord {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO backup (project, database_name, file, size_bytes, sha256, created_at, duration_seconds,
                                        server_version, catalog_version, verified_at, verify_result, server, lineage)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.project, record.databaseName, record.file, record.sizeBytes, record.sha256, record.createdAt,
                    record.durationSeconds, record.serverVersion, record.catalogVersion, record.verifiedAt,
                    record.verifiedOK.map { $0 ? "ok" : "failed" }, record.server, record.lineage,
                ])
            // Read back what SQLite kept: dates are stored to the millisecond.
            return try Row.fetchOne(db, sql: "SELECT * FROM backup WHERE id = ?", arguments: [db.lastInsertedRowID]).map(Store.backupRecord) ?? record
        }
    }

    /// Backups, newest first; only those of `projects` when it is not empty.
    public func backups(projects: [String]) throws -> [BackupRecord] {
        try read { db in
            let filter = projects.isEmpty ? "" : "WHERE project IN (\(databaseQuestionMarks(count: projects.count)))"
            return try Row.fetchAll(
                db, sql: "SELECT * FROM backup \(filter) ORDER BY created_at DESC, id DESC",
                arguments: StatementArguments(projects)
            ).map(Store.backupRecord)
        }
    }

    /// One backup by id, or nil.
    public func backup(id: Int64) throws -> BackupRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM backup WHERE id = ?", arguments: [id]).map(Store.backupRecord)
        }
    }

    /// Records the outcome of `backup verify`.
    public func recordVerification(backupID: Int64, ok: Bool, at date: Date) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE backup SET verified_at = ?, verify_result = ? WHERE id = ?",
                arguments: [date, ok ? "ok" : "failed", backupID])
        }
    }

    /// Forgets a backup whose file has been deleted.
    public func deleteBackup(id: Int64) throws {
        try write { db in try db.execute(sql: "DELETE FROM backup WHERE id = ?", arguments: [id]) }
    }

    static func backupRecord(_ row: Row) -> BackupRecord {
        let result: String? = row["verify_result"]
        return BackupRecord(
            id: row["id"], project: row["project"], databaseName: row["database_name"], file: row["file"],
            sizeBytes: row["size_bytes"], sha256: row["sha256"], createdAt: row["created_at"],
            durationSeconds: row["duration_seconds"], serverVersion: row["server_version"],
            catalogVersion: row["catalog_version"], verifiedAt: row["verified_at"], verifiedOK: result.map { $0 == "ok" },
            server: row["server"], lineage: row["lineage"])
    }
}

extension Store {
    /// Records a database a restore renamed aside.
    @discardableResult
    public func insertSetAside(_ database: SetAsideDatabase) throws -> SetAsideDatabase {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO set_aside_database (project, database_name, backup_id, created_at, dropped_at)
                    VALUES (?, ?, ?, ?, ?)
                    """, arguments: [database.project, database.databaseName, database.backupID, database.createdAt, database.droppedAt])
            var stored = database
            stored.id = db.lastInsertedRowID
            return stored
        }
    }

    /// Set-aside databases not dropped yet, oldest first; only those of `projects` when it is not empty.
    public func setAsideDatabases(projects: [String]) throws -> [SetAsideDatabase] {
        try read { db in
            let filter = projects.isEmpty ? "" : "AND project IN (\(databaseQuestionMarks(count: projects.count)))"
            return try Row.fetchAll(
                db, sql: "SELECT * FROM set_aside_database WHERE dropped_at IS NULL \(filter) ORDER BY created_at, id",
                arguments: StatementArguments(projects)
            ).map { row in
                SetAsideDatabase(
                    id: row["id"], project: row["project"], databaseName: row["database_name"],
                    backupID: row["backup_id"], createdAt: row["created_at"], droppedAt: row["dropped_at"])
            }
        }
    }

    /// Marks a set-aside database as dropped.
    public func markSetAsideDropped(id: Int64, at date: Date) throws {
        try write { db in
            try db.execute(sql: "UPDATE set_aside_database SET dropped_at = ? WHERE id = ?", arguments: [date, id])
        }
    }
}

extension Store {
    /// The team's registered `_metadata` migrations, by version.
    public func teamMigrations() throws -> [StoredTeamMigration] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM team_migration ORDER BY version").map { row in
                StoredTeamMigration(
                    version: row["version"], name: row["name"], checksum: row["checksum"],
                    upSQL: row["up_sql"], downSQL: row["down_sql"], file: row["file"])
            }
        }
    }

    /// Replaces the registered team migrations with the set a `--migrations` directory holds.
    public func replaceTeamMigrations(_ migrations: [StoredTeamMigration], at date: Date) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM team_migration")
            for migration in migrations {
                try db.execute(
                    sql: """
                        INSERT INTO team_migration (version, name, checksum, up_sql, down_sql, file, registered_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        migration.version, migration.name, migration.checksum, migration.upSQL,
                        migration.downSQL, migration.file, date,
                    ])
            }
        }
    }
}
