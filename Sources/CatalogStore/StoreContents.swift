import Foundation

/// One value of a stored row, as `catalog store copy` carries it between the two kinds of store.
public enum StoreValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case date(Date)
    case bool(Bool)
}

/// One table of the store, as both implementations lay it out: the same columns, in an order in
/// which each table's references are copied before it.
public struct StoreTable: Sendable, Equatable {
    /// What a column holds, so each store reads and writes it in its own types.
    public enum Kind: Sendable, Equatable {
        case integer, real, text, date, bool
    }

    public var name: String
    public var columns: [(name: String, kind: Kind)]
    /// True when `id` is drawn from a sequence the target must move past the copied ids.
    public var hasIdentity: Bool

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.name == rhs.name && lhs.columns.map(\.name) == rhs.columns.map(\.name) && lhs.hasIdentity == rhs.hasIdentity
    }

    init(_ name: String, identity: Bool = true, _ columns: [(String, Kind)]) {
        self.name = name
        self.columns = columns.map { (name: $0.0, kind: $0.1) }
        self.hasIdentity = identity
    }

    /// Every table, referenced tables first. The migration ledgers are not copied: each store keeps its own.
    public static let all: [StoreTable] = [
        StoreTable(
            "backup",
            [
                ("id", .integer), ("project", .text), ("database_name", .text), ("file", .text), ("size_bytes", .integer),
                ("sha256", .text), ("created_at", .date), ("duration_seconds", .real), ("server_version", .text),
                ("catalog_version", .text), ("verified_at", .date), ("verify_result", .text), ("server", .text), ("lineage", .text),
            ]),
        StoreTable(
            "project",
            [
                ("id", .integer), ("name", .text), ("dsn", .text), ("status", .text), ("status_message", .text), ("server_version", .text),
                ("metadata_version", .integer), ("last_checked_at", .date), ("last_reached_at", .date), ("created_at", .date),
                ("cloned_from", .text), ("cloned_revision", .integer), ("archived_at", .date), ("archive_backup_id", .integer),
                ("archive_sha256", .text), ("archive_database", .text), ("archive_server", .text),
            ]),
        StoreTable("project_tag", identity: false, [("project_id", .integer), ("tag", .text)]),
        StoreTable(
            "audit_log",
            [
                ("id", .integer), ("at", .date), ("actor", .text), ("action", .text), ("target", .text), ("result", .text), ("detail", .text),
                ("replica", .text),
            ]),
        StoreTable(
            "index_state", identity: false,
            [
                ("project_id", .integer), ("revision", .integer), ("metadata_version", .integer), ("fetched_at", .date),
                ("incarnation", .text), ("ctype", .text), ("pg_types", .text),
            ]),
        StoreTable(
            "index_table", identity: false,
            [
                ("project_id", .integer), ("pg_schema", .text), ("table_name", .text), ("name_folded", .text), ("relation_kind", .text),
                ("graphql_type", .text), ("label", .text), ("description", .text), ("is_shared", .bool), ("shared_name", .text),
                ("shared_version", .integer), ("is_partition", .bool),
            ]),
        StoreTable(
            "index_column", identity: false,
            [
                ("project_id", .integer), ("pg_schema", .text), ("table_name", .text), ("relation_kind", .text), ("pg_column", .text),
                ("name_folded", .text), ("pg_type", .text), ("graphql_field", .text), ("label", .text), ("description", .text),
                ("is_nullable", .bool), ("validation_rules", .text), ("position", .integer),
            ]),
        StoreTable(
            "set_aside_database",
            [
                ("id", .integer), ("project", .text), ("database_name", .text), ("backup_id", .integer), ("created_at", .date),
                ("dropped_at", .date),
            ]),
        StoreTable(
            "team_migration", identity: false,
            [
                ("version", .integer), ("name", .text), ("checksum", .text), ("up_sql", .text), ("down_sql", .text), ("file", .text),
                ("registered_at", .date),
            ]),
        StoreTable("shared_definition", [("id", .integer), ("name", .text), ("created_at", .date), ("archived_at", .date)]),
        StoreTable(
            "shared_version", identity: false,
            [
                ("definition_id", .integer), ("version", .integer), ("body", .text), ("sha256", .text), ("author", .text), ("note", .text),
                ("created_at", .date),
            ]),
        StoreTable(
            "attachment", identity: false,
            [
                ("project_id", .integer), ("definition_id", .integer), ("pinned_version", .integer), ("synced_version", .integer),
                ("synced_at", .date), ("overrides", .text), ("attached_at", .date),
            ]),
        StoreTable(
            "bundle_export",
            [
                ("id", .integer), ("project", .text), ("file", .text), ("size_bytes", .integer), ("sha256", .text), ("metadata_only", .bool),
                ("format_version", .integer), ("server_version", .text), ("catalog_version", .text), ("created_at", .date),
                ("duration_seconds", .real),
            ]),
        StoreTable(
            "lifecycle_pending",
            [
                ("id", .integer), ("operation", .text), ("project", .text), ("server", .text), ("dsn", .text), ("database_name", .text),
                ("temporary_database", .text), ("token", .text), ("started_at", .date),
            ]),
        StoreTable(
            "lifecycle_intent",
            [
                ("id", .integer), ("operation", .text), ("project", .text), ("server", .text), ("dsn", .text), ("database_name", .text),
                ("incarnation", .text), ("new_name", .text), ("new_database", .text), ("backup_id", .integer), ("sha256", .text),
                ("verify_database", .text), ("token", .text), ("started_at", .date),
            ]),
        StoreTable(
            "schedule",
            [
                ("id", .integer), ("name", .text), ("kind", .text), ("selection_kind", .text), ("selection_value", .text), ("cron", .text),
                ("timezone", .text), ("every_seconds", .integer), ("keep_last", .integer), ("keep_daily", .integer),
                ("keep_weekly", .integer), ("keep_monthly", .integer), ("created_at", .date), ("last_slot", .date),
            ]),
        StoreTable(
            "schedule_run",
            [
                ("id", .integer), ("schedule_id", .integer), ("slot", .date), ("started_at", .date), ("ended_at", .date), ("outcome", .text),
                ("epoch", .integer), ("bytes", .integer),
            ]),
        StoreTable(
            "schedule_run_project", identity: false,
            [("run_id", .integer), ("project", .text), ("outcome", .text), ("reason", .text), ("bytes", .integer), ("seconds", .real)]),
        StoreTable("alert_hook", [("id", .integer), ("url", .text), ("kinds", .text), ("created_at", .date)]),
        StoreTable(
            "incident",
            [
                ("id", .integer), ("kind", .text), ("project", .text), ("schedule", .text), ("what", .text), ("opened_at", .date),
                ("resolved_at", .date),
            ]),
        StoreTable(
            "scheduler_lease", identity: false, [("id", .integer), ("holder", .text), ("epoch", .integer), ("expires_at", .real)]),
        // Copied, so a lease's epoch keeps growing in the target. `web_session` is left out on purpose:
        // a copied store starts with everyone signed out.
        StoreTable(
            "leader_lease", identity: false, [("name", .text), ("holder", .text), ("epoch", .integer), ("expires_at", .real)]),
    ]
}

/// Every row of a store, table by table (in `StoreTable.all`'s order): what `catalog store copy` reads
/// from one store and loads into another.
public struct StoreContents: Sendable {
    public var tables: [(table: StoreTable, rows: [[StoreValue]])]

    public init(tables: [(table: StoreTable, rows: [[StoreValue]])]) {
        self.tables = tables
    }

    /// Rows per table, by table name.
    public var rowCounts: [String: Int] {
        Dictionary(uniqueKeysWithValues: tables.map { ($0.table.name, $0.rows.count) })
    }
}

extension StoreError {
    /// The refusal to load into a store that holds rows already.
    static func targetNotEmpty(_ label: String, counts: [String: Int]) -> StoreError {
        let held = StoreTable.all.compactMap { table in counts[table.name].flatMap { $0 > 0 ? "\($0) in \(table.name)" : nil } }
        return StoreError(
            .refused,
            "the target store \(label) is not empty (\(held.prefix(3).joined(separator: ", "))\(held.count > 3 ? ", …" : "")); copy into a new, empty store; nothing was changed"
        )
    }
}
