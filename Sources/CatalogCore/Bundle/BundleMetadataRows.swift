import PostgresClient

/// A project's `_metadata` rows as JSON lines (`{"row": {…}, "table": "…"}`), written by PostgreSQL's
/// canonical jsonb output and sorted, so the source's lines and a restored copy's compare as text.
enum BundleMetadataRows {
    /// The counter its triggers bump: a restore may move it, so it is reported, not required to match.
    static let revisionTable = "revision"

    /// Every `_metadata` table's rows, by table name; empty when `_metadata` is not installed.
    static func read(on connection: Connection) throws -> [String: [String]] {
        // jsonb prints timestamps, intervals and bytea in the session's style: fix it, so two servers agree.
        try connection.query(
            """
            SELECT set_config('TimeZone', 'UTC', false), set_config('IntervalStyle', 'postgres', false),
                   set_config('bytea_output', 'hex', false)
            """)
        let tables = try connection.query(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = '_metadata' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            """
        ).records.compactMap { $0["relname"] }
        var rows: [String: [String]] = [:]
        for table in tables {
            let lines = try connection.query(
                "SELECT jsonb_build_object('table', $1::text, 'row', to_jsonb(t))::text AS line FROM _metadata.\(try connection.quoteIdentifier(table)) t",
                [table]
            ).records.compactMap { $0["line"] }
            rows[table] = lines.sorted()
        }
        return rows
    }

    /// All lines in one sorted text, table by table, as `metadata.jsonl` holds them.
    static func text(_ rows: [String: [String]]) -> String {
        rows.keys.sorted().flatMap { rows[$0] ?? [] }.map { $0 + "\n" }.joined()
    }

    /// Reads `metadata.jsonl` back into lines by table.
    static func parse(_ text: String) throws -> [String: [String]] {
        var rows: [String: [String]] = [:]
        for line in text.split(separator: "\n") {
            guard case .object(let object) = try JSONValue(json: String(line)), case .string(let table)? = object["table"] else {
                throw CatalogError("the bundle's \(BundleLayout.metadataRows) has a line that is not a _metadata row; export the project again")
            }
            rows[table, default: []].append(String(line))
        }
        return rows
    }
}
