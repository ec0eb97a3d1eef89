import PostgresClient

/// Every table's row count (ordinary tables, partitions and populated materialized views), by
/// `schema.table`: read in the export's snapshot, and again after a restore to compare.
enum BundleTableCounts {
    static func read(on connection: Connection) throws -> [BundleManifest.TableRows] {
        let tables = try connection.query(
            """
            SELECT n.nspname AS schema, c.relname AS name
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'm') AND c.relispopulated
              AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
            ORDER BY 1, 2
            """
        ).records
        return try tables.map { table in
            let schema = table["schema"] ?? "", name = table["name"] ?? ""
            let sql = "SELECT count(*) AS rows FROM \(try connection.quoteIdentifier(schema)).\(try connection.quoteIdentifier(name))"
            return BundleManifest.TableRows(schema: schema, name: name, rows: try connection.query(sql).records.first?.int("rows") ?? 0)
        }
    }
}
