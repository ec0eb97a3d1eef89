import Foundation
import PostgresClient

extension PostgresStore {
    /// Every version of every definition, or of one, oldest first.
    public func sharedVersions(named name: String?) throws -> [StoredSharedVersion] {
        try read { session in
            try session.rows(
                """
                SELECT d.name, v.version, v.body, v.sha256, v.author, v.note, v.created_at
                FROM shared_version v JOIN shared_definition d ON d.id = v.definition_id
                WHERE $1::text IS NULL OR d.name = $1 ORDER BY d.name COLLATE "C", v.version
                """, [name]
            ).map { row in
                StoredSharedVersion(
                    name: row.string(0), version: row.int(1) ?? 0, body: row.string(2), sha256: row.string(3), author: row.string(4),
                    note: row.optionalString(5), createdAt: row.date(6) ?? Date())
            }
        }
    }

    /// Appends a version (version 1 creates the definition); fails if the newest is no longer `expectedPrevious`.
    public func appendSharedVersion(
        name: String, body: String, sha256: String, author: String, note: String?,
        expectedPrevious: Int?, audit entry: AuditEntry
    ) throws -> Int {
        try write { session in
            var definitionID = try Self.definitionID(name, session)
            if let definitionID { try Self.refuseArchived(definitionID, name: name, session) }
            let newest = try definitionID.flatMap {
                try session.row("SELECT max(version) FROM shared_version WHERE definition_id = $1", [$0])?.int(0)
            }
            try StoredSharedVersion.checkAppend(name: name, newest: newest, expectedPrevious: expectedPrevious)
            let now = Date()
            if definitionID == nil {
                definitionID = try session.row(
                    "INSERT INTO shared_definition (name, created_at) VALUES ($1, $2) RETURNING id", [name, now.bound])?.int64(0)
            }
            let version = (newest ?? 0) + 1
            try session.execute(
                """
                INSERT INTO shared_version (definition_id, version, body, sha256, author, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
                """, [definitionID, version, body, sha256, author, note, now.bound])
            try Self.insertAudit(entry, session)
            return version
        }
    }

    /// Every attachment, or those of one definition.
    public func attachments(definition: String?) throws -> [StoredAttachment] {
        try read { session in
            try session.rows(
                """
                SELECT p.name, d.name, a.pinned_version, a.synced_version, a.synced_at, a.overrides
                FROM attachment a JOIN project p ON p.id = a.project_id JOIN shared_definition d ON d.id = a.definition_id
                WHERE $1::text IS NULL OR d.name = $1 ORDER BY d.name COLLATE "C", p.name COLLATE "C"
                """, [definition]
            ).map { row in
                StoredAttachment(
                    project: row.string(0), definition: row.string(1), pinnedVersion: row.int(2), syncedVersion: row.int(3),
                    syncedAt: row.date(4), overrides: row.string(5))
            }
        }
    }

    /// Attaches projects to a definition in one transaction; refuses if any is attached already.
    public func attach(definition: String, projects: [String], pinnedVersion: Int?, audit entry: AuditEntry) throws {
        try write { session in
            guard let definitionID = try Self.definitionID(definition, session) else {
                throw StoreError(.notFound, "shared definition \"\(definition)\" does not exist", remedy: .listShared)
            }
            try Self.refuseArchived(definitionID, name: definition, session)
            for project in projects {
                guard let projectID = try session.row("SELECT id FROM project WHERE name = $1", [project])?.int64(0) else {
                    throw StoreError(.notFound, "project \"\(project)\" is not registered", remedy: .listProjects)
                }
                let exists =
                    try session.row(
                        "SELECT 1 FROM attachment WHERE project_id = $1 AND definition_id = $2", [projectID, definitionID]) != nil
                guard !exists else {
                    throw StoreError(.alreadyExists, "project \"\(project)\" is already attached to \"\(definition)\"; nothing was changed")
                }
                try session.execute(
                    "INSERT INTO attachment (project_id, definition_id, pinned_version, attached_at) VALUES ($1, $2, $3, $4)",
                    [projectID, definitionID, pinnedVersion, Date().bound])
            }
            try Self.insertAudit(entry, session)
        }
    }

    /// Detaches projects from a definition in one transaction; refuses if any is not attached.
    public func detach(definition: String, projects: [String], audit entry: AuditEntry) throws {
        try write { session in
            for project in projects {
                let changed = try session.changes(
                    """
                    DELETE FROM attachment WHERE project_id = (SELECT id FROM project WHERE name = $1)
                      AND definition_id = (SELECT id FROM shared_definition WHERE name = $2)
                    """, [project, definition])
                guard changed == 1 else {
                    throw StoreError(.notFound, "project \"\(project)\" is not attached to \"\(definition)\"; nothing was changed")
                }
            }
            try Self.insertAudit(entry, session)
        }
    }

    /// Records a committed sync into one project: the version now there and the overrides kept.
    public func recordSync(project: String, definition: String, version: Int, overrides: String, audit entry: AuditEntry) throws {
        try write { session in
            try session.execute(
                """
                UPDATE attachment SET synced_version = $1, synced_at = $2, overrides = $3
                WHERE project_id = (SELECT id FROM project WHERE name = $4)
                  AND definition_id = (SELECT id FROM shared_definition WHERE name = $5)
                """, [version, Date().bound, overrides, project, definition])
            try Self.insertAudit(entry, session)
        }
    }

    /// The names of the definitions `shared remove` archived.
    public func archivedSharedNames() throws -> Set<String> {
        try read { session in
            Set(try session.rows("SELECT name FROM shared_definition WHERE archived_at IS NOT NULL").map { $0.string(0) })
        }
    }

    /// Archives a definition whose attachments are exactly `expectedAttached`; its versions stay.
    public func archiveShared(name: String, expectedAttached: [String], audit entry: AuditEntry) throws {
        try write { session in
            guard let definitionID = try Self.definitionID(name, session) else {
                throw StoreError("shared definition \"\(name)\" does not exist", remedy: .listShared)
            }
            try Self.refuseArchived(definitionID, name: name, session)
            let attached = try session.rows(
                """
                SELECT p.name FROM attachment a JOIN project p ON p.id = a.project_id WHERE a.definition_id = $1 ORDER BY p.name COLLATE "C"
                """, [definitionID]
            ).map { $0.string(0) }
            guard attached == expectedAttached.sorted() else {
                throw StoreError(
                    "the projects attached to \"\(name)\" changed while this command ran (now: \(attached.isEmpty ? "none" : attached.joined(separator: ", "))); run it again; nothing was changed"
                )
            }
            try session.execute("DELETE FROM attachment WHERE definition_id = $1", [definitionID])
            try session.execute("UPDATE shared_definition SET archived_at = $1 WHERE id = $2", [Date().bound, definitionID])
            try Self.insertAudit(entry, session)
        }
    }

    static func definitionID(_ name: String, _ session: RegistrySession) throws -> Int64? {
        try session.row("SELECT id FROM shared_definition WHERE name = $1", [name])?.int64(0)
    }

    static func refuseArchived(_ definitionID: Int64, name: String, _ session: RegistrySession) throws {
        if try session.row("SELECT archived_at IS NOT NULL FROM shared_definition WHERE id = $1", [definitionID])?.bool(0) == true {
            throw StoreError(
                "shared definition \"\(name)\" was removed, so it cannot be changed or attached; add a definition under another name",
                remedy: .showSharedVersions(name))
        }
    }
}
