import Foundation
import GRDB

/// A lifecycle step that makes a database (create, clone, unarchive), recorded before the database is
/// made. While the row exists the project is not registered; a row left by a killed run names exactly
/// the database that run made, so the next run can drop it and nothing else.
public struct PendingLifecycle: Sendable, Equatable {
    /// `create`, `clone` or `unarchive`.
    public var operation: String
    /// The project being made.
    public var project: String
    /// The server, as `host:port`.
    public var server: String
    /// A connection string to the server's maintenance database; it may hold a password: never print it.
    public var dsn: String
    /// The database's final name.
    public var databaseName: String
    /// The name the database is made under before it takes its final name.
    public var temporaryDatabase: String
    /// A random id, also written as the new database's comment, so a leftover is recognised as ours.
    public var token: String
    /// When the step started.
    public var startedAt: Date

    /// A step as recorded or read back.
    public init(
        operation: String, project: String, server: String, dsn: String, databaseName: String, temporaryDatabase: String,
        token: String, startedAt: Date = Date()
    ) {
        self.operation = operation
        self.project = project
        self.server = server
        self.dsn = dsn
        self.databaseName = databaseName
        self.temporaryDatabase = temporaryDatabase
        self.token = token
        self.startedAt = startedAt
    }
}

/// A shared definition a new project is attached to, with the version already synced into its
/// `_metadata` (a clone carries its source's pin, synced version and overrides).
public struct CreatedAttachment: Sendable, Equatable {
    public var definition: String
    public var syncedVersion: Int?
    public var pinnedVersion: Int?
    /// JSON object: field path -> the project's kept value.
    public var overrides: String

    public init(definition: String, syncedVersion: Int?, pinnedVersion: Int? = nil, overrides: String = "{}") {
        self.definition = definition
        self.syncedVersion = syncedVersion
        self.pinnedVersion = pinnedVersion
        self.overrides = overrides
    }
}

extension Store {
    /// The recorded lifecycle steps, of one server or of all, oldest first.
    public func pendingLifecycle(server: String?) throws -> [PendingLifecycle] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT operation, project, server, dsn, database_name, temporary_database, token, started_at
                    FROM lifecycle_pending WHERE ? IS NULL OR server = ? ORDER BY id
                    """, arguments: [server, server]
            ).map { row in
                PendingLifecycle(
                    operation: row[0], project: row[1], server: row[2], dsn: row[3], databaseName: row[4], temporaryDatabase: row[5],
                    token: row[6], startedAt: row[7])
            }
        }
    }

    /// Records a step before its database is made; refuses a project name that is registered or
    /// that another recorded step is making.
    public func insertPendingLifecycle(_ pending: PendingLifecycle) throws {
        try write { db in
            // An unarchive brings back a project that stays registered (archived) meanwhile.
            if pending.operation != "unarchive", try Store.fetchProjects(db, .name(pending.project)).first != nil {
                throw StoreError(
                    .alreadyExists, "project \"\(pending.project)\" is already registered", remedy: .renameOrRemoveProject(pending.project))
            }
            let busy = try Bool.fetchOne(db, sql: "SELECT 1 FROM lifecycle_pending WHERE project = ?", arguments: [pending.project]) ?? false
            guard !busy else {
                throw StoreError(.conflict, "project \"\(pending.project)\" is being made by another catalog command")
            }
            try db.execute(
                sql: """
                    INSERT INTO lifecycle_pending (operation, project, server, dsn, database_name, temporary_database, token, started_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    pending.operation, pending.project, pending.server, pending.dsn, pending.databaseName, pending.temporaryDatabase,
                    pending.token, pending.startedAt,
                ])
        }
    }

    /// Forgets a step whose database is gone (or was never made).
    public func deletePendingLifecycle(token: String) throws {
        try write { db in try db.execute(sql: "DELETE FROM lifecycle_pending WHERE token = ?", arguments: [token]) }
    }

    /// Registers a project a lifecycle step made, with its attachments already synced, and forgets the
    /// step, all in one transaction: the registry never shows a project whose database is half made.
    @discardableResult
    public func registerMade(
        _ project: Project, attachments: [CreatedAttachment], token: String, clonedFrom: String?, clonedRevision: Int?,
        audit entry: AuditEntry
    ) throws -> Project {
        try write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM lifecycle_pending WHERE token = ?", arguments: [token]) == true else {
                throw StoreError(.conflict, "the record of making project \"\(project.name)\" is gone (another command cleaned it up)")
            }
            if try Store.fetchProjects(db, .name(project.name)).first != nil {
                throw StoreError(.alreadyExists, "project \"\(project.name)\" is already registered", remedy: .renameOrRemoveProject(project.name))
            }
            var row = ProjectRow(
                id: nil, name: project.name, dsn: project.dsn, status: Project.Status.ok.rawValue,
                status_message: nil, server_version: nil, metadata_version: project.metadataVersion,
                last_checked_at: Date(), last_reached_at: Date(), created_at: project.createdAt)
            try row.insert(db)
            try db.execute(
                sql: "UPDATE project SET cloned_from = ?, cloned_revision = ? WHERE id = ?", arguments: [clonedFrom, clonedRevision, row.id])
            for tag in Set(project.tags) {
                try db.execute(sql: "INSERT INTO project_tag (project_id, tag) VALUES (?, ?)", arguments: [row.id, tag])
            }
            for attachment in attachments {
                guard
                    let definitionID = try Int64.fetchOne(
                        db, sql: "SELECT id FROM shared_definition WHERE name = ?", arguments: [attachment.definition])
                else {
                    throw StoreError(.notFound, "shared definition \"\(attachment.definition)\" does not exist", remedy: .listShared)
                }
                try Store.refuseArchived(definitionID, name: attachment.definition, db)
                try db.execute(
                    sql: """
                        INSERT INTO attachment (project_id, definition_id, pinned_version, synced_version, synced_at, overrides, attached_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        row.id, definitionID, attachment.pinnedVersion, attachment.syncedVersion,
                        attachment.syncedVersion == nil ? nil : Date(), attachment.overrides, Date(),
                    ])
            }
            try db.execute(sql: "DELETE FROM lifecycle_pending WHERE token = ?", arguments: [token])
            try Store.insertAudit(entry, db)
            return try Store.fetchProjects(db, .id(row.id!))[0]
        }
    }

    /// Where a project was cloned from (the source's name and `_metadata` revision), or nil.
    public func cloneOrigin(project: String) throws -> (source: String, revision: Int?)? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT cloned_from, cloned_revision FROM project WHERE name = ?", arguments: [project]),
                let source: String = row[0]
            else { return nil }
            return (source, row[1])
        }
    }

    /// Renames a project in one transaction, with its backups, set-aside databases and exports (its
    /// attachments and index follow its id); `dsn` replaces its connection string when its database is
    /// renamed too, and the recorded step `intent` (a token) is forgotten with it. `beforeCommit` runs
    /// inside the transaction, last: when it throws, nothing changes.
    @discardableResult
    public func renameProject(
        from old: String, to new: String, dsn: String?, intent: String?, audit entry: AuditEntry, beforeCommit: () throws -> Void
    ) throws -> Project {
        try write { db in
            guard let project = try Store.fetchProjects(db, .name(old)).first, let id = project.id else {
                throw StoreError(.notFound, "project \"\(old)\" is not registered", remedy: .listProjects)
            }
            if try Store.fetchProjects(db, .name(new)).first != nil {
                throw StoreError(.alreadyExists, "project \"\(new)\" is already registered", remedy: .renameOrRemoveProject(new))
            }
            try db.execute(sql: "UPDATE project SET name = ?, dsn = coalesce(?, dsn) WHERE id = ?", arguments: [new, dsn, id])
            for table in ["backup", "set_aside_database", "bundle_export"] {
                try db.execute(sql: "UPDATE \(table) SET project = ? WHERE project = ?", arguments: [new, old])
            }
            try db.execute(sql: "UPDATE project SET cloned_from = ? WHERE cloned_from = ?", arguments: [new, old])
            try db.execute(sql: "DELETE FROM lifecycle_intent WHERE token = ?", arguments: [intent])
            try Store.insertAudit(entry, db)
            try beforeCommit()
            return try Store.fetchProjects(db, .id(id))[0]
        }
    }

    /// Marks a project archived (its database was dropped after a verified backup), keeping the backup's
    /// reference and checksum and where the database was, and forgets the recorded step `intent` (a token).
    /// Archived projects leave the default listings.
    public func markArchived(
        project: String, backupID: Int64, sha256: String, database: String, server: String, intent: String?, audit entry: AuditEntry
    ) throws {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE project SET archived_at = ?, archive_backup_id = ?, archive_sha256 = ?, archive_database = ?, archive_server = ?
                    WHERE name = ? AND archived_at IS NULL
                    """, arguments: [Date(), backupID, sha256, database, server, project])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "project \"\(project)\" is not registered or already archived") }
            try db.execute(sql: "DELETE FROM lifecycle_intent WHERE token = ?", arguments: [intent])
            try Store.insertAudit(entry, db)
        }
    }

    /// Brings an archived project back once its database is restored: clears the archive, points it at the
    /// restored database and forgets the run's record, in one transaction.
    public func registerUnarchived(project: String, dsn: String, token: String, audit entry: AuditEntry) throws {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE project SET archived_at = NULL, archive_backup_id = NULL, archive_sha256 = NULL, archive_database = NULL,
                        archive_server = NULL, dsn = ?, status = 'unknown'
                    WHERE name = ? AND archived_at IS NOT NULL
                    """, arguments: [dsn, project])
            guard db.changesCount == 1 else { throw StoreError(.conflict, "project \"\(project)\" is no longer archived") }
            try db.execute(sql: "DELETE FROM lifecycle_pending WHERE token = ?", arguments: [token])
            try Store.insertAudit(entry, db)
        }
    }

    /// The archived projects, by name, with their archive's backup, checksum, database and server.
    public func archivedProjects() throws -> [ArchivedProject] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT name, archived_at, archive_backup_id, archive_sha256, archive_database, archive_server
                    FROM project WHERE archived_at IS NOT NULL ORDER BY name
                    """
            ).map { row in
                ArchivedProject(
                    name: row[0], archivedAt: row[1], backupID: row[2], sha256: row[3] ?? "", database: row[4] ?? "", server: row[5] ?? "")
            }
        }
    }
}

/// A project whose database `project archive` dropped after a verified backup.
public struct ArchivedProject: Sendable, Equatable {
    public var name: String
    public var archivedAt: Date
    public var backupID: Int64?
    public var sha256: String
    public var database: String
    public var server: String
}
