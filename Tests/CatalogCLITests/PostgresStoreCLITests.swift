import CatalogCore
import CatalogStore
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

/// The same commands on a store kept in PostgreSQL: the lint fleet is copied from SQLite into a
/// throwaway registry, and every command answers as it does on the SQLite store, goldens included.
@Suite("The command line on a PostgreSQL store")
struct PostgresStoreCLITests {
    /// The divergent lint fleet in an SQLite store and the same rows in a new registry.
    static func stores() throws -> (sqlite: String, registry: String, config: String, environment: [String: String]) {
        let directory = try TestWorkspace.temporaryDirectory()
        let sqlite = directory.appendingPathComponent("catalog.sqlite").path
        try LintFleet.make(at: sqlite, divergent: true)
        let config = directory.appendingPathComponent("catalog-lint.yaml").path
        try LintFleet.configYAML.write(toFile: config, atomically: true, encoding: .utf8)
        let registry = try TestWorkspace.database(prefix: "registry").url
        // The registry's local files (backups, tokens) go to a scratch data directory.
        let environment = ["XDG_DATA_HOME": directory.appendingPathComponent("data").path]
        _ = try StoreCopy.run(
            from: StoreLocation(path: sqlite, isExplicit: true), to: StoreLocation.resolve(option: registry, environment: environment))
        return (sqlite, registry, config, environment)
    }

    @Test(
        "reads answer the same on both stores",
        arguments: [
            ["project", "list"], ["project", "list", "--format", "json"], ["project", "list", "--tag", "eu", "--format", "csv"],
            ["find-column", "email", "--cached", "--format", "json"], ["find-column", "^e", "--match", "regex", "--cached"],
            ["find-table", "users", "--cached", "--tag", "us"], ["shared", "show", "users"], ["shared", "list", "--format", "json"],
            ["sql", "SELECT project, count(*) AS n FROM columns GROUP BY project ORDER BY project", "--cached"],
            ["sql", "SELECT shared_name, count(*) FROM shared_tables GROUP BY 1 ORDER BY 1", "--cached", "--format", "csv"],
            ["sql", "SELECT dsn FROM project", "--cached"], ["schedule", "list"], ["project", "show", "p01"],
            // catalog sql on a PostgreSQL store loads only the relations a statement names, ASCII case folded as SQLite does.
            ["sql", #"SELECT count(*) AS n FROM "CoLuMnS" WHERE pg_column LIKE '%mail%'"#, "--cached"],
            ["sql", "SELECT shared_name, count(*) FROM shared_columns GROUP BY 1 ORDER BY 1", "--cached", "--format", "json"],
            ["sql", "SELECT project, relation_kind, count(*) FROM TABLES GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 5", "--cached"],
            ["sql", "SELECT project, status, metadata_version FROM projects ORDER BY 1", "--cached", "--format", "csv"],
            ["sql", "SELECT action, result, count(*) FROM audit GROUP BY 1, 2 ORDER BY 1, 2", "--cached"],
            // ... and only the columns it reads, found by compiling it: joins with USING, a CTE over *, count(*) alone.
            [
                "sql",
                "SELECT t.project, t.table_name, count(c.pg_column) AS n FROM tables t JOIN columns c USING (project, table_name) GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 5",
                "--cached",
            ],
            [
                "sql",
                "WITH x AS (SELECT * FROM columns WHERE label IS NOT NULL) SELECT project, label, count(*) FROM x GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 8",
                "--cached",
            ],
            ["sql", "SELECT count(*) FROM columns", "--cached"],
            ["sql", "SELECT pg_column, is_nullable FROM columns ORDER BY 1, 2 LIMIT 3", "--cached"],
        ])
    func readsAgree(_ arguments: [String]) throws {
        let (sqlite, registry, _, environment) = try Self.stores()
        let onSQLite = try CLIRun.run(arguments, store: sqlite, environment: environment)
        let onPostgres = try CLIRun.run(arguments, store: registry, environment: environment)
        #expect(onPostgres.status == onSQLite.status, "\(onPostgres.output)")
        #expect(Self.withoutClock(onPostgres.stdout) == Self.withoutClock(onSQLite.stdout))
        #expect(onPostgres.stderr == onSQLite.stderr)
    }

    /// The output without the ages counted from now, which move between the two runs.
    static func withoutClock(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("\"age_seconds\"") }.joined(separator: "\n")
    }

    @Test("writes on a PostgreSQL store answer as on SQLite, and a password is refused in one line")
    func writesAgree() throws {
        let (sqlite, registry, _, environment) = try Self.stores()
        let commands: [[String]] = [
            ["project", "add", "billing", "--dsn", "postgresql://app@127.0.0.1:1/billing", "--tag", "eu"],
            ["project", "update", "billing", "--tag", "prod"],
            ["project", "add", "billing", "--dsn", "postgresql://app@127.0.0.1:1/billing"],
            ["project", "remove", "p22"],
            ["project", "list", "--format", "csv"],
        ]
        for arguments in commands {
            let onSQLite = try CLIRun.run(arguments, store: sqlite, environment: environment)
            let onPostgres = try CLIRun.run(arguments, store: registry, environment: environment)
            #expect(onPostgres.status == onSQLite.status, "\(arguments): \(onPostgres.output)")
            #expect(onPostgres.stdout == onSQLite.stdout, "\(arguments)")
            #expect(onPostgres.stderr == onSQLite.stderr, "\(arguments)")
        }
        let secret = try CLIRun.run(
            ["project", "add", "secret", "--dsn", "postgresql://app:s3cret@127.0.0.1:1/secret"], store: registry, environment: environment)
        #expect(secret.status != 0)
        #expect(secret.stderr.split(separator: "\n").count == 1)
        #expect(secret.stderr.contains("passfile"))
        #expect(!secret.output.contains("s3cret"))
        let list = try CLIRun.run(["project", "list", "--format", "csv"], store: registry, environment: environment)
        #expect(!list.stdout.contains("secret"))
    }

    @Test("every read command answers the same on both stores, over the same live projects")
    func liveReadsAgree() throws {
        // Built on PostgreSQL (passfile connection strings), then copied into SQLite: the same rows, the same project databases.
        let fleet = try SampleFleet.make(store: .postgres)
        for arguments in [
            ["shared", "add", "users", "--file", Fixtures.url("definitions/users.yaml").path], ["shared", "attach", "users", "--project", "saas"],
            ["metadata", "scan", "--all"],
        ] {
            let run = try fleet.run(arguments)
            #expect(run.status == 0, "\(arguments): \(run.output)")
        }
        let sqlite = try TestStore.make(.sqlite)
        _ = try StoreCopy.run(from: fleet.store.location, to: sqlite.location)
        let commands: [[String]] = [
            ["project", "list"], ["project", "list", "--format", "json"], ["project", "show", "saas", "--format", "json"],
            ["project", "check", "--all", "--format", "json"], ["metadata", "status", "--all", "--format", "json"],
            ["find-column", "email"], ["find-column", "email", "--cached", "--format", "json"], ["find-table", "users", "--format", "csv"],
            ["describe", "saas", "public.users"], ["describe", "crm", "--cached"], ["shared", "list"], ["shared", "show", "users"],
            ["drift", "--format", "json"], ["history", "--format", "json"], ["history", "--project", "saas"], ["schedule", "list"],
            ["generate", "typescript", "--project", "saas"], ["lint", "--format", "json"],
            ["sql", "SELECT * FROM columns ORDER BY project, pg_schema, table_name, position", "--cached", "--format", "csv"],
            ["sql", "SELECT * FROM shared_columns ORDER BY 1, 2, 3, 5", "--cached"],
            ["sql", "SELECT actor, action, target, result FROM audit ORDER BY at, action", "--cached"],
        ]
        for arguments in commands {
            let onPostgres = try fleet.run(arguments)
            let onSQLite = try sqlite.run(arguments)
            #expect(onPostgres.status == onSQLite.status, "\(arguments): \(onPostgres.output) \(onSQLite.output)")
            #expect(Self.withoutTimes(onPostgres.stdout) == Self.withoutTimes(onSQLite.stdout), "\(arguments)")
            #expect(Self.withoutTimes(onPostgres.stderr) == Self.withoutTimes(onSQLite.stderr), "\(arguments)")
            #expect(!onPostgres.output.contains(fleet.cluster.password), "\(arguments)")
        }
    }

    /// The output with the clock's marks fixed: how long a read took, when an index copy was taken and its age.
    static func withoutTimes(_ text: String) -> String {
        text.replacing(/"(age_seconds|seconds)" : [0-9.]+/) { "\"\($0.1)\" : 0" }
            .replacing(/"fetched_at" : "[^"]*"/, with: "\"fetched_at\" : \"…\"")
            .replacing(/\b[0-9]+ s\b/, with: "N s")
    }

    /// Runs `catalog arguments…` and checks the refusal: exit 2, one line on stderr that says
    /// `text`, nothing on stdout, and no password of the registry anywhere.
    static func refused(_ arguments: [String], store: String? = nil, saying text: String, secret: String, environment: [String: String]) throws {
        let run = try CLIRun.run(arguments, store: store, environment: environment)
        #expect(run.status == 2, "\(arguments): \(run.output)")
        #expect(run.stdout.isEmpty, "\(arguments)")
        #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.hasPrefix("error: "), "\(arguments): \(run.stderr)")
        #expect(run.stderr.contains(text), "\(arguments): \(run.stderr)")
        #expect(!run.output.contains(secret), "\(arguments)")
    }

    @Test("an unreachable registry, a role without CREATE and a registry from a newer catalog are one line each, and change nothing")
    func badRegistries() throws {
        let cluster = try TestWorkspace.cluster()
        let directory = try TestWorkspace.temporaryDirectory()
        let environment = ["XDG_DATA_HOME": directory.appendingPathComponent("data").path]
        let sqlite = directory.appendingPathComponent("catalog.sqlite").path
        #expect(try CLIRun.run(["project", "add", "billing", "--dsn", "host=pg1 dbname=billing"], store: sqlite).status == 0)

        let port = try TemporaryCluster.freePort()
        let unreachable = "postgresql://catalog:hunter2@127.0.0.1:\(port)/registry?connect_timeout=2"
        for arguments in [["project", "list"], ["project", "add", "x", "--dsn", "host=pg1 dbname=x"], ["sql", "SELECT 1", "--cached"]] {
            try Self.refused(
                arguments, store: unreachable, saying: "cannot reach the store postgresql://catalog:****@127.0.0.1:\(port)/registry",
                secret: "hunter2", environment: environment)
        }
        try Self.refused(
            ["store", "copy", "--from", sqlite, "--to", unreachable], saying: "postgresql://catalog:****@127.0.0.1:\(port)/registry",
            secret: "hunter2", environment: environment)

        let withoutCreate = try TestWorkspace.database(prefix: "registry")
        let role = "reader_\(UUID().uuidString.prefix(8).lowercased())"
        try cluster.connect().execute(script: "CREATE ROLE \(role) LOGIN PASSWORD 'pw-\(role)'")
        let readerURL = cluster.url(database: withoutCreate.name, user: role, password: "pw-\(role)")
        try Self.refused(["project", "list"], store: readerURL, saying: "needs CREATE", secret: "pw-\(role)", environment: environment)
        try Self.refused(
            ["store", "copy", "--from", sqlite, "--to", readerURL], saying: "needs CREATE", secret: "pw-\(role)", environment: environment)
        let schemas = try cluster.connect(database: withoutCreate.name).query("SELECT count(*) FROM pg_namespace WHERE nspname = 'catalog'")
        #expect(schemas.rows[0][0] == "0")

        let newer = try TestStore.make(.postgres)
        #expect(try newer.run(["project", "add", "kept", "--dsn", "host=pg1 dbname=kept"]).status == 0)
        let registry = try cluster.connect(database: try #require(try ConnectionString(newer.option).databaseName))
        try registry.execute(script: "INSERT INTO catalog.registry_migration (identifier) VALUES ('9999_from_the_future')")
        for arguments in [["project", "list"], ["project", "add", "other", "--dsn", "host=pg1 dbname=other"]] {
            try Self.refused(
                arguments, store: newer.option, saying: "written by a newer version of catalog", secret: cluster.password,
                environment: newer.environment)
        }
        try Self.refused(
            ["store", "copy", "--from", newer.option, "--to", directory.appendingPathComponent("back.sqlite").path],
            saying: "written by a newer version of catalog", secret: cluster.password, environment: newer.environment)
        #expect(try registry.query("SELECT name FROM catalog.project").rows == [["kept"]])
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("back.sqlite").path))
    }

    @Test("an unreachable registry is one line, its password masked, and says to try again")
    func unreachableRegistry() throws {
        let run = try CLIRun.run(["project", "list"], store: "postgresql://catalog:SECRET-pw@127.0.0.1:1/catalog")
        #expect(run.status == 2)
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("cannot reach the store") && run.stderr.contains("try again"))
        #expect(!run.output.contains("SECRET-pw"))
    }
}
