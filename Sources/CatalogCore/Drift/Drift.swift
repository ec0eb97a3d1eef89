import CatalogStore
import Foundation
import PostgresClient

/// One difference found by `catalog drift`.
public struct DriftItem: Sendable, Equatable {
    /// `schema` compares `_metadata` with the real tables; `shared` compares a project's copy of
    /// a shared definition with the store.
    public enum Layer: String, Sendable {
        case schema, shared
    }

    public var project: String
    public var layer: Layer
    /// missing_table, missing_column, type_mismatch, nullability_mismatch, position_mismatch,
    /// kind_mismatch, unmapped_table, unmapped_column, behind, unknown_version, changed_locally,
    /// trigger_disabled, or local_override (information, not drift).
    public var kind: String
    /// `schema.table` or `schema.table.column`, or the field path for shared fields.
    public var object: String
    public var detail: String
    /// What to do about it, for a front end to word after `detail`.
    public var remedy: CatalogError.Remedy? = nil

    /// The detail with what to do next, the remedy worded by `advice` (a front end's words).
    public func detail(advice: (CatalogError.Remedy) -> String) -> String {
        remedy.map { "\(detail); \(advice($0))" } ?? detail
    }

    /// Local overrides are deliberate: listed, but not drift.
    public var isDrift: Bool { kind != "local_override" }
}

/// Everything `catalog drift` found, and the projects it could not read.
public struct DriftReport: Sendable, Equatable {
    public var items: [DriftItem]
    public var failures: [ProjectFailure]

    public var hasDrift: Bool { items.contains(where: \.isDrift) }
}

extension Catalog {
    /// Compares every selected project's `_metadata` with its real schema, and its copies of shared
    /// definitions with the store, all projects at once.
    public func drift(_ selection: ProjectSelection = ProjectSelection(), options: FanOutOptions = FanOutOptions()) throws -> DriftReport {
        let projects = try searchProjects(selection)
        let work = Dictionary(uniqueKeysWithValues: try syncWork(selection, definitions: []).map { ($0.project.name, $0) })
        let attachments = try wrapped { try store.attachments() }
        let versions = try wrapped { try store.sharedVersions() }.map(Self.sharedVersion)
        let tasks = try projects.map { project in
            let keys = work[project.name]?.keys ?? []
            return FanOutTask(key: project.name, connection: try project.connectionString()) { results in
                switch results.count {
                case 0: Query(MetadataScanner.liveQuery)
                case 1: Query(SchemaDrift.mappedQuery)
                case 2 where !keys.isEmpty: ProjectMappings.readQuery(keys)
                case 2, 3: results.count == (keys.isEmpty ? 2 : 3) ? RevisionSignalStatus.query(hasRevision: false) : nil
                default: nil
                }
            }
        }
        var report = DriftReport(items: [], failures: [])
        for result in options.engine.runBlocking(tasks) {
            guard case .ok(let answers) = result.outcome else {
                report.failures.append(
                    ProjectFailure(
                        project: result.key, outcome: ProjectOutcome(result.outcome, timeout: options.timeout, hint: LiveRead.hint(for: result.key))))
                continue
            }
            report.items += SchemaDrift.compare(project: result.key, live: answers[0], mapped: answers[1])
            if let signal = answers.last, answers.count > 2 {
                report.items += SchemaDrift.disabledTriggers(project: result.key, signal.records.first)
            }
            if answers.count > 3, let work = work[result.key] {
                let ours = try wrapped { try ProjectMappings.parse(answers[2]) }
                report.items += SharedDrift.compare(work, ours: ours, attachments: attachments, versions: versions)
            }
        }
        report.items.sort { ($0.project, $0.layer.rawValue, $0.object, $0.kind) < ($1.project, $1.layer.rawValue, $1.object, $1.kind) }
        report.failures.sort { $0.project < $1.project }
        return report
    }
}

extension SchemaDrift {
    /// A disabled revision trigger: writes to that table are neither counted nor published.
    static func disabledTriggers(project: String, _ record: QueryResult.Record?) -> [DriftItem] {
        RevisionSignalStatus.disabledTriggers(record).map { table in
            DriftItem(
                project: project, layer: .schema, kind: "trigger_disabled", object: table,
                detail:
                    "trigger bump_revision is disabled: writes are neither counted nor published, so searches miss them until the next counted write or a live read; run ALTER TABLE \(table) ENABLE ALWAYS TRIGGER bump_revision"
            )
        }
    }
}

/// `_metadata` against the real catalog: every fact scan owns (the relation's kind, and each column's
/// type, nullability and position) is compared, so a hand edit or a sync that set one differently shows.
enum SchemaDrift {
    static let mappedQuery = """
        SELECT t.pg_schema, t.table_name, t.relation_kind, c.pg_column, c.pg_type, c.is_nullable, c.position
        FROM _metadata.mappings_table t LEFT JOIN _metadata.mappings_column c ON c.table_id = t.id
        """

    /// One relation's facts, from either side; a nil fact in `_metadata` is not compared.
    struct Relation {
        var kind: String?
        var columns: [String: Column] = [:]
    }

    struct Column {
        var type: String?
        var isNullable: Bool?
        var position: Int?
    }

    static func compare(project: String, live: QueryResult, mapped: QueryResult) -> [DriftItem] {
        // Read as scan reads it, so a view column scan knows to be NOT NULL is not drift.
        var real: [String: Relation] = [:]
        for live in MetadataScanner.relations(live) {
            var relation = Relation(kind: live.kind.rawValue)
            for column in live.columns {
                relation.columns[column.name] = Column(type: column.type, isNullable: column.isNullable, position: column.position)
            }
            real["\(live.schema).\(live.name)"] = relation
        }
        var ours: [String: Relation] = [:]
        for record in mapped.records {
            let table = "\(record["pg_schema"] ?? "public").\(record["table_name"] ?? "")"
            var relation = ours[table] ?? Relation(kind: record["relation_kind"])
            if let column = record["pg_column"] {
                relation.columns[column] = Column(type: record["pg_type"], isNullable: record.bool("is_nullable"), position: record.int("position"))
            }
            ours[table] = relation
        }
        var items: [DriftItem] = []
        func add(_ kind: String, _ object: String, _ detail: String, remedy: CatalogError.Remedy? = nil) {
            items.append(DriftItem(project: project, layer: .schema, kind: kind, object: object, detail: detail, remedy: remedy))
        }
        let rescan = CatalogError.Remedy.scanMetadata(project)
        for (table, relation) in ours {
            guard let actual = real[table] else {
                add("missing_table", table, "mapped in _metadata but not in the database")
                continue
            }
            if let kind = relation.kind, let actualKind = actual.kind, kind != actualKind {
                add("kind_mismatch", table, "_metadata says \(kind), the database has a \(actualKind)", remedy: rescan)
            }
            for (column, mapped) in relation.columns {
                guard let realColumn = actual.columns[column] else {
                    add(
                        "missing_column", "\(table).\(column)",
                        "mapped in _metadata but not in the table; add it with ALTER TABLE, or prune the mapping")
                    continue
                }
                let object = "\(table).\(column)"
                if let type = mapped.type, let realType = realColumn.type, type != realType {
                    add("type_mismatch", object, "_metadata says \(type), the table has \(realType)")
                }
                if let nullable = mapped.isNullable, let realNullable = realColumn.isNullable, nullable != realNullable {
                    add(
                        "nullability_mismatch", object,
                        "_metadata says \(nullability(nullable)), the table has \(nullability(realNullable)); change the table with ALTER TABLE if _metadata is right, or record what it has",
                        remedy: rescan)
                }
                if let position = mapped.position, let realPosition = realColumn.position, position != realPosition {
                    add("position_mismatch", object, "_metadata says position \(position), the table has \(realPosition)", remedy: rescan)
                }
            }
            for column in actual.columns.keys where relation.columns[column] == nil {
                add("unmapped_column", "\(table).\(column)", "in the table but not in _metadata", remedy: rescan)
            }
        }
        for table in real.keys where ours[table] == nil {
            add("unmapped_table", table, "in the database but not in _metadata", remedy: rescan)
        }
        return items
    }

    private static func nullability(_ isNullable: Bool) -> String {
        isNullable ? "nullable" : "NOT NULL"
    }
}

/// A project's copies of shared definitions against the store.
enum SharedDrift {
    static func compare(
        _ work: SyncWork, ours: [ProjectMappings.Key: MappedTable], attachments: [StoredAttachment], versions: [SharedVersion]
    ) -> [DriftItem] {
        var items: [DriftItem] = []
        for item in work.items {
            let definition = item.theirs.definition
            let object = "\(definition.schema).\(definition.table)"
            func add(_ kind: String, _ path: String, _ detail: String, remedy: CatalogError.Remedy? = nil) {
                items.append(DriftItem(project: work.project.name, layer: .shared, kind: kind, object: path, detail: detail, remedy: remedy))
            }
            guard let mapped = ours[ProjectMappings.Key(schema: definition.schema, table: definition.table)], mapped.isShared,
                let copyVersion = mapped.sharedVersion
            else {
                add(
                    "behind", object,
                    "\"\(item.definition)\" version \(item.theirs.version) was never synced here", remedy: .syncProject(work.project.name))
                continue
            }
            guard let base = versions.first(where: { $0.name == item.definition && $0.version == copyVersion }) else {
                add("unknown_version", object, "the project says \"\(item.definition)\" version \(copyVersion), which this store does not have")
                continue
            }
            if copyVersion < item.theirs.version {
                add(
                    "behind", object,
                    "at \"\(item.definition)\" version \(copyVersion), the store has \(item.theirs.version)", remedy: .syncProject(work.project.name)
                )
            }
            let attachment = attachments.first { $0.project == work.project.name && $0.definition == item.definition }
            let overrides =
                (try? JSONValue(json: attachment?.overrides ?? "{}")).flatMap { value -> [String: JSONValue]? in
                    if case .object(let object) = value { object } else { nil }
                } ?? [:]
            let baseFields = SyncFields.of(base.definition)
            let ourFields = SyncFields.of(mapped)
            let paths = SyncFields.paths([base.definition], []).filter { path in
                SyncFields.split(path).map { split in base.definition.column(split.column) != nil } ?? true
            }
            for path in paths where ourFields[path] != baseFields[path] {
                let ours = ourFields[path]?.canonicalText ?? "empty"
                let shared = baseFields[path]?.canonicalText ?? "empty"
                if let kept = overrides[path], kept == (ourFields[path] ?? .null) {
                    add("local_override", "\(object) \(path)", "kept local value \(ours) (shared: \(shared))")
                } else {
                    add("changed_locally", "\(object) \(path)", "\(ours) in the project, \(shared) in \"\(item.definition)\" version \(copyVersion)")
                }
            }
        }
        return items
    }
}
