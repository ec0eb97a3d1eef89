import CatalogStore
import PostgresClient

/// What the import planner needs to know, read from the store and the target server before anything changes.
struct ImportFacts: Sendable, Equatable {
    /// The registry already has a project under the requested name.
    var nameTaken: Bool
    /// For each bundled shared definition: the target store's versions, number → SHA-256 (empty when it has none).
    var storeVersions: [String: [Int: String]]
    var target: Target

    /// The target server as found, or why it could not be reached.
    enum Target: Sendable, Equatable {
        case unreachable(String)
        case reachable(TargetServer)
    }

    /// The target server and database.
    struct TargetServer: Sendable, Equatable {
        var databaseExists: Bool
        /// How many objects the target database holds, and the first few by name.
        var objectCount: Int
        var someObjects: [String]
        /// Sessions other than catalog's connected to the target database.
        var otherSessions: Int
        /// Every database name on the server, so new names never collide and leftovers are found.
        var databaseNames: Set<String>
    }

    /// Reads the store's side.
    static func store(
        _ store: any CatalogStoring, manifest: BundleManifest, name: String
    ) throws -> (nameTaken: Bool, versions: [String: [Int: String]]) {
        let taken = try store.project(named: name) != nil
        var versions: [String: [Int: String]] = [:]
        for use in manifest.shared {
            versions[use.name] = Dictionary(uniqueKeysWithValues: try store.sharedVersions(named: use.name).map { ($0.version, $0.sha256) })
        }
        return (taken, versions)
    }

    /// Reads the target server through the maintenance connection (and the target database, when it exists).
    static func server(_ maintenance: Connection, target: ConnectionString, database: String, connectTimeout: Int) throws -> TargetServer {
        let names = Set(try maintenance.query("SELECT datname FROM pg_database").records.compactMap { $0["datname"] })
        guard names.contains(database) else {
            return TargetServer(databaseExists: false, objectCount: 0, someObjects: [], otherSessions: 0, databaseNames: names)
        }
        // Counted before catalog's own connection to the database opens, so it is never among them.
        let otherSessions = try BackupMaintenanceConnection.otherSessions(on: maintenance, database: database)
        let contents = try Connection(target, connectTimeout: connectTimeout).query(
            """
            WITH user_namespace AS (
                SELECT oid, nspname FROM pg_namespace WHERE nspname <> 'information_schema' AND nspname NOT LIKE 'pg\\_%'
            ), object AS (
                SELECT CASE WHEN c.relkind IN ('r', 'p') THEN 1 WHEN c.relkind IN ('v', 'm') THEN 2 ELSE 3 END AS rank,
                       CASE c.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view ' WHEN 'S' THEN 'sequence '
                                      WHEN 'f' THEN 'foreign table ' ELSE 'table ' END || n.nspname || '.' || c.relname AS name,
                       n.nspname = '_metadata' AS catalogs_own
                FROM pg_class c JOIN user_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                UNION ALL
                SELECT 4, 'function ' || n.nspname || '.' || p.proname, n.nspname = '_metadata' FROM pg_proc p JOIN user_namespace n ON n.oid = p.pronamespace
                UNION ALL
                SELECT 5, 'type ' || n.nspname || '.' || t.typname, false FROM pg_type t JOIN user_namespace n ON n.oid = t.typnamespace
                WHERE t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
                UNION ALL
                SELECT 6, 'schema ' || nspname, nspname = '_metadata' FROM user_namespace WHERE nspname <> 'public'
                UNION ALL
                SELECT 7, 'extension ' || extname, false FROM pg_extension WHERE extname <> 'plpgsql'
            )
            SELECT count(*) OVER () AS total, name FROM object ORDER BY catalogs_own, rank, name LIMIT 3
            """
        ).records
        return TargetServer(
            databaseExists: true, objectCount: contents.first?.int("total") ?? 0, someObjects: contents.compactMap { $0["name"] },
            otherSessions: otherSessions, databaseNames: names)
    }
}
