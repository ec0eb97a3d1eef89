import PostgresClient

/// Everything an export reads from the source, all from one snapshot: a REPEATABLE READ transaction that
/// exports its snapshot with `pg_export_snapshot()` and stays open while `pg_dump --snapshot` runs, so the
/// row counts, the `_metadata` rows and both dumps describe the same moment.
struct ExportSnapshot: Sendable {
    /// What `pg_dump --snapshot` takes.
    var id: String
    var source: BundleManifest.Source
    var metadataVersion: Int?
    var objects: [String: Int]
    var tables: [BundleManifest.TableRows]
    var metadataRows: [String: [String]]
    /// The schemas other than `_metadata`, whose data `--metadata-only` leaves out.
    var dataSchemas: [String]

    /// Opens the snapshot, reads it, and runs `body` (the dumps) before the transaction ends.
    static func within<T>(_ connection: Connection, _ body: (ExportSnapshot) throws -> T) throws -> T {
        try connection.transaction {
            try connection.execute(script: "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            guard let id = try connection.query("SELECT pg_export_snapshot() AS id").records.first?["id"] else {
                throw CatalogError("the server did not export a snapshot; export needs PostgreSQL 9.2 or newer on a primary")
            }
            return try body(read(on: connection, snapshot: id))
        }
    }

    private static func read(on connection: Connection, snapshot: String) throws -> ExportSnapshot {
        let database = connection.databaseName
        let facts = try BackupRestoreFacts.read(
            on: connection, database: database, server: connection.serverAddress,
            incarnation: try Incarnation.read(on: connection))
        let version = try connection.query("SELECT current_setting('server_version') AS version").records.first?["version"] ?? ""
        let source = BundleManifest.Source(
            serverVersion: version, serverVersionNumber: connection.serverVersion, database: database,
            encoding: facts.encoding, localeProvider: facts.localeProvider, collate: facts.collate, ctype: facts.ctype,
            providerLocale: facts.providerLocale,
            settings: facts.settings.filter { $0.role == nil }.map { BundleManifest.Setting(name: $0.name, values: $0.values) })
        let metadataVersion = try MetadataSchema.applied(on: connection).map(\.version).filter { $0 < TeamMigrations.firstVersion }.max()
        let schemas = try connection.query(
            """
            SELECT nspname FROM pg_namespace
            WHERE nspname NOT IN ('_metadata', 'information_schema') AND nspname NOT LIKE 'pg\\_%' ORDER BY 1
            """
        ).records.compactMap { $0["nspname"] }
        return ExportSnapshot(
            id: snapshot, source: source, metadataVersion: metadataVersion, objects: try objects(on: connection),
            tables: try BundleTableCounts.read(on: connection), metadataRows: try BundleMetadataRows.read(on: connection),
            dataSchemas: schemas)
    }

    /// How many objects of each kind the user's schemas hold, for the import plan.
    private static func objects(on connection: Connection) throws -> [String: Int] {
        let rows = try connection.query(
            """
            WITH user_namespace AS (
                SELECT oid FROM pg_namespace WHERE nspname <> 'information_schema' AND nspname NOT LIKE 'pg\\_%'
            )
            SELECT CASE c.relkind WHEN 'r' THEN CASE WHEN c.relispartition THEN 'partition' ELSE 'table' END
                       WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                       WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' ELSE 'index' END AS kind, count(*) AS n
            FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM user_namespace) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'i', 'I')
            GROUP BY 1
            UNION ALL
            SELECT 'function', count(*) FROM pg_proc WHERE pronamespace IN (SELECT oid FROM user_namespace)
            UNION ALL
            SELECT 'schema', count(*) FROM user_namespace
            UNION ALL
            SELECT 'extension', count(*) FROM pg_extension WHERE extname <> 'plpgsql'
            """
        ).records
        var objects: [String: Int] = [:]
        for row in rows {
            if let kind = row["kind"], let count = row.int("n"), count > 0 { objects[kind] = count }
        }
        return objects
    }
}
