import Foundation
import GRDB

extension Store {
    /// Every registered project, by name.
    public func projects() throws -> [Project] {
        try read { db in try Store.fetchProjects(db) }
    }

    /// The project with this name, or nil.
    public func project(named name: String) throws -> Project? {
        try read { db in try Store.fetchProjects(db, .name(name)).first }
    }

    /// Registers a project; refuses a name that is already taken.
    @discardableResult
    public func insert(_ project: Project) throws -> Project {
        try write { db in
            if try Store.fetchProjects(db, .name(project.name)).first != nil {
                throw StoreError(.alreadyExists, "project \"\(project.name)\" is already registered", remedy: .renameOrRemoveProject(project.name))
            }
            var row = ProjectRow(
                id: nil, name: project.name, dsn: project.dsn, status: project.status.rawValue,
                status_message: nil, server_version: nil, metadata_version: nil,
                last_checked_at: nil, last_reached_at: nil, created_at: project.createdAt)
            try row.insert(db)
            for tag in Set(project.tags) {
                try db.execute(sql: "INSERT INTO project_tag (project_id, tag) VALUES (?, ?)", arguments: [row.id, tag])
            }
            var stored = project
            stored.id = row.id
            return stored
        }
    }

    /// Forgets a project (and its tags, index and attachments); returns false if it was not registered.
    @discardableResult
    public func deleteProject(named name: String) throws -> Bool {
        let deleted = try write { db in
            try db.execute(sql: "DELETE FROM project WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
        // secure_delete zeroes the row in the new page image; the older images that still hold
        // the DSN sit in the -wal file until it is copied back and emptied. Best effort: a reader
        // in the middle of a transaction leaves part of it for a later checkpoint.
        if deleted { _ = try? pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) } }
        return deleted
    }

    /// Changes a project's connection string and tags in one transaction, keeping its id, so its
    /// attachments, backups and audit history stay with it. A new connection string clears what
    /// the last check found and the project's search index: both described the old database.
    /// Refuses to remove a tag the project does not have; nothing is changed then.
    @discardableResult
    public func updateProject(
        named name: String, dsn: String?, addTags: [String], removeTags: [String],
        audit entry: AuditEntry
    ) throws -> Project {
        try write { db in
            guard let project = try Store.fetchProjects(db, .name(name)).first, let id = project.id else {
                throw StoreError("project \"\(name)\" is not registered", remedy: .listProjects)
            }
            for tag in removeTags where !project.tags.contains(tag) {
                throw StoreError(
                    "project \"\(name)\" has no tag \"\(tag)\" (its tags: \(project.tags.isEmpty ? "none" : project.tags.joined(separator: ", "))); nothing was changed"
                )
            }
            if let dsn, dsn != project.dsn {
                try db.execute(
                    sql: """
                        UPDATE project SET dsn = ?, status = 'unknown', status_message = NULL, server_version = NULL,
                            metadata_version = NULL, last_checked_at = NULL, last_reached_at = NULL
                        WHERE id = ?
                        """, arguments: [dsn, id])
                for table in ["index_column", "index_table", "index_state"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE project_id = ?", arguments: [id])
                }
            }
            for tag in Set(removeTags) {
                try db.execute(sql: "DELETE FROM project_tag WHERE project_id = ? AND tag = ?", arguments: [id, tag])
            }
            for tag in Set(addTags) {
                try db.execute(sql: "INSERT OR IGNORE INTO project_tag (project_id, tag) VALUES (?, ?)", arguments: [id, tag])
            }
            try Store.insertAudit(entry, db)
            return try Store.fetchProjects(db, .id(id))[0]
        }
    }

    /// Records what a check found, for `project list` and `metadata status`.
    public func record(_ observation: ProjectObservation, forProject name: String) throws {
        try write { db in try Store.record(observation, forProject: name, db) }
    }

    static func record(_ observation: ProjectObservation, forProject name: String, _ db: Database) throws {
        try record(observation, forProjects: [name], db)
    }

    /// One statement for every project that saw the same thing: a live read over a thousand
    /// healthy projects writes one row set, not a thousand statements.
    static func record(_ observation: ProjectObservation, forProjects names: [String], _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                UPDATE project SET status = ?1, status_message = ?2, last_checked_at = ?3,
                    server_version = COALESCE(?4, server_version),
                    metadata_version = CASE WHEN ?1 = 'ok' THEN ?5 ELSE metadata_version END,
                    last_reached_at = CASE WHEN ?1 = 'ok' THEN ?3 ELSE last_reached_at END
                WHERE name IN (SELECT value FROM json_each(?6))
                """
        ).execute(arguments: [
            observation.status.rawValue, observation.message, observation.at,
            observation.serverVersion, observation.metadataVersion, try Store.jsonArray(names),
        ])
    }

    /// A JSON array of values, bound as one parameter and read back with `json_each`.
    static func jsonArray<Value: Encodable>(_ values: [Value]) throws -> String {
        String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
    }

    /// Which registered projects `fetchProjects` reads.
    enum ProjectKey {
        case all, name(String), id(Int64)

        var condition: (sql: String, arguments: StatementArguments) {
            switch self {
            // Archived projects (their database dropped) leave every listing, search and --all; by name they are still found.
            case .all: return ("archived_at IS NULL", [])
            case .name(let name): return ("name = ?", [name])
            case .id(let id): return ("id = ?", [id])
            }
        }
    }

    static func fetchProjects(_ db: Database, _ key: ProjectKey = .all) throws -> [Project] {
        let (condition, arguments) = key.condition
        // Stepped by hand, each value read where SQLite holds it: every request of `catalog serve`
        // and every search reads the whole registry, and GRDB's Codable decoding of a thousand rows
        // cost more than the query, as did its `Row` and `DatabaseValue` per value.
        var tagsByProject: [Int64: [String]] = [:]
        try SteppedRows.forEach(try db.makeStatement(sql: "SELECT project_id, tag FROM project_tag ORDER BY tag"), in: db) { row in
            tagsByProject[row.int64(0), default: []].append(row.text(1) ?? "")
        }
        let statement = try db.makeStatement(
            sql: """
                SELECT id, name, dsn, status, status_message, server_version, metadata_version, last_checked_at, last_reached_at, created_at
                FROM project WHERE \(condition) ORDER BY name
                """)
        var projects: [Project] = []
        try SteppedRows.forEach(statement, arguments: arguments, in: db) { row in
            let id = row.int64(0)
            var project = Project(
                name: row.text(1) ?? "", dsn: row.text(2) ?? "", tags: tagsByProject[id] ?? [], createdAt: StoredDate.read(row, 9) ?? Date())
            project.id = id
            project.status = row.text(3).flatMap(Project.Status.init(rawValue:)) ?? .unknown
            project.statusMessage = row.text(4)
            project.serverVersion = row.text(5)
            project.metadataVersion = row.optionalInt(6)
            project.lastCheckedAt = StoredDate.read(row, 7)
            project.lastReachedAt = StoredDate.read(row, 8)
            projects.append(project)
        }
        return projects
    }
}

extension Store {
    /// Records many checks in one transaction.
    public func record(_ observations: [(project: String, observation: ProjectObservation)]) throws {
        let groups = Dictionary(grouping: observations, by: \.observation)
        try write { db in
            for (observation, members) in groups {
                try Store.record(observation, forProjects: members.map(\.project), db)
            }
        }
    }
}
