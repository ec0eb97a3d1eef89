import CatalogStore
import Foundation
import PostgresClient

/// What `metadata scan` found and did in one project.
public struct ScanResult: Sendable, Equatable {
    public var project: String
    public var outcome: ProjectOutcome
    public var relations = 0
    public var tablesAdded = 0
    public var tablesChanged = 0
    public var columnsAdded = 0
    public var columnsChanged = 0
    /// Mapped relations (`schema.table`) and columns (`schema.table.column`) no longer in the database.
    public var missing: [String] = []
    /// How many of the missing ones `--prune` removed.
    public var pruned = 0

    init(project: String) {
        self.project = project
        self.outcome = .ok
    }
}

/// One relation as PostgreSQL's catalog describes it.
struct LiveRelation: Equatable {
    var schema: String
    var name: String
    var kind: RelationKind
    var columns: [LiveColumn]
}

/// One column as PostgreSQL's catalog describes it.
struct LiveColumn: Equatable {
    var name: String
    var type: String
    var isNullable: Bool
    var position: Int
}

/// The `_metadata` rows scan compares against (only the fields scan owns).
struct MappedRelation {
    var id: Int64
    var kind: String?
    var columns: [String: MappedColumn]
}

struct MappedColumn {
    var id: Int64
    var type: String?
    var isNullable: Bool?
    var position: Int?
}

extension Catalog {
    /// Fills and refreshes `_metadata` from each project's real catalog, one transaction per project.
    /// Only PostgreSQL's facts are written; human fields are never touched. `prune` deletes
    /// mappings whose relation or column is gone; without it they are only reported.
    public func scanMetadata(_ selection: ProjectSelection, prune: Bool = false, options: FanOutOptions = FanOutOptions()) throws -> [ScanResult] {
        let projects = try projects(selection)
        let results = BoundedWorkers.map(projects, concurrency: options.concurrency, timeout: options.timeout) { project, conversation in
            var result = ScanResult(project: project.name)
            do {
                let connection = try conversation.connect(project.connectionString())
                try MetadataScanner(connection: connection, project: project.name).scan(prune: prune, into: &result)
            } catch {
                result.outcome = conversation.outcome(for: error, project: project.name)
            }
            return result
        }
        for result in results {
            audit("metadata.scan", target: result.project, result: result.outcome.label,
                  detail: result.outcome.reason ?? "+\(result.tablesAdded) tables, +\(result.columnsAdded) columns, \(result.missing.count) missing, \(result.pruned) pruned")
        }
        return results
    }
}

/// Reads one database's catalog and brings its `_metadata` in line, under the advisory lock.
struct MetadataScanner {
    let connection: Connection
    let project: String

    func scan(prune: Bool, into result: inout ScanResult) throws {
        try connection.transaction {
            try connection.query("SELECT pg_advisory_xact_lock($1)", [MetadataSchema.advisoryLockKey])
            try requireCurrentMetadata()
            let live = try readLive()
            let mapped = try readMapped()
            result.relations = live.count
            try apply(live: live, mapped: mapped, prune: prune, into: &result)
        }
    }

    private func requireCurrentMetadata() throws {
        let applied = try MetadataSchema.applied(on: connection).map(\.version).max()
        guard let applied else {
            throw CatalogError("project \"\(project)\" has no _metadata schema; run 'catalog metadata install \(project)' first")
        }
        guard applied >= MetadataSchema.latestVersion else {
            throw CatalogError("project \"\(project)\" has _metadata version \(applied), older than this catalog's \(MetadataSchema.latestVersion); run 'catalog metadata install \(project)' to upgrade it first")
        }
    }

    static let liveQuery = """
        SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
               a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
               NOT a.attnotnull AS nullable, a.attnum AS position
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema', '_metadata')
          AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
        ORDER BY n.nspname, c.relname, a.attnum
        """

    func readLive() throws -> [LiveRelation] {
        var relations: [LiveRelation] = []
        for record in try connection.query(Self.liveQuery).records {
            let schema = record["schema"] ?? ""
            let name = record["name"] ?? ""
            if relations.last?.schema != schema || relations.last?.name != name {
                relations.append(LiveRelation(schema: schema, name: name, kind: RelationKind(relkind: record["relkind"] ?? "r") ?? .table, columns: []))
            }
            if let column = record["column_name"] {
                relations[relations.count - 1].columns.append(LiveColumn(
                    name: column, type: record["type"] ?? "", isNullable: record.bool("nullable") ?? true, position: record.int("position") ?? 0))
            }
        }
        return relations
    }

    struct RelationKey: Hashable {
        var schema: String
        var name: String
    }

    func readMapped() throws -> [RelationKey: MappedRelation] {
        let rows = try connection.query("""
            SELECT t.id AS table_id, t.pg_schema, t.table_name, t.relation_kind,
                   c.id AS column_id, c.pg_column, c.pg_type, c.is_nullable, c.position
            FROM _metadata.mappings_table t LEFT JOIN _metadata.mappings_column c ON c.table_id = t.id
            """).records
        var mapped: [RelationKey: MappedRelation] = [:]
        for record in rows {
            let key = RelationKey(schema: record["pg_schema"] ?? "public", name: record["table_name"] ?? "")
            let tableID = Int64(record["table_id"] ?? "") ?? 0
            var relation = mapped[key] ?? MappedRelation(id: tableID, kind: record["relation_kind"], columns: [:])
            if let column = record["pg_column"], let columnID = Int64(record["column_id"] ?? "") {
                relation.columns[column] = MappedColumn(id: columnID, type: record["pg_type"], isNullable: record.bool("is_nullable"), position: record.int("position"))
            }
            mapped[key] = relation
        }
        return mapped
    }

    func apply(live: [LiveRelation], mapped: [RelationKey: MappedRelation], prune: Bool, into result: inout ScanResult) throws {
        var newRelations: [LiveRelation] = []
        var kindChanges: [(id: Int64, kind: String)] = []
        var newColumns: [(tableID: Int64, column: LiveColumn)] = []
        var columnChanges: [(id: Int64, column: LiveColumn)] = []
        var goneTables: [Int64] = []
        var goneColumns: [Int64] = []
        let liveKeys = Set(live.map { RelationKey(schema: $0.schema, name: $0.name) })

        for relation in live {
            guard let existing = mapped[RelationKey(schema: relation.schema, name: relation.name)] else {
                newRelations.append(relation)
                continue
            }
            if existing.kind != relation.kind.rawValue { kindChanges.append((existing.id, relation.kind.rawValue)) }
            let liveNames = Set(relation.columns.map(\.name))
            for column in relation.columns {
                guard let current = existing.columns[column.name] else {
                    newColumns.append((existing.id, column))
                    continue
                }
                if current.type != column.type || current.isNullable != column.isNullable || current.position != column.position {
                    columnChanges.append((current.id, column))
                }
            }
            for (name, column) in existing.columns.sorted(by: { $0.key < $1.key }) where !liveNames.contains(name) {
                result.missing.append("\(relation.schema).\(relation.name).\(name)")
                goneColumns.append(column.id)
            }
        }
        for (key, relation) in mapped.sorted(by: { ($0.key.schema, $0.key.name) < ($1.key.schema, $1.key.name) }) where !liveKeys.contains(key) {
            result.missing.append("\(key.schema).\(key.name)")
            goneTables.append(relation.id)
        }

        let insertedIDs = try insertRelations(newRelations)
        for (relation, id) in zip(newRelations, insertedIDs) {
            newColumns += relation.columns.map { (id, $0) }
        }
        try updateKinds(kindChanges)
        try insertColumns(newColumns)
        try updateColumns(columnChanges)
        if prune {
            try delete("mappings_column", ids: goneColumns)
            try delete("mappings_table", ids: goneTables)
            result.pruned = goneColumns.count + goneTables.count
        }
        result.tablesAdded = newRelations.count
        result.tablesChanged = kindChanges.count
        result.columnsAdded = newColumns.count
        result.columnsChanged = columnChanges.count
    }

    private func insertRelations(_ relations: [LiveRelation]) throws -> [Int64] {
        guard !relations.isEmpty else { return [] }
        let rows = try connection.query("""
            INSERT INTO _metadata.mappings_table (pg_schema, table_name, relation_kind)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
            RETURNING id, pg_schema, table_name
            """, [
                PostgresArray.literal(relations.map { Optional($0.schema) }),
                PostgresArray.literal(relations.map { Optional($0.name) }),
                PostgresArray.literal(relations.map { Optional($0.kind.rawValue) }),
            ]).records
        var ids: [RelationKey: Int64] = [:]
        for row in rows {
            ids[RelationKey(schema: row["pg_schema"] ?? "", name: row["table_name"] ?? "")] = row["id"].flatMap { Int64($0) }
        }
        return try relations.map { relation in
            guard let id = ids[RelationKey(schema: relation.schema, name: relation.name)] else {
                throw CatalogError("project \"\(project)\": inserting the mapping of \(relation.schema).\(relation.name) returned no id; nothing was changed")
            }
            return id
        }
    }

    private func updateKinds(_ changes: [(id: Int64, kind: String)]) throws {
        guard !changes.isEmpty else { return }
        try connection.query("""
            UPDATE _metadata.mappings_table t SET relation_kind = u.kind, updated_at = now()
            FROM unnest($1::bigint[], $2::text[]) AS u(id, kind) WHERE t.id = u.id
            """, [PostgresArray.literal(changes.map(\.id)), PostgresArray.literal(changes.map { Optional($0.kind) })])
    }

    private func insertColumns(_ columns: [(tableID: Int64, column: LiveColumn)]) throws {
        guard !columns.isEmpty else { return }
        try connection.query("""
            INSERT INTO _metadata.mappings_column (table_id, pg_column, pg_type, is_nullable, position)
            SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::boolean[], $5::integer[])
            """, [
                PostgresArray.literal(columns.map(\.tableID)),
                PostgresArray.literal(columns.map { Optional($0.column.name) }),
                PostgresArray.literal(columns.map { Optional($0.column.type) }),
                PostgresArray.literal(columns.map { Optional($0.column.isNullable) }),
                PostgresArray.literal(columns.map { Optional($0.column.position) }),
            ])
    }

    private func updateColumns(_ changes: [(id: Int64, column: LiveColumn)]) throws {
        guard !changes.isEmpty else { return }
        try connection.query("""
            UPDATE _metadata.mappings_column c
            SET pg_type = u.type, is_nullable = u.nullable, position = u.position, updated_at = now()
            FROM unnest($1::bigint[], $2::text[], $3::boolean[], $4::integer[]) AS u(id, type, nullable, position)
            WHERE c.id = u.id
            """, [
                PostgresArray.literal(changes.map(\.id)),
                PostgresArray.literal(changes.map { Optional($0.column.type) }),
                PostgresArray.literal(changes.map { Optional($0.column.isNullable) }),
                PostgresArray.literal(changes.map { Optional($0.column.position) }),
            ])
    }

    private func delete(_ table: String, ids: [Int64]) throws {
        guard !ids.isEmpty else { return }
        try connection.query("DELETE FROM _metadata.\(table) WHERE id = ANY($1::bigint[])", [PostgresArray.literal(ids)])
    }
}
