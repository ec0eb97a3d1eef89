import Foundation
import GRDB

/// One relocation bundle `catalog export` wrote, kept in the store's history beside backups.
public struct ExportRecord: Sendable, Equatable {
    /// The store's id; nil until recorded.
    public var id: Int64?
    /// The project's name when it was exported.
    public var project: String
    /// The absolute path of the bundle.
    public var file: String
    /// The bundle's size in bytes.
    public var sizeBytes: Int64
    /// The SHA-256 of the whole bundle file, hex-encoded.
    public var sha256: String
    /// True when the bundle holds no data besides `_metadata`.
    public var metadataOnly: Bool
    /// The bundle format it was written in.
    public var formatVersion: Int
    /// The source server's version, such as `15.18`.
    public var serverVersion: String
    /// The catalog that wrote it.
    public var catalogVersion: String
    /// When the export's snapshot was taken.
    public var createdAt: Date
    /// How long the export took, snapshot to rename.
    public var durationSeconds: Double

    /// An export, before it is recorded (no id) or as read back.
    public init(
        id: Int64? = nil, project: String, file: String, sizeBytes: Int64, sha256: String, metadataOnly: Bool,
        formatVersion: Int, serverVersion: String, catalogVersion: String, createdAt: Date, durationSeconds: Double
    ) {
        self.id = id
        self.project = project
        self.file = file
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
        self.metadataOnly = metadataOnly
        self.formatVersion = formatVersion
        self.serverVersion = serverVersion
        self.catalogVersion = catalogVersion
        self.createdAt = createdAt
        self.durationSeconds = durationSeconds
    }
}

extension Store {
    /// Records a finished export, with its audit entry, in one transaction.
    @discardableResult
    public func insertExport(_ record: ExportRecord, audit entry: AuditEntry) throws -> ExportRecord {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO bundle_export (project, file, size_bytes, sha256, metadata_only, format_version, server_version,
                                               catalog_version, created_at, duration_seconds)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.project, record.file, record.sizeBytes, record.sha256, record.metadataOnly, record.formatVersion,
                    record.serverVersion, record.catalogVersion, record.createdAt, record.durationSeconds,
                ])
            try Store.insertAudit(entry, db)
            var stored = record
            stored.id = db.lastInsertedRowID
            return stored
        }
    }

    /// Exports, newest first; only those of `project` when given.
    public func exports(project: String?) throws -> [ExportRecord] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM bundle_export WHERE ? IS NULL OR project = ? ORDER BY created_at DESC, id DESC
                    """, arguments: [project, project]
            ).map { row in
                ExportRecord(
                    id: row["id"], project: row["project"], file: row["file"], sizeBytes: row["size_bytes"], sha256: row["sha256"],
                    metadataOnly: row["metadata_only"], formatVersion: row["format_version"], serverVersion: row["server_version"],
                    catalogVersion: row["catalog_version"], createdAt: row["created_at"], durationSeconds: row["duration_seconds"])
            }
        }
    }
}
