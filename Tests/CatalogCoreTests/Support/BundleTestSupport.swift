import CatalogSupport
import CatalogTestSupport
import Foundation
import PostgresClient

@testable import CatalogCore

/// Helpers for the export, import and relocation tests: a source project with shared definitions, bundles
/// damaged on purpose, and what a database or a store holds, read independently of the code under test.
enum BundleTestSupport {
    /// A source store with the `saas` fixture installed, scanned and attached to two shared definitions
    /// (`users` at version 2, `permissions` at version 1), synced, so its drift is clean.
    struct Source {
        let catalog: Catalog
        let database: String
    }

    static func source(setup: String? = nil) throws -> Source {
        let fleet = try FixtureFleet.make(["saas"])
        if let setup { try fleet.connect("saas").execute(script: setup) }
        let catalog = fleet.catalog
        try catalog.addShared(name: "users", from: "saas:public.users")
        var users = try catalog.sharedVersion("users").definition
        users.label = "People"
        let file = try TestWorkspace.temporaryDirectory().appendingPathComponent("users-v2.yaml")
        try DefinitionFile.yaml(users).write(to: file, atomically: true, encoding: .utf8)
        try catalog.updateShared(name: "users", file: file.path, note: "a label")
        try catalog.addShared(name: "permissions", from: "saas:public.permissions")
        try catalog.attachShared("users", to: ProjectSelection(names: ["saas"]))
        try catalog.attachShared("permissions", to: ProjectSelection(names: ["saas"]))
        let synced = try catalog.sync()
        guard synced.results.allSatisfy({ $0.outcome == .ok }) else { throw CatalogError("sync failed: \(synced.results)") }
        return Source(catalog: catalog, database: fleet.databases["saas"]!)
    }

    /// Exports the source's `saas` project into a new temporary directory.
    static func export(_ source: Source, metadataOnly: Bool = false) throws -> String {
        let path = try TestWorkspace.temporaryDirectory().appendingPathComponent("saas.catalog").path
        _ = try source.catalog.export(project: "saas", to: path, options: exportOptions(metadataOnly: metadataOnly))
        return path
    }

    static func exportOptions(metadataOnly: Bool = false) throws -> ExportOptions {
        ExportOptions(metadataOnly: metadataOnly, connectTimeout: 5, catalogVersion: "test", tools: try BackupTestSupport.tools())
    }

    /// A request for the shared test cluster (or `cluster`), into `database`.
    static func request(
        _ database: String, cluster: TemporaryCluster? = nil, name: String = "copy", createDatabase: Bool = true,
        replace: Bool = false, keepOwners: Bool = false, choice: ImportRequest.SharedChoice = .refuse
    ) throws -> ImportRequest {
        ImportRequest(
            name: name, dsn: try (cluster ?? TestWorkspace.cluster()).url(database: database), createDatabase: createDatabase,
            replace: replace, keepOwners: keepOwners, sharedChoice: choice, connectTimeout: 5,
            backupDirectory: try TestWorkspace.temporaryDirectory().path, catalogVersion: "test",
            tools: try BackupTestSupport.tools())
    }

    /// Opens, plans and runs an import, as the CLI does.
    @discardableResult
    static func importBundle(_ path: String, into catalog: Catalog, _ request: ImportRequest) throws -> ImportResult {
        let contents = try BundleContents(path: path)
        let plan = try catalog.planImport(contents, request: request)
        return try catalog.runImport(plan, bundle: contents, request: request)
    }

    /// A unique database name that does not exist yet.
    static func newDatabaseName(_ prefix: String = "imported") -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    // MARK: What a store and a database hold

    /// Everything an import could change in a store, to show that a refused import changed none of it.
    struct StoreState: Equatable {
        var projects: [String]
        var shared: [String]
        var attachments: [String]
        var backups: Int
        var audit: Int
    }

    static func state(_ catalog: Catalog) throws -> StoreState {
        StoreState(
            projects: try catalog.store.projects().map { "\($0.name) \($0.dsn)" },
            shared: try catalog.store.sharedVersions().map { "\($0.name)@\($0.version) \($0.sha256)" },
            attachments: try catalog.store.attachments().map { "\($0.project) \($0.definition) \($0.pinnedVersion ?? 0) \($0.syncedVersion ?? 0)" },
            backups: try catalog.store.backups().count,
            audit: try catalog.store.auditLog(limit: 10_000).count)
    }

    /// `pg_dump --schema-only --no-owner --no-privileges`, without the random `\restrict` lines of 15.14+.
    static func schemaDump(_ database: String, cluster: TemporaryCluster) throws -> String {
        let dump = try ChildProcess(
            "\(cluster.binDirectory)/pg_dump",
            [
                "--schema-only", "--no-owner", "--no-privileges", "--no-password",
                "--dbname=postgresql://\(cluster.superuser)@127.0.0.1:\(cluster.port)/\(database)",
            ], environment: ["PGPASSWORD": cluster.password]
        ).run()
        guard dump.status == 0 else { throw ClusterError("pg_dump --schema-only failed: \(dump.stderr)") }
        return dump.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("\\restrict") && !$0.hasPrefix("\\unrestrict") }
            .joined(separator: "\n")
    }

    /// Every `_metadata` table's rows as PostgreSQL prints them (in UTC), sorted, by table.
    static func metadataRows(_ database: String, cluster: TemporaryCluster) throws -> [String: [String]] {
        let connection = try cluster.connect(database: database)
        try connection.execute(script: "SET TimeZone = 'UTC'")
        let tables = try connection.query("SELECT tablename FROM pg_tables WHERE schemaname = '_metadata'").records.compactMap { $0["tablename"] }
        var rows: [String: [String]] = [:]
        for table in tables {
            rows[table] = try connection.query("SELECT t::text AS row FROM _metadata.\(try connection.quoteIdentifier(table)) t ORDER BY 1")
                .records.compactMap { $0["row"] }
        }
        return rows
    }

    /// Rows per table, by `schema.table`, on any cluster.
    static func rowCounts(_ database: String, cluster: TemporaryCluster) throws -> [String: Int] {
        let connection = try cluster.connect(database: database)
        let tables = try connection.query(
            """
            SELECT table_schema, table_name FROM information_schema.tables
            WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
            """
        ).records
        var counts: [String: Int] = [:]
        for table in tables {
            let schema = table["table_schema"] ?? "", name = table["table_name"] ?? ""
            let sql = "SELECT count(*) AS n FROM \(try connection.quoteIdentifier(schema)).\(try connection.quoteIdentifier(name))"
            counts["\(schema).\(name)"] = try connection.query(sql).records.first?.int("n")
        }
        return counts
    }

    /// The databases on a cluster named `database` or made from it by an import.
    static func databases(startingWith database: String, cluster: TemporaryCluster? = nil) throws -> Set<String> {
        Set(
            try (cluster ?? TestWorkspace.cluster()).connect()
                .query("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [database]).records.compactMap { $0["datname"] })
    }

    // MARK: Bundles damaged on purpose, read with unzip and zip rather than the code under test

    /// Every entry of a bundle as `unzip` unpacks it, by name.
    static func entries(_ path: String) throws -> [String: Data] {
        let directory = try TestWorkspace.temporaryDirectory().appendingPathComponent("unpacked")
        try run("/usr/bin/unzip", ["-q", path, "-d", directory.path])
        var entries: [String: Data] = [:]
        for name in try entryNames(path) where !name.hasSuffix("/") {
            entries[name] = try Data(contentsOf: directory.appendingPathComponent(name))
        }
        return entries
    }

    /// The names of a bundle's entries, as `unzip -Z1` lists them.
    static func entryNames(_ path: String) throws -> [String] {
        try ChildProcess("/usr/bin/unzip", ["-Z1", path]).run().stdout.split(separator: "\n").map(String.init)
    }

    /// A copy of the bundle in a new directory.
    static func copy(_ path: String) throws -> String {
        let copy = try TestWorkspace.temporaryDirectory().appendingPathComponent("copy.catalog").path
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        return copy
    }

    /// A copy cut to half its size.
    static func truncated(_ path: String) throws -> String {
        let copy = try copy(path)
        let data = try Data(contentsOf: URL(fileURLWithPath: copy))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: copy))
        return copy
    }

    /// A copy with one byte of the stored `pg_dump` archive inverted (its data starts with `PGDMP`).
    static func flipped(_ path: String) throws -> String {
        let copy = try copy(path)
        var data = try Data(contentsOf: URL(fileURLWithPath: copy))
        guard let start = data.firstRange(of: Data("PGDMP".utf8))?.lowerBound else { throw ClusterError("no pg_dump archive in \(path)") }
        data[start + 200] ^= 0xFF
        try data.write(to: URL(fileURLWithPath: copy))
        return copy
    }

    /// A copy whose `manifest.json` is edited by `edit`, re-zipped with `zip` so every ZIP checksum is right.
    static func rewritten(_ path: String, manifest edit: (String) -> String) throws -> String {
        let directory = try TestWorkspace.temporaryDirectory()
        let unpacked = directory.appendingPathComponent("unpacked").path
        try run("/usr/bin/unzip", ["-q", path, "-d", unpacked])
        let manifest = unpacked + "/manifest.json"
        try edit(try String(contentsOfFile: manifest, encoding: .utf8)).write(toFile: manifest, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("rewritten.catalog").path
        try run("/bin/sh", ["-c", "cd '\(unpacked)' && /usr/bin/zip -q -r '\(output)' ."])
        return output
    }

    /// A ZIP archive that is not a bundle: one text file.
    static func plainZip() throws -> String {
        let directory = try TestWorkspace.temporaryDirectory()
        try "hello".write(to: directory.appendingPathComponent("readme.txt"), atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("plain.zip").path
        try run("/bin/sh", ["-c", "cd '\(directory.path)' && /usr/bin/zip -q '\(output)' readme.txt"])
        return output
    }

    private static func run(_ executable: String, _ arguments: [String]) throws {
        let outcome = try ChildProcess(executable, arguments).run()
        guard outcome.status == 0 else { throw ClusterError("\(executable) failed: \(outcome.output)") }
    }
}
