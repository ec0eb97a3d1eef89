import CatalogCore
import CatalogStore
import CatalogTestSupport
import Foundation
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

    @Test("lint's table, JSON and SARIF outputs on a PostgreSQL store match the SQLite goldens")
    func lintGoldens() throws {
        let (_, registry, config, environment) = try Self.stores()
        let table = try CLIRun.run(["lint", "--config", config], store: registry, environment: environment)
        #expect(table.status == 1, "\(table.stderr)")
        #expect(try Golden.matches(table.stdout, "format/lint.txt"))
        let json = try CLIRun.run(["lint", "--config", config, "--format", "json"], store: registry, environment: environment)
        #expect(try Golden.matches(json.stdout, "format/lint.json"))
        let sarif = try CLIRun.run(["lint", "--config", config, "--format", "sarif"], store: registry, environment: environment)
        #expect(try Golden.matches(sarif.stdout, "format/lint.sarif"))
        #expect(!(table.output + json.output + sarif.output).contains(try TestWorkspace.cluster().password))
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

    @Test("an unreachable registry is one line, its password masked, and says to try again")
    func unreachableRegistry() throws {
        let run = try CLIRun.run(["project", "list"], store: "postgresql://catalog:SECRET-pw@127.0.0.1:1/catalog")
        #expect(run.status == 2)
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("cannot reach the store") && run.stderr.contains("try again"))
        #expect(!run.output.contains("SECRET-pw"))
    }
}
