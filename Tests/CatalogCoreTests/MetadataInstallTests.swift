import CatalogCore
import CatalogSchema
import CatalogStore
import CatalogSupport
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@Suite("Installing and upgrading _metadata")
struct MetadataInstallTests {
    func registered(fixture: String? = "shop") throws -> (Catalog, database: String) {
        let catalog = try TestEnvironment.catalog()
        let database = try TestWorkspace.database(fixture: fixture)
        try catalog.addProject(name: "p", dsn: database.url)
        return (catalog, database.name)
    }

    func columns(_ table: String, database: String) throws -> [String] {
        try TestWorkspace.cluster().connect(database: database).query(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = '_metadata' AND table_name = $1 ORDER BY 1", [table]
        ).records.compactMap { $0["column_name"] }
    }

    @Test("a fresh install creates every table, records checksums, and is idempotent")
    func freshInstall() throws {
        let (catalog, database) = try registered()
        let first = try catalog.installMetadata(ProjectSelection(names: ["p"]))
        #expect(first.first?.outcome == .ok)
        #expect(first.first?.applied == MetadataSchema.migrations.map(\.identifier))
        #expect(first.first?.toVersion == MetadataSchema.latestVersion)
        let second = try catalog.installMetadata(ProjectSelection(names: ["p"]))
        #expect(second.first?.applied == [])
        let connection = try TestWorkspace.cluster().connect(database: database)
        let ledger = try connection.query("SELECT version, checksum FROM _metadata.schema_migrations ORDER BY version").records
        #expect(ledger.map { $0.int("version") } == MetadataSchema.migrations.map(\.version))
        #expect(ledger.map { $0["checksum"] } == MetadataSchema.migrations.map(MetadataSchema.checksum))
        #expect(try columns("mappings_table", database: database).contains("relation_kind"))
        #expect(try columns("mappings_column", database: database).contains("validation_rules"))
        #expect(try catalog.project(named: "p").metadataVersion == MetadataSchema.latestVersion)
    }

    @Test("the revision counter moves with every change to the mappings")
    func revisionCounter() throws {
        let (catalog, database) = try registered()
        try catalog.installMetadata(ProjectSelection(names: ["p"]))
        let connection = try TestWorkspace.cluster().connect(database: database)
        func revision() throws -> Int? { try connection.query("SELECT value FROM _metadata.revision").records.first?.int("value") }
        let before = try revision()
        try connection.query("INSERT INTO _metadata.mappings_table (pg_schema, table_name) VALUES ('public', 'users')")
        let afterInsert = try revision()
        try connection.query("UPDATE _metadata.mappings_table SET label = 'Users'")
        let afterUpdate = try revision()
        #expect(before != nil && afterInsert! > before! && afterUpdate! > afterInsert!)
        #expect {
            try connection.query(
                "INSERT INTO _metadata.mappings_column (table_id, pg_column, validation_rules) SELECT id, 'email', '[1]' FROM _metadata.mappings_table"
            )
        } throws: { error in
            (error as? PostgresError)?.sqlState == "23514"
        }
    }

    @Test("an older _metadata is upgraded in place, keeping its rows")
    func upgrade() throws {
        let (catalog, database) = try registered()
        let first = Array(MetadataSchema.migrations.prefix(1))
        let initial = try catalog.installMetadata(ProjectSelection(names: ["p"]), migrations: first)
        #expect(initial.first?.toVersion == 1)
        let connection = try TestWorkspace.cluster().connect(database: database)
        try connection.query("INSERT INTO _metadata.mappings_table (table_name, label) VALUES ('users', 'People')")
        #expect(try !columns("mappings_table", database: database).contains("pg_schema"))
        let probe = try catalog.probe(ProjectSelection(names: ["p"]))
        #expect(probe.first?.pending == Array(MetadataSchema.migrations.dropFirst().map(\.version)))
        let upgraded = try catalog.installMetadata(ProjectSelection(names: ["p"]))
        #expect(upgraded.first?.fromVersion == 1)
        #expect(upgraded.first?.toVersion == MetadataSchema.latestVersion)
        let row = try connection.query("SELECT pg_schema, relation_kind, label FROM _metadata.mappings_table").records.first
        #expect(row?["pg_schema"] == "public")
        #expect(row?["relation_kind"] == "table")
        #expect(row?["label"] == "People")
    }

    @Test("a _metadata of the original design (mapping tables, no ledger) is adopted: baseline recorded, upgraded, its rows kept")
    func adoptsOriginalDesign() throws {
        let (catalog, database) = try registered()
        let connection = try TestWorkspace.cluster().connect(database: database)
        try connection.execute(script: String(contentsOf: Fixtures.url("metadata/original_design.sql"), encoding: .utf8))
        let result = try #require(catalog.installMetadata(ProjectSelection(names: ["p"])).first)
        #expect(result.outcome == .ok, "\(result.outcome)")
        #expect(result.fromVersion == nil)
        #expect(result.adopted == "0001_mappings")
        #expect(result.applied == Array(MetadataSchema.migrations.dropFirst().map(\.identifier)))
        #expect(result.toVersion == MetadataSchema.latestVersion)
        let ledger = try connection.query("SELECT version, checksum FROM _metadata.schema_migrations ORDER BY version").records
        #expect(ledger.map { $0["checksum"] } == MetadataSchema.migrations.map(MetadataSchema.checksum))
        let users = try #require(connection.query("SELECT pg_schema, relation_kind, label, graphql_type FROM _metadata.mappings_table").records.first)
        #expect(users["pg_schema"] == "public" && users["relation_kind"] == "table" && users["label"] == "Users" && users["graphql_type"] == "User")

        let before = try connection.query("SELECT value FROM _metadata.revision").records.first?.int("value")
        let scanned = try #require(catalog.scanMetadata(.everything).first)
        #expect(scanned.outcome == .ok)
        #expect(try connection.query("SELECT value FROM _metadata.revision").records.first?.int("value") ?? 0 > before ?? 0)
        let email = try connection.query("SELECT label, validation_rules::text AS rules FROM _metadata.mappings_column WHERE pg_column = 'email'")
            .records
        #expect(email.map { $0["label"] } == ["E-mail"] && email.first?["rules"] == #"{"format": "email"}"#)
        #expect(try catalog.installMetadata(ProjectSelection(names: ["p"])).first?.applied == [])
    }

    @Test("original-design tables that differ get one line with the exact SQL to run, nothing changes, and that SQL makes the next install work")
    func adoptionNamesTheFix() throws {
        let (catalog, database) = try registered()
        let connection = try TestWorkspace.cluster().connect(database: database)
        try connection.execute(script: String(contentsOf: Fixtures.url("metadata/original_design.sql"), encoding: .utf8))
        try connection.execute(
            script: """
                ALTER TABLE _metadata.mappings_column DROP COLUMN validation_rules;
                ALTER TABLE _metadata.mappings_column ALTER COLUMN position TYPE text;
                """)
        let fix =
            "ALTER TABLE _metadata.mappings_column ADD COLUMN validation_rules jsonb; ALTER TABLE _metadata.mappings_column ALTER COLUMN position TYPE integer USING position::integer"
        let refused = try #require(catalog.installMetadata(ProjectSelection(names: ["p"])).first)
        #expect(
            refused.outcome.message
                == "project \"p\": its _metadata has mapping tables but no schema_migrations ledger, and they differ from 0001_mappings: _metadata.mappings_column has no column validation_rules, _metadata.mappings_column.position is text, not integer; run '\(fix)' as the table owner, then 'catalog metadata install p' again; nothing was changed"
        )
        #expect(
            try connection.query(
                "SELECT to_regclass('_metadata.schema_migrations') IS NULL AND to_regclass('_metadata.revision') IS NULL AS untouched"
            ).records.first?.bool("untouched") == true)
        try connection.execute(script: fix)
        let adopted = try #require(catalog.installMetadata(ProjectSelection(names: ["p"])).first)
        #expect(adopted.outcome == .ok && adopted.adopted == "0001_mappings")
    }

    @Test("a migration whose file changed after it was applied is refused, and nothing is applied")
    func checksumMismatch() throws {
        let (catalog, database) = try registered()
        try catalog.installMetadata(ProjectSelection(names: ["p"]), migrations: Array(MetadataSchema.migrations.prefix(1)))
        var edited = MetadataSchema.migrations
        edited[0].sql += "\n-- edited after the fact\n"
        let result = try catalog.installMetadata(ProjectSelection(names: ["p"]), migrations: edited)
        #expect(result.first?.outcome.message?.contains("must never change") == true)
        #expect(try !columns("mappings_table", database: database).contains("pg_schema"))
    }

    @Test("a team's own migrations (1000 and up) do not upset install or status")
    func teamMigrationsAreLeftToMigrate() throws {
        let (catalog, database) = try registered()
        try catalog.installMetadata(ProjectSelection(names: ["p"]))
        let connection = try TestWorkspace.cluster().connect(database: database)
        try connection.query("INSERT INTO _metadata.schema_migrations (version, name, checksum) VALUES (1001, 'team_column', 'abc')")
        let again = try catalog.installMetadata(ProjectSelection(names: ["p"]))
        #expect(again.first?.outcome == .ok)
        let probe = try #require(catalog.probe(ProjectSelection(names: ["p"])).first)
        #expect(probe.problem == nil)
        #expect(probe.metadataVersion == 1001)
        #expect(probe.pending.isEmpty)
    }

    @Test("a failing migration leaves no half-installed schema")
    func failingMigration() throws {
        let (catalog, database) = try registered()
        var broken = MetadataSchema.migrations
        broken.append(SchemaMigration(version: 99, name: "broken", sql: "CREATE TABLE _metadata.ok (id int); SELECT no_such_function();"))
        let result = try catalog.installMetadata(ProjectSelection(names: ["p"]), migrations: broken)
        #expect(result.first?.outcome.message?.contains("0099_broken failed") == true)
        let connection = try TestWorkspace.cluster().connect(database: database)
        #expect(try connection.query("SELECT to_regnamespace('_metadata') IS NULL AS gone").records.first?.bool("gone") == true)
    }

    @Test("a role without CREATE on the database gets an explanation and a GRANT to run")
    func lacksCreate() throws {
        let cluster = try TestWorkspace.cluster()
        let database = try TestWorkspace.database(fixture: "shop")
        let admin = try cluster.connect()
        let role = "reader_\(UUID().uuidString.prefix(6).lowercased())"
        try admin.execute(script: "CREATE ROLE \(role) LOGIN PASSWORD 'reader-pass'")
        let catalog = try TestEnvironment.catalog()
        try catalog.addProject(name: "ro", dsn: cluster.url(database: database.name, user: role, password: "reader-pass"))
        let result = try catalog.installMetadata(ProjectSelection(names: ["ro"]))
        let reason = try #require(result.first?.outcome.message)
        #expect(reason.contains("GRANT CREATE ON DATABASE"))
        #expect(!reason.contains("reader-pass"))
        #expect(
            try cluster.connect(database: database.name).query("SELECT to_regnamespace('_metadata') IS NULL AS gone").records.first?.bool("gone")
                == true)
    }

    @Test("two installs at once do not interleave: each migration is applied exactly once")
    func concurrentInstalls() async throws {
        let (catalog, database) = try registered()
        async let first = OwnThread.run { try catalog.installMetadata(ProjectSelection(names: ["p"])) }
        async let second = OwnThread.run { try catalog.installMetadata(ProjectSelection(names: ["p"])) }
        let results = try await [first, second].flatMap { $0 }
        #expect(results.allSatisfy { $0.outcome == .ok })
        #expect(results.map(\.applied.count).sorted() == [0, MetadataSchema.migrations.count])
        let connection = try TestWorkspace.cluster().connect(database: database)
        #expect(
            try connection.query("SELECT count(*) AS n FROM _metadata.schema_migrations").records.first?.int("n") == MetadataSchema.migrations.count)
    }

    @Test("killing an install midway leaves the old _metadata intact")
    func killMidway() throws {
        let cluster = try TestWorkspace.cluster()
        let database = try TestWorkspace.database(fixture: "shop")
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("c.sqlite").path
        let catalog = try Catalog(location: StoreLocation(path: store, isExplicit: true))
        try catalog.addProject(name: "p", dsn: database.url)
        try catalog.installMetadata(ProjectSelection(names: ["p"]), migrations: Array(MetadataSchema.migrations.prefix(1)))

        // Hold a lock that migration 0002's ALTER TABLE must wait for, so the install stops inside its transaction.
        let blocker = try cluster.connect(database: database.name)
        try blocker.execute(script: "BEGIN; LOCK TABLE _metadata.mappings_table IN ACCESS SHARE MODE")
        let child = try ChildProcessHandle.spawn(CLIRun.binary, ["metadata", "install", "p", "--store", store])
        let observer = try cluster.connect(database: database.name)
        let waiting = try TestWorkspace.wait(upTo: 10, every: 0.1) {
            try observer.query(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'catalog' AND wait_event_type = 'Lock'",
                [database.name]
            ).records.first?.int("n") == 1
        }
        #expect(waiting)
        child.kill()
        try blocker.execute(script: "ROLLBACK")
        #expect(try observer.query("SELECT max(version) AS v FROM _metadata.schema_migrations").records.first?.int("v") == 1)
        #expect(
            try observer.query(
                "SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = '_metadata' AND column_name = 'pg_schema'"
            ).records.first?.int("n") == 0)
        let rerun = try catalog.installMetadata(ProjectSelection(names: ["p"]))
        #expect(rerun.first?.toVersion == MetadataSchema.latestVersion)
    }
}

/// A child process we can kill with SIGKILL, for crash tests.
struct ChildProcessHandle {
    let pid: pid_t

    static func spawn(_ executable: String, _ arguments: [String]) throws -> ChildProcessHandle {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let status = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard status == 0 else { throw CatalogError("cannot spawn \(executable)") }
        return ChildProcessHandle(pid: pid)
    }

    func kill() {
        Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
