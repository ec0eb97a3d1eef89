import Foundation
import GRDB

/// One stored version of a shared definition; the body is canonical JSON the store does not interpret.
public struct StoredSharedVersion: Sendable, Equatable {
    public var name: String
    public var version: Int
    public var body: String
    public var sha256: String
    public var author: String
    public var note: String?
    public var createdAt: Date
}

extension StoredSharedVersion {
    /// Refuses an append made by a writer that saw another newest version than the store holds
    /// (`expectedPrevious` nil: the definition must not exist yet).
    static func checkAppend(name: String, newest: Int?, expectedPrevious: Int?) throws {
        guard newest != expectedPrevious else { return }
        if newest == nil { throw StoreError("shared definition \"\(name)\" does not exist", remedy: .addShared(name)) }
        if expectedPrevious == nil { throw StoreError("shared definition \"\(name)\" already exists", remedy: .updateShared(name)) }
        throw StoreError("shared definition \"\(name)\" changed while this command ran (now at version \(newest!)); run it again")
    }
}

/// A project's use of a shared definition.
public struct StoredAttachment: Sendable, Equatable {
    public var project: String
    public var definition: String
    public var pinnedVersion: Int?
    public var syncedVersion: Int?
    public var syncedAt: Date?
    /// JSON object text: field path → kept local value.
    public var overrides: String
}

extension Store {
    /// Every version of every definition, or of one, oldest first.
    public func sharedVersions(named name: String?) throws -> [StoredSharedVersion] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.name, v.version, v.body, v.sha256, v.author, v.note, v.created_at
                    FROM shared_version v JOIN shared_definition d ON d.id = v.definition_id
                    WHERE ? IS NULL OR d.name = ? ORDER BY d.name, v.version
                    """, arguments: [name, name]
            ).map { row in
                StoredSharedVersion(
                    name: row["name"], version: row["version"], body: row["body"], sha256: row["sha256"],
                    author: row["author"], note: row["note"], createdAt: row["created_at"])
            }
        }
    }

    /// Appends a version: version 1 creates the definition. `expectedPrevious` guards against a
    /// concurrent writer: the write fails if the newest version is no longer that one.
    public func appendSharedVersion(
        name: String, body: String, sha256: String, author: String, note: String?,
        expectedPrevious: Int?, audit entry: AuditEntry
    ) throws -> Int {
        try write { db in
            var definitionID = try Int64.fetchOne(db, sql: "SELECT id FROM shared_definition WHERE name = ?", arguments: [name])
            if let definitionID { try Store.refuseArchived(definitionID, name: name, db) }
            let newest = try definitionID.flatMap {
                try Int.fetchOne(db, sql: "SELECT max(version) FROM shared_version WHERE definition_id = ?", arguments: [$0])
            }
            try StoredSharedVersion.checkAppend(name: name, newest: newest, expectedPrevious: expectedPrevious)
            let now = Date()
            if definitionID == nil {
                try db.execute(sql: "INSERT INTO shared_definition (name, created_at) VALUES (?, ?)", arguments: [name, now])
                definitionID = db.lastInsertedRowID
            }
            let version = (newest ?? 0) + 1
            try db.execute(
                sql: """
                    INSERT INTO shared_version (definition_id, version, body, sha256, author, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [definitionID, version, body, sha256, author, note, now])
            try Store.insertAudit(entry, db)
            return version
        }
    }

    /// Every attachment, or those of one definition.
    public func attachments(definition: String?) throws -> [StoredAttachment] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT p.name AS project, d.name AS definition, a.pinned_version, a.synced_version, a.synced_at, a.overrides
                    FROM attachment a JOIN project p ON p.id = a.project_id JOIN shared_definition d ON d.id = a.definition_id
                    WHERE ? IS NULL OR d.name = ? ORDER BY d.name, p.name
                    """, arguments: [definition, definition]
            ).map { row in
                StoredAttachment(
                    project: row["project"], definition: row["definition"], pinnedVersion: row["pinned_version"],
                    syncedVersion: row["synced_version"], syncedAt: row["synced_at"], overrides: row["overrides"])
            }
        }
    }

    /// Attaches projects to a definition in one transaction; refuses if any is attached already.
    public func attach(definition: String, projects: [String], pinnedVersion: Int?, audit entry: AuditEntry) throws {
        try write { db in
            guard let definitionID = try Int64.fetchOne(db, sql: "SELECT id FROM shared_definition WHERE name = ?", arguments: [definition]) else {
                throw StoreError(.notFound, "shared definition \"\(definition)\" does not exist", remedy: .listShared)
            }
            try Store.refuseArchived(definitionID, name: definition, db)
            for project in projects {
                guard let projectID = try Int64.fetchOne(db, sql: "SELECT id FROM project WHERE name = ?", arguments: [project]) else {
                    throw StoreError(.notFound, "project \"\(project)\" is not registered", remedy: .listProjects)
                }
                let exists =
                    try Bool.fetchOne(
                        db, sql: "SELECT 1 FROM attachment WHERE project_id = ? AND definition_id = ?", arguments: [projectID, definitionID]) ?? false
                guard !exists else {
                    throw StoreError(.alreadyExists, "project \"\(project)\" is already attached to \"\(definition)\"; nothing was changed")
                }
                try db.execute(
                    sql: "INSERT INTO attachment (project_id, definition_id, pinned_version, attached_at) VALUES (?, ?, ?, ?)",
                    arguments: [projectID, definitionID, pinnedVersion, Date()])
            }
            try Store.insertAudit(entry, db)
        }
    }

    /// Detaches projects from a definition in one transaction; refuses if any is not attached.
    public func detach(definition: String, projects: [String], audit entry: AuditEntry) throws {
        try write { db in
            for project in projects {
                try db.execute(
                    sql: """
                        DELETE FROM attachment WHERE project_id = (SELECT id FROM project WHERE name = ?)
                          AND definition_id = (SELECT id FROM shared_definition WHERE name = ?)
                        """, arguments: [project, definition])
                guard db.changesCount == 1 else {
                    throw StoreError(.notFound, "project \"\(project)\" is not attached to \"\(definition)\"; nothing was changed")
                }
            }
            try Store.insertAudit(entry, db)
        }
    }

    /// Records a committed sync into one project: the version now there and the overrides kept.
    public func recordSync(project: String, definition: String, version: Int, overrides: String, audit entry: AuditEntry) throws {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE attachment SET synced_version = ?, synced_at = ?, overrides = ?
                    WHERE project_id = (SELECT id FROM project WHERE name = ?)
                      AND definition_id = (SELECT id FROM shared_definition WHERE name = ?)
                    """, arguments: [version, Date(), overrides, project, definition])
            try Store.insertAudit(entry, db)
        }
    }

    /// The names of the definitions `shared remove` archived.
    public func archivedSharedNames() throws -> Set<String> {
        try read { db in
            Set(try String.fetchAll(db, sql: "SELECT name FROM shared_definition WHERE archived_at IS NOT NULL"))
        }
    }

    /// Archives a definition in one transaction: its versions stay, its attachments are removed.
    /// `expectedAttached` is what the plan showed; if the attachments differ now, nothing changes.
    public func archiveShared(name: String, expectedAttached: [String], audit entry: AuditEntry) throws {
        try write { db in
            guard let definitionID = try Int64.fetchOne(db, sql: "SELECT id FROM shared_definition WHERE name = ?", arguments: [name]) else {
                throw StoreError("shared definition \"\(name)\" does not exist", remedy: .listShared)
            }
            try Store.refuseArchived(definitionID, name: name, db)
            let attached = try String.fetchAll(
                db,
                sql: """
                    SELECT p.name FROM attachment a JOIN project p ON p.id = a.project_id WHERE a.definition_id = ? ORDER BY p.name
                    """, arguments: [definitionID])
            guard attached == expectedAttached.sorted() else {
                throw StoreError(
                    "the projects attached to \"\(name)\" changed while this command ran (now: \(attached.isEmpty ? "none" : attached.joined(separator: ", "))); run it again; nothing was changed"
                )
            }
            try db.execute(sql: "DELETE FROM attachment WHERE definition_id = ?", arguments: [definitionID])
            try db.execute(sql: "UPDATE shared_definition SET archived_at = ? WHERE id = ?", arguments: [Date(), definitionID])
            try Store.insertAudit(entry, db)
        }
    }

    static func refuseArchived(_ definitionID: Int64, name: String, _ db: Database) throws {
        if try Bool.fetchOne(db, sql: "SELECT archived_at IS NOT NULL FROM shared_definition WHERE id = ?", arguments: [definitionID]) == true {
            throw StoreError(
                "shared definition \"\(name)\" was removed, so it cannot be changed or attached; add a definition under another name",
                remedy: .showSharedVersions(name))
        }
    }
}
