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
    /// Columns that look renamed; `followed` when their mappings moved with `--follow-renames`.
    public var renames: [ColumnRename] = []
    /// The pruned mappings that held human fields, as `object (label, description)`: what was lost.
    public var humanFieldsPruned: [String] = []

    init(project: String) {
        self.project = project
        self.outcome = .ok
    }

    /// What a carried-out plan did.
    init(_ plan: ProjectScanPlan) {
        self.init(project: plan.project)
        relations = plan.relations
        tablesAdded = plan.newRelations.count
        tablesChanged = plan.kindChanges.count
        columnsAdded = plan.newColumns.count + plan.newRelations.map(\.columns.count).reduce(0, +)
        columnsChanged = plan.columnChanges.count
        missing = plan.missing
        pruned = plan.goneTables.count + plan.goneColumns.count
        renames = plan.renames
        humanFieldsPruned = plan.humanFieldsPruned
    }
}

/// One relation as PostgreSQL's catalog describes it.
struct LiveRelation: Equatable {
    var schema: String
    var name: String
    var kind: RelationKind
    var columns: [LiveColumn]
    /// `pg_class.oid`, which views' rules name their sources by.
    var oid: UInt32? = nil
}

/// One column as PostgreSQL's catalog describes it.
struct LiveColumn: Equatable {
    var name: String
    var type: String
    var isNullable: Bool
    var position: Int
}

/// A field people (or a shared definition) wrote into a mapping, which scan never writes.
struct HumanField: Equatable {
    var name: String
    var value: String

    /// `label "E-mail"`, for plans; JSON rules are shown as they are.
    var text: String { name == "validation_rules" ? "\(name) \(value)" : "\(name) \"\(value)\"" }

    /// The fields that are set, in a fixed order.
    static func set(_ fields: KeyValuePairs<String, String?>) -> [HumanField] {
        fields.compactMap { name, value in value.map { HumanField(name: name, value: $0) } }
    }
}

/// The `_metadata` rows scan compares against: the fields scan owns, and the human fields it must
/// not lose without saying so.
struct MappedRelation {
    var id: Int64
    var kind: String?
    var columns: [String: MappedColumn]
    var humanFields: [HumanField] = []
}

struct MappedColumn {
    var id: Int64
    var name: String
    var type: String?
    var isNullable: Bool?
    var position: Int?
    var humanFields: [HumanField] = []
}

extension Catalog {
    /// Fills and refreshes `_metadata` from each project's real catalog, one transaction per project.
    /// Only PostgreSQL's facts are written; human fields are never touched, except that
    /// `followRenames` moves a renamed column's mapping, human fields and all, to its new name.
    /// `prune` deletes mappings whose relation or column is gone; without it they are only reported.
    public func scanMetadata(
        _ selection: ProjectSelection, prune: Bool = false, followRenames: Bool = false, options: FanOutOptions = FanOutOptions()
    ) throws -> [ScanResult] {
        let projects = try projects(selection)
        let results = BoundedWorkers.map(
            projects, concurrency: options.concurrency, timeout: options.timeout, progress: options.progress, project: { $0.name }
        ) { project, conversation in
            do {
                let connection = try conversation.connect(project.connectionString())
                return ScanResult(try MetadataScanner(connection: connection, project: project.name).scan(prune: prune, followRenames: followRenames))
            } catch {
                var result = ScanResult(project: project.name)
                result.outcome = conversation.outcome(for: error, project: project.name)
                return result
            }
        }
        for result in results {
            audit(
                "metadata.scan", target: result.project, result: result.outcome.label,
                detail: result.outcome.message
                    ?? "+\(result.tablesAdded) tables, +\(result.columnsAdded) columns, \(result.missing.count) missing, \(result.pruned) pruned, \(result.renames.filter(\.followed).count) renames followed"
            )
        }
        return results
    }

    /// What `scanMetadata` would do in each project, read from one snapshot per project; changes nothing.
    public func planScan(
        _ selection: ProjectSelection, prune: Bool = false, followRenames: Bool = false, options: FanOutOptions = FanOutOptions()
    ) throws -> [ProjectScanPlan] {
        let projects = try projects(selection)
        return BoundedWorkers.map(projects, concurrency: options.concurrency, timeout: options.timeout) { project, conversation in
            do {
                let connection = try conversation.connect(project.connectionString())
                return try MetadataScanner(connection: connection, project: project.name).plan(prune: prune, followRenames: followRenames)
            } catch {
                var plan = ProjectScanPlan(project: project.name)
                plan.outcome = conversation.outcome(for: error, project: project.name)
                return plan
            }
        }
    }
}

/// Reads one database's catalog and brings its `_metadata` in line, under the advisory lock.
struct MetadataScanner {
    let connection: Connection
    let project: String

    /// Plans and carries out the plan in one transaction, under the advisory lock.
    func scan(prune: Bool, followRenames: Bool) throws -> ProjectScanPlan {
        try connection.transaction {
            try connection.query("SELECT pg_advisory_xact_lock($1)", [MetadataSchema.advisoryLockKey])
            try requireCurrentMetadata()
            let plan = ScanPlanner.plan(project: project, live: try readLive(), mapped: try readMapped(), prune: prune, followRenames: followRenames)
            try ScanExecutor(connection: connection, project: project).run(plan)
            return plan
        }
    }

    /// Plans from one read-only snapshot.
    func plan(prune: Bool, followRenames: Bool) throws -> ProjectScanPlan {
        try connection.transaction {
            try connection.execute(script: "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            try requireCurrentMetadata()
            return ScanPlanner.plan(project: project, live: try readLive(), mapped: try readMapped(), prune: prune, followRenames: followRenames)
        }
    }

    private func requireCurrentMetadata() throws {
        let applied = try MetadataSchema.applied(on: connection).map(\.version).max()
        guard let applied else {
            throw CatalogError(.failed, "project \"\(project)\" has no _metadata schema", remedy: .installMetadata(project))
        }
        guard applied >= MetadataSchema.latestVersion else {
            throw CatalogError(
                .failed, "project \"\(project)\" has _metadata version \(applied), older than this catalog's \(MetadataSchema.latestVersion)",
                remedy: .upgradeMetadata(project))
        }
    }

    /// Every relation and column, with each view's and materialized view's `_RETURN` rule on its first
    /// row, so `ViewNullability` can tell which view columns are NOT NULL.
    static let liveQuery = """
        SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind, c.oid::bigint AS oid,
               a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
               NOT a.attnotnull AS nullable, a.attnum AS position,
               CASE WHEN c.relkind IN ('v', 'm') AND a.attnum = (SELECT min(f.attnum) FROM pg_attribute f
                                                                WHERE f.attrelid = c.oid AND f.attnum > 0 AND NOT f.attisdropped)
                    THEN (SELECT r.ev_action::text FROM pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename = '_RETURN') END AS view_rule
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema', '_metadata')
          AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
        ORDER BY n.nspname, c.relname, a.attnum
        """

    func readLive() throws -> [LiveRelation] {
        Self.relations(try connection.query(Self.liveQuery))
    }

    /// The relations `liveQuery` answered, view columns' nullability settled by `ViewNullability`.
    static func relations(_ result: QueryResult) -> [LiveRelation] {
        var relations: [LiveRelation] = []
        var rules: [UInt32: String] = [:]
        for record in result.records {
            let schema = record["schema"] ?? ""
            let name = record["name"] ?? ""
            let oid = record["oid"].flatMap { UInt32($0) }
            if relations.last?.schema != schema || relations.last?.name != name {
                relations.append(
                    LiveRelation(
                        schema: schema, name: name, kind: RelationKind(relkind: record["relkind"] ?? "r") ?? .table, columns: [], oid: oid))
            }
            if let oid, let rule = record["view_rule"] { rules[oid] = rule }
            if let column = record["column_name"] {
                relations[relations.count - 1].columns.append(
                    LiveColumn(
                        name: column, type: record["type"] ?? "", isNullable: record.bool("nullable") ?? true, position: record.int("position") ?? 0))
            }
        }
        return ViewNullability.apply(relations, rules: rules)
    }

    struct RelationKey: Hashable {
        var schema: String
        var name: String
    }

    func readMapped() throws -> [RelationKey: MappedRelation] {
        let rows = try connection.query(
            """
            SELECT t.id AS table_id, t.pg_schema, t.table_name, t.relation_kind,
                   t.label AS table_label, t.description AS table_description, t.graphql_type,
                   c.id AS column_id, c.pg_column, c.pg_type, c.is_nullable, c.position,
                   c.label, c.description, c.validation_rules::text AS validation_rules, c.graphql_field
            FROM _metadata.mappings_table t LEFT JOIN _metadata.mappings_column c ON c.table_id = t.id
            """
        ).records
        var mapped: [RelationKey: MappedRelation] = [:]
        for record in rows {
            let key = RelationKey(schema: record["pg_schema"] ?? "public", name: record["table_name"] ?? "")
            let tableID = Int64(record["table_id"] ?? "") ?? 0
            var relation =
                mapped[key]
                ?? MappedRelation(
                    id: tableID, kind: record["relation_kind"], columns: [:],
                    humanFields: HumanField.set([
                        "label": record["table_label"], "description": record["table_description"], "graphql_type": record["graphql_type"],
                    ]))
            if let column = record["pg_column"], let columnID = Int64(record["column_id"] ?? "") {
                relation.columns[column] = MappedColumn(
                    id: columnID, name: column, type: record["pg_type"], isNullable: record.bool("is_nullable"), position: record.int("position"),
                    humanFields: HumanField.set([
                        "label": record["label"], "description": record["description"],
                        "validation_rules": record["validation_rules"], "graphql_field": record["graphql_field"],
                    ]))
            }
            mapped[key] = relation
        }
        return mapped
    }
}
