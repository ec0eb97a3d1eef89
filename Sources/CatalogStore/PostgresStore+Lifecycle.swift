import Foundation
import PostgresClient

extension PostgresStore {
    /// The recorded lifecycle steps, of one server or of all, oldest first.
    public func pendingLifecycle(server: String?) throws -> [PendingLifecycle] {
        try read { session in
            try session.rows(
                """
                SELECT operation, project, server, dsn, database_name, temporary_database, token, started_at
                FROM lifecycle_pending WHERE $1::text IS NULL OR server = $1 ORDER BY id
                """, [server]
            ).map { row in
                PendingLifecycle(
                    operation: row.string(0), project: row.string(1), server: row.string(2), dsn: row.string(3), databaseName: row.string(4),
                    temporaryDatabase: row.string(5), token: row.string(6), startedAt: row.date(7) ?? Date())
            }
        }
    }

    /// Records a step before its database is made; refuses a registered name or one another step is making.
    public func insertPendingLifecycle(_ pending: PendingLifecycle) throws {
        try Self.refusePassword(pending.dsn, project: pending.project)
        try write { session in
            if pending.operation != "unarchive", try Self.fetchProjects(session, .name(pending.project)).first != nil {
                throw StoreError(
                    .alreadyExists, "project \"\(pending.project)\" is already registered", remedy: .renameOrRemoveProject(pending.project))
            }
            guard try session.row("SELECT 1 FROM lifecycle_pending WHERE project = $1", [pending.project]) == nil else {
                throw StoreError(.conflict, "project \"\(pending.project)\" is being made by another catalog command")
            }
            try session.execute(
                """
                INSERT INTO lifecycle_pending (operation, project, server, dsn, database_name, temporary_database, token, started_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """,
                [
                    pending.operation, pending.project, pending.server, pending.dsn, pending.databaseName, pending.temporaryDatabase,
                    pending.token, pending.startedAt.bound,
                ])
        }
    }

    /// Forgets a step whose database is gone (or was never made).
    public func deletePendingLifecycle(token: String) throws {
        try write { session in _ = try session.execute("DELETE FROM lifecycle_pending WHERE token = $1", [token]) }
    }

    /// Registers the project a step made, with its synced attachments, and forgets the step, in one transaction.
    @discardableResult
    public func registerMade(
        _ project: Project, attachments: [CreatedAttachment], token: String, clonedFrom: String?, clonedRevision: Int?,
        audit entry: AuditEntry
    ) throws -> Project {
        try Self.refusePassword(project.dsn, project: project.name)
        return try write { session in
            guard try session.row("SELECT 1 FROM lifecycle_pending WHERE token = $1", [token]) != nil else {
                throw StoreError(.conflict, "the record of making project \"\(project.name)\" is gone (another command cleaned it up)")
            }
            if try Self.fetchProjects(session, .name(project.name)).first != nil {
                throw StoreError(.alreadyExists, "project \"\(project.name)\" is already registered", remedy: .renameOrRemoveProject(project.name))
            }
            let now = Date()
            let id = try Self.insertProjectRow(
                session, name: project.name, dsn: project.dsn, status: Project.Status.ok.rawValue, metadataVersion: project.metadataVersion,
                checkedAt: now, createdAt: project.createdAt)
            try session.execute("UPDATE project SET cloned_from = $1, cloned_revision = $2 WHERE id = $3", [clonedFrom, clonedRevision, id])
            try Self.insertTags(session, id: id, tags: project.tags)
            for attachment in attachments {
                guard let definitionID = try Self.definitionID(attachment.definition, session) else {
                    throw StoreError(.notFound, "shared definition \"\(attachment.definition)\" does not exist", remedy: .listShared)
                }
                try Self.refuseArchived(definitionID, name: attachment.definition, session)
                try session.execute(
                    """
                    INSERT INTO attachment (project_id, definition_id, pinned_version, synced_version, synced_at, overrides, attached_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    """,
                    [
                        id, definitionID, attachment.pinnedVersion, attachment.syncedVersion,
                        attachment.syncedVersion == nil ? nil : now.bound, attachment.overrides, now.bound,
                    ])
            }
            try session.execute("DELETE FROM lifecycle_pending WHERE token = $1", [token])
            try Self.insertAudit(entry, session)
            return try Self.fetchProjects(session, .id(id))[0]
        }
    }

    /// Where a project was cloned from, or nil.
    public func cloneOrigin(project: String) throws -> (source: String, revision: Int?)? {
        try read { session in
            guard let row = try session.row("SELECT cloned_from, cloned_revision FROM project WHERE name = $1", [project]),
                let source = row.optionalString(0)
            else { return nil }
            return (source, row.int(1))
        }
    }

    /// Renames a project with its history in one transaction; `beforeCommit` runs last, inside it.
    @discardableResult
    public func renameProject(
        from old: String, to new: String, dsn: String?, intent: String?, audit entry: AuditEntry, beforeCommit: () throws -> Void
    ) throws -> Project {
        if let dsn { try Self.refusePassword(dsn, project: new) }
        return try write { session in
            guard let project = try Self.fetchProjects(session, .name(old)).first, let id = project.id else {
                throw StoreError(.notFound, "project \"\(old)\" is not registered", remedy: .listProjects)
            }
            if try Self.fetchProjects(session, .name(new)).first != nil {
                throw StoreError(.alreadyExists, "project \"\(new)\" is already registered", remedy: .renameOrRemoveProject(new))
            }
            try session.execute("UPDATE project SET name = $1, dsn = coalesce($2, dsn) WHERE id = $3", [new, dsn, id])
            for table in ["backup", "set_aside_database", "bundle_export"] {
                try session.execute("UPDATE \(table) SET project = $1 WHERE project = $2", [new, old])
            }
            try session.execute("UPDATE project SET cloned_from = $1 WHERE cloned_from = $2", [new, old])
            try session.execute("DELETE FROM lifecycle_intent WHERE token = $1", [intent])
            try Self.insertAudit(entry, session)
            try beforeCommit()
            return try Self.fetchProjects(session, .id(id))[0]
        }
    }

    /// Marks a project archived, with its archive backup's id and checksum and where its database was.
    public func markArchived(
        project: String, backupID: Int64, sha256: String, database: String, server: String, intent: String?, audit entry: AuditEntry
    ) throws {
        try write { session in
            let changed = try session.changes(
                """
                UPDATE project SET archived_at = $1, archive_backup_id = $2, archive_sha256 = $3, archive_database = $4, archive_server = $5
                WHERE name = $6 AND archived_at IS NULL
                """, [Date().bound, backupID, sha256, database, server, project])
            guard changed == 1 else { throw StoreError(.notFound, "project \"\(project)\" is not registered or already archived") }
            try session.execute("DELETE FROM lifecycle_intent WHERE token = $1", [intent])
            try Self.insertAudit(entry, session)
        }
    }

    /// Un-archives a project whose database was restored, and forgets the run's record, in one transaction.
    public func registerUnarchived(project: String, dsn: String, token: String, audit entry: AuditEntry) throws {
        try Self.refusePassword(dsn, project: project)
        try write { session in
            let changed = try session.changes(
                """
                UPDATE project SET archived_at = NULL, archive_backup_id = NULL, archive_sha256 = NULL, archive_database = NULL,
                    archive_server = NULL, dsn = $1, status = 'unknown'
                WHERE name = $2 AND archived_at IS NOT NULL
                """, [dsn, project])
            guard changed == 1 else { throw StoreError(.conflict, "project \"\(project)\" is no longer archived") }
            try session.execute("DELETE FROM lifecycle_pending WHERE token = $1", [token])
            try Self.insertAudit(entry, session)
        }
    }

    /// The archived projects, by name.
    public func archivedProjects() throws -> [ArchivedProject] {
        try read { session in
            try session.rows(
                """
                SELECT name, archived_at, archive_backup_id, archive_sha256, archive_database, archive_server
                FROM project WHERE archived_at IS NOT NULL ORDER BY name COLLATE "C"
                """
            ).map { row in
                ArchivedProject(
                    name: row.string(0), archivedAt: row.date(1) ?? Date(), backupID: row.int64(2), sha256: row.optionalString(3) ?? "",
                    database: row.optionalString(4) ?? "", server: row.optionalString(5) ?? "")
            }
        }
    }
}
