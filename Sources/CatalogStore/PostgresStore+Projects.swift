import Foundation
import PostgresClient

extension PostgresStore {
    /// Every registered project, by name (archived ones left out).
    public func projects() throws -> [Project] {
        try read { session in try Self.fetchProjects(session) }
    }

    /// The project with this name, or nil.
    public func project(named name: String) throws -> Project? {
        try read { session in try Self.fetchProjects(session, .name(name)).first }
    }

    /// Registers a project; refuses a name that is already taken, and a connection string with a password.
    @discardableResult
    public func insert(_ project: Project) throws -> Project {
        try Self.refusePassword(project.dsn, project: project.name)
        return try write { session in
            if try Self.fetchProjects(session, .name(project.name)).first != nil {
                throw StoreError(.alreadyExists, "project \"\(project.name)\" is already registered", remedy: .renameOrRemoveProject(project.name))
            }
            let id = try Self.insertProjectRow(
                session, name: project.name, dsn: project.dsn, status: project.status.rawValue, metadataVersion: nil,
                checkedAt: nil, createdAt: project.createdAt)
            try Self.insertTags(session, id: id, tags: project.tags)
            var stored = project
            stored.id = id
            return stored
        }
    }

    static func insertProjectRow(
        _ session: RegistrySession, name: String, dsn: String, status: String, metadataVersion: Int?, checkedAt: Date?, createdAt: Date
    ) throws -> Int64 {
        let row = try session.row(
            """
            INSERT INTO project (name, dsn, status, metadata_version, last_checked_at, last_reached_at, created_at)
            VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id
            """, [name, dsn, status, metadataVersion, checkedAt.bound, createdAt.bound])
        return row?.int64(0) ?? 0
    }

    static func insertTags(_ session: RegistrySession, id: Int64, tags: [String]) throws {
        guard !tags.isEmpty else { return }
        try session.execute(
            "INSERT INTO project_tag (project_id, tag) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
            [id, PostgresArray.literal(Array(Set(tags)).map { Optional($0) })])
    }

    /// Forgets a project (and its tags, index and attachments); false if it was not registered.
    @discardableResult
    public func deleteProject(named name: String) throws -> Bool {
        try write { session in try session.changes("DELETE FROM project WHERE name = $1", [name]) > 0 }
    }

    /// Changes a project's connection string and tags in one transaction, keeping its id; a new
    /// connection string clears what the last check found and the project's index.
    @discardableResult
    public func updateProject(
        named name: String, dsn: String?, addTags: [String], removeTags: [String],
        audit entry: AuditEntry
    ) throws -> Project {
        if let dsn { try Self.refusePassword(dsn, project: name) }
        return try write { session in
            guard let project = try Self.fetchProjects(session, .name(name)).first, let id = project.id else {
                throw StoreError("project \"\(name)\" is not registered", remedy: .listProjects)
            }
            for tag in removeTags where !project.tags.contains(tag) {
                throw StoreError(
                    "project \"\(name)\" has no tag \"\(tag)\" (its tags: \(project.tags.isEmpty ? "none" : project.tags.joined(separator: ", "))); nothing was changed"
                )
            }
            if let dsn, dsn != project.dsn {
                try session.execute(
                    """
                    UPDATE project SET dsn = $1, status = 'unknown', status_message = NULL, server_version = NULL,
                        metadata_version = NULL, last_checked_at = NULL, last_reached_at = NULL
                    WHERE id = $2
                    """, [dsn, id])
                try Self.deleteIndex(session, projectID: id)
            }
            if !removeTags.isEmpty {
                try session.execute(
                    "DELETE FROM project_tag WHERE project_id = $1 AND tag = ANY($2::text[])",
                    [id, PostgresArray.literal(removeTags.map { Optional($0) })])
            }
            try Self.insertTags(session, id: id, tags: addTags)
            try Self.insertAudit(entry, session)
            return try Self.fetchProjects(session, .id(id))[0]
        }
    }

    /// Records what a check found.
    public func record(_ observation: ProjectObservation, forProject name: String) throws {
        try write { session in try Self.record(observation, forProjects: [name], session) }
    }

    /// Records many checks in one transaction: one statement per distinct observation.
    public func record(_ observations: [(project: String, observation: ProjectObservation)]) throws {
        let groups = Dictionary(grouping: observations, by: \.observation)
        try write { session in
            for (observation, members) in groups {
                try Self.record(observation, forProjects: members.map(\.project), session)
            }
        }
    }

    static func record(_ observation: ProjectObservation, forProjects names: [String], _ session: RegistrySession) throws {
        try session.execute(
            """
            UPDATE project SET status = $1, status_message = $2, last_checked_at = $3,
                server_version = COALESCE($4, server_version),
                metadata_version = CASE WHEN $1 = 'ok' THEN $5::integer ELSE metadata_version END,
                last_reached_at = CASE WHEN $1 = 'ok' THEN $3::timestamptz ELSE last_reached_at END
            WHERE name = ANY($6::text[])
            """,
            [
                observation.status.rawValue, observation.message, observation.at.bound, observation.serverVersion,
                observation.metadataVersion, PostgresArray.literal(names.map { Optional($0) }),
            ])
    }

    /// Which registered projects `fetchProjects` reads.
    enum ProjectKey {
        case all, name(String), id(Int64)

        var condition: (sql: String, parameters: [(any PostgresBindable)?]) {
            switch self {
            // Archived projects leave every listing, search and --all; by name they are still found.
            case .all: return ("archived_at IS NULL", [])
            case .name(let name): return ("name = $1", [name])
            case .id(let id): return ("id = $1", [id])
            }
        }
    }

    static func fetchProjects(_ session: RegistrySession, _ key: ProjectKey = .all) throws -> [Project] {
        let (condition, parameters) = key.condition
        let rows = try session.rows(
            """
            SELECT id, name, dsn, status, status_message, server_version, metadata_version, last_checked_at, last_reached_at, created_at,
                   (SELECT array_agg(tag ORDER BY tag COLLATE "C")::text FROM project_tag WHERE project_id = project.id)
            FROM project WHERE \(condition) ORDER BY name COLLATE "C"
            """, parameters)
        return rows.map { row in
            var project = Project(
                name: row.string(1), dsn: row.string(2), tags: Self.textArray(row.optionalString(10)), createdAt: row.date(9) ?? Date())
            project.id = row.int64(0)
            project.status = Project.Status(rawValue: row.string(3)) ?? .unknown
            project.statusMessage = row.optionalString(4)
            project.serverVersion = row.optionalString(5)
            project.metadataVersion = row.int(6)
            project.lastCheckedAt = row.date(7)
            project.lastReachedAt = row.date(8)
            return project
        }
    }

    /// Reads a one-dimensional text array in PostgreSQL's output format (`{a,"b c",NULL}`).
    static func textArray(_ text: String?) -> [String] {
        guard let text, text.count >= 2 else { return [] }
        var values: [String] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        var escaped = false
        for character in text.dropFirst().dropLast() {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
                wasQuoted = true
            } else if character == ",", !quoted {
                if wasQuoted || current != "NULL" { values.append(current) }
                current = ""
                wasQuoted = false
            } else {
                current.append(character)
            }
        }
        if !text.dropFirst().dropLast().isEmpty, wasQuoted || current != "NULL" { values.append(current) }
        return values
    }

    /// Forgets one project's index rows.
    static func deleteIndex(_ session: RegistrySession, projectID: Int64) throws {
        for table in ["index_column", "index_table", "index_state"] {
            try session.execute("DELETE FROM \(table) WHERE project_id = $1", [projectID])
        }
    }

    // MARK: Audit

    /// Appends one audit entry in its own transaction.
    public func audit(_ entry: AuditEntry) throws {
        try write { session in try Self.insertAudit(entry, session) }
    }

    /// Appends several audit entries in one transaction.
    public func audit(_ entries: [AuditEntry]) throws {
        guard !entries.isEmpty else { return }
        try write { session in for entry in entries { try Self.insertAudit(entry, session) } }
    }

    /// The newest audit entries first.
    public func auditLog(limit: Int) throws -> [AuditEntry] {
        try read { session in
            try session.rows(
                "SELECT at, actor, action, target, result, detail, replica FROM audit_log ORDER BY id DESC LIMIT $1", [limit]
            ).map { row in
                AuditEntry(
                    at: row.date(0) ?? Date(), actor: row.string(1), action: row.string(2), target: row.optionalString(3), result: row.string(4),
                    detail: row.optionalString(5), replica: row.optionalString(6))
            }
        }
    }

    /// The newest audit entries first, of one target and from a time on, when given.
    public func auditLog(target: String?, since: Date?, limit: Int) throws -> [AuditEntry] {
        try read { session in
            try session.rows(
                """
                SELECT at, actor, action, target, result, detail, replica FROM audit_log
                WHERE ($1::text IS NULL OR target = $1) AND ($2::timestamptz IS NULL OR at >= $2) ORDER BY id DESC LIMIT $3
                """, [target, since.bound, limit]
            ).map { row in
                AuditEntry(
                    at: row.date(0) ?? Date(), actor: row.string(1), action: row.string(2), target: row.optionalString(3), result: row.string(4),
                    detail: row.optionalString(5), replica: row.optionalString(6))
            }
        }
    }

    static func insertAudit(_ entry: AuditEntry, _ session: RegistrySession) throws {
        try session.execute(
            "INSERT INTO audit_log (at, actor, action, target, result, detail, replica) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [entry.at.bound, entry.actor, entry.action, entry.target, entry.result, entry.detail, entry.replica])
    }
}
