import CatalogCore
import CatalogSupport
import CatalogTestSupport
import Foundation
import PostgresClient

/// Helpers for the backup, restore and migration tests: registered fixture projects, digests of a
/// database's data, small or read-only file systems, and a server that goes down and comes back.
enum BackupTestSupport {
    /// A fresh store with fixture projects registered under their own names (`saas`, `shop`, `crm`).
    static func fleet(_ fixtures: [String] = Fixtures.projectNames) throws -> (catalog: Catalog, databases: [String: String]) {
        let catalog = try TestEnvironment.catalog()
        var databases: [String: String] = [:]
        for fixture in fixtures {
            let database = try TestWorkspace.database(fixture: fixture)
            try catalog.addProject(name: fixture, dsn: database.url)
            databases[fixture] = database.name
        }
        return (catalog, databases)
    }

    /// The tools of the cluster the tests run against.
    static func tools() throws -> PgTools {
        PgTools(binDirectory: try TestWorkspace.cluster().binDirectory)
    }

    static func backupOptions(directory: String? = nil, concurrency: Int = 2) throws -> BackupOptions {
        BackupOptions(directory: directory, concurrency: concurrency, connectTimeout: 5, catalogVersion: "test", tools: try tools())
    }

    /// The SHA-256 of `pg_dump --data-only`, without the random `\restrict` lines PostgreSQL 15.14+ writes.
    static func dataDigest(_ database: String) throws -> String {
        let cluster = try TestWorkspace.cluster()
        let dump = try ChildProcess(
            "\(cluster.binDirectory)/pg_dump",
            [
                "--data-only", "--no-password", "--dbname=postgresql://\(cluster.superuser)@127.0.0.1:\(cluster.port)/\(database)",
            ], environment: ["PGPASSWORD": cluster.password]
        ).run()
        guard dump.status == 0 else { throw ClusterError("pg_dump --data-only failed: \(dump.stderr)") }
        let kept = dump.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("\\restrict") && !$0.hasPrefix("\\unrestrict") }
            .joined(separator: "\n")
        return try sha256(of: Data(kept.utf8))
    }

    /// Rows per ordinary table, by `schema.table`, on the shared cluster.
    static func rowCounts(_ database: String) throws -> [String: Int] {
        try BundleTestSupport.rowCounts(database, cluster: TestWorkspace.cluster())
    }

    /// The databases on the test cluster whose names start with `database` (itself, and any a restore made
    /// from it); other tests' databases come and go in parallel, so they are left out.
    static func databaseNames(startingWith database: String) throws -> Set<String> {
        Set(
            try TestWorkspace.cluster().connect().query("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [database])
                .records.compactMap { $0["datname"] })
    }

    /// SHA-256 with `sha256sum`, independent of the code under test.
    static func sha256(ofFile path: String) throws -> String {
        let outcome = try ChildProcess("/usr/bin/sha256sum", [path]).run()
        return String(outcome.stdout.prefix(64))
    }

    static func sha256(of data: Data) throws -> String {
        let file = try TestWorkspace.temporaryDirectory().appendingPathComponent("data")
        try data.write(to: file)
        return try sha256(ofFile: file.path)
    }

    /// True when this process may mount file systems (root with CAP_SYS_ADMIN), for the full- and read-only-disk tests.
    static let canMount: Bool = {
        guard geteuid() == 0, let directory = try? TestWorkspace.temporaryDirectory() else { return false }
        guard (try? ChildProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", directory.path]).run().status) == 0 else { return false }
        _ = try? ChildProcess("/bin/umount", [directory.path]).run()
        return true
    }()

    /// Mounts a tmpfs of `kilobytes` (read-only when asked) for the duration of `body`.
    static func withTmpfs<T>(kilobytes: Int, readOnly: Bool = false, _ body: (URL) throws -> T) throws -> T {
        let directory = try TestWorkspace.temporaryDirectory()
        let options = "size=\(kilobytes)k,mode=0700" + (readOnly ? ",ro" : "")
        let mounted = try ChildProcess("/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", directory.path]).run()
        guard mounted.status == 0 else { throw ClusterError("mount failed: \(mounted.output)") }
        defer { _ = try? ChildProcess("/bin/umount", [directory.path]).run() }
        return try body(directory)
    }

    /// A fresh throwaway cluster of its own, for a server that goes down and comes back.
    static func ownCluster() throws -> TemporaryCluster {
        try TemporaryCluster()
    }

    /// Starts a paused cluster again with the options it was started with (`pg_ctl restart` reads them
    /// from `postmaster.opts`), on the same port.
    static func restart(_ cluster: TemporaryCluster) throws {
        let outcome = try ChildProcess(
            "/sbin/runuser",
            [
                "-u", "postgres", "--", "\(cluster.binDirectory)/pg_ctl", "restart", "-D", cluster.dataDirectory,
                "-l", cluster.directory.appendingPathComponent("server.log").path, "-w", "-t", "60",
            ]
        ).run()
        guard outcome.status == 0 else { throw ClusterError("pg_ctl restart failed: \(outcome.output)") }
    }

    /// Inverts one byte in the middle of a file, keeping its size: a corrupted backup.
    static func flipByte(in path: String) throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[data.count / 2] ^= 0xFF
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// A unique role name for tests that need roles (roles are shared by the whole cluster).
    static func roleName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// An SQL script that fills a table with `rows` rows of random text, so its dump is large and incompressible.
    static func bulkScript(rows: Int) -> String {
        """
        CREATE TABLE bulk (id integer PRIMARY KEY, payload text NOT NULL);
        INSERT INTO bulk SELECT g, md5(random()::text) || md5(random()::text) FROM generate_series(1, \(rows)) AS g;
        """
    }

    // MARK: Migrations

    /// A fixture directory of team migrations.
    static func fixtureMigrations(_ name: String) -> String {
        Fixtures.url("migrations/\(name)").path
    }

    /// A temporary migrations directory holding `files` (name → SQL).
    static func migrations(_ files: [String: String]) throws -> String {
        let directory = try TestWorkspace.temporaryDirectory().appendingPathComponent("migrations")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, sql) in files { try sql.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return directory.path
    }

    /// A migration request with short timeouts.
    static func request(
        _ direction: MigrationDirection = .up, to target: Int? = nil, migrations: String? = nil, allowDestructive: Bool = false,
        backupFirst: Bool = false, canary: Int = 0
    ) throws -> MigrationRequest {
        MigrationRequest(
            direction: direction, target: target, migrationsDirectory: migrations, allowDestructive: allowDestructive,
            backupFirst: backupFirst ? try backupOptions() : nil, canary: canary,
            fanOut: FanOutOptions(concurrency: 4, timeout: 5))
    }

    /// Plans and applies in one go, as the CLI does.
    static func migrate(
        _ catalog: Catalog, _ request: MigrationRequest, selection: ProjectSelection = .everything
    ) throws -> [String: MigrationResult] {
        let plan = try catalog.planMigration(selection, request: request)
        let results = try catalog.applyMigration(plan, request: request)
        return Dictionary(uniqueKeysWithValues: results.map { ($0.project, $0) })
    }

    /// Runs `body` for every item at the same time on threads of its own; nil where it threw.
    static func concurrently<Item: Sendable, Output: Sendable>(_ items: [Item], _ body: @escaping @Sendable (Item) throws -> Output) -> [Output?] {
        let results = ConcurrentResults<Output>(items.count)
        let group = DispatchGroup()
        for (index, item) in items.enumerated() {
            group.enter()
            Thread {
                let value = try? body(item)
                results.lock.lock()
                results.values[index] = value
                results.lock.unlock()
                group.leave()
            }.start()
        }
        group.wait()
        return results.values
    }

    /// The versions in a database's `_metadata.schema_migrations`, or [] when there is none.
    static func ledger(_ database: String, cluster: TemporaryCluster? = nil) throws -> [Int] {
        let connection = try (cluster ?? TestWorkspace.cluster()).connect(database: database)
        guard try connection.query("SELECT to_regclass('_metadata.schema_migrations') IS NOT NULL AS present").records.first?.bool("present") == true
        else { return [] }
        return try connection.query("SELECT version FROM _metadata.schema_migrations ORDER BY version").records.compactMap { $0.int("version") }
    }

    /// The type of one `_metadata.mappings_table` column, or nil when it does not exist.
    static func mappingsColumnType(_ column: String, database: String, cluster: TemporaryCluster? = nil) throws -> String? {
        try (cluster ?? TestWorkspace.cluster()).connect(database: database).query(
            """
            SELECT data_type FROM information_schema.columns
            WHERE table_schema = '_metadata' AND table_name = 'mappings_table' AND column_name = $1
            """, [column]
        ).records.first?["data_type"]
    }
}

/// The results of `BackupTestSupport.concurrently`, written by its threads under a lock.
private final class ConcurrentResults<Output>: @unchecked Sendable {
    let lock = NSLock()
    var values: [Output?]

    init(_ count: Int) { values = Array(repeating: nil, count: count) }
}
