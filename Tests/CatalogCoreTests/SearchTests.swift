import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CatalogCLI
@testable import CatalogCore

@Suite("Federated search")
struct SearchTests {
    typealias Row = [String]

    static func rows(_ result: SearchResult) -> [Row] {
        result.matches.map { [$0.project, $0.schema ?? "-", $0.table, $0.column ?? "-", $0.kind ?? "-"] }
    }

    static let expectedEmail: [Row] = [
        ["crm", "marketing", "subscribers", "email", "table"],
        ["crm", "reporting", "account_contacts", "email", "view"],
        ["crm", "reporting", "contact_emails", "email", "materialized_view"],
        ["crm", "sales", "contacts", "email", "table"],
        ["crm", "sales", "legacy_leads", "email", "foreign_table"],
        ["saas", "public", "active_users", "email", "view"],
        ["saas", "public", "users", "email", "table"],
        ["shop", "public", "users", "email", "table"],
    ]

    @Test("find-column email gives exactly the expected rows, live and cached, sorted")
    func findEmail() throws {
        let fleet = try FixtureFleet.make()
        let live = try fleet.catalog.search(SearchQuery(.column, name: "email"))
        #expect(Self.rows(live) == Self.expectedEmail)
        #expect(live.failures.isEmpty)
        #expect(live.sources.allSatisfy { $0.live })
        let cached = try fleet.catalog.search(SearchQuery(.column, name: "email"), cached: true)
        #expect(Self.rows(cached) == Self.expectedEmail)
        #expect(cached.matches == live.matches)
        #expect(cached.sources.allSatisfy { !$0.live && $0.fetchedAt != nil })
        #expect(live.matches.first { $0.project == "shop" }?.type == "character varying(255)")
        #expect(live.matches.allSatisfy { $0.label == "Email" && $0.labelIsDerived })
    }

    @Test(
        "match modes and case folding agree between live and cached",
        arguments: [
            ("email", MatchMode.contains, false),
            ("EMAIL", MatchMode.exact, true),
            ("billing_", MatchMode.prefix, false),
            ("^e?mail", MatchMode.regex, false),
            ("^E.*(SUBJECT|ADDRESS)$", MatchMode.regex, true),
            ("Full Name", MatchMode.exact, false),
        ])
    func matchModes(name: String, mode: MatchMode, ignoreCase: Bool) throws {
        let fleet = try SharedFleet.fleet()
        let query = try SearchQuery(.column, name: name, match: mode, ignoreCase: ignoreCase)
        let live = try fleet.catalog.search(query)
        let cached = try fleet.catalog.search(query, cached: true)
        #expect(!live.matches.isEmpty)
        #expect(live.matches == cached.matches)
        let test = try query.nameTest(for: CharacterRules(ctype: "C.UTF-8"))
        for match in live.matches { #expect(test.matches(match.column!)) }
    }

    @Test("contains finds the near-misses that exact leaves out")
    func nearMisses() throws {
        let fleet = try SharedFleet.fleet()
        let contains = try fleet.catalog.search(SearchQuery(.column, name: "email", match: .contains), in: ProjectSelection(names: ["shop"]))
        #expect(Set(contains.matches.compactMap(\.column)) == ["email", "customer_email", "billing_email_address"])
        let exact = try fleet.catalog.search(SearchQuery(.column, name: "email"), in: ProjectSelection(names: ["shop"]))
        #expect(exact.matches.compactMap(\.column) == ["email"])
    }

    @Test("find-table finds tables across projects, and --tag prunes before connecting")
    func findTable() throws {
        let fleet = try SharedFleet.fleet()
        let users = try fleet.catalog.search(SearchQuery(.table, name: "users"))
        #expect(users.matches.map(\.project) == ["saas", "shop"])
        let prod = try fleet.catalog.search(SearchQuery(.column, name: "email"), in: ProjectSelection(tags: ["internal"]))
        #expect(Set(prod.matches.map(\.project)) == ["crm"])
        #expect(prod.sources.map(\.project) == ["crm"])
    }

    @Test("names with quotes, spaces, Unicode and mixed case are stored and found")
    func awkwardNames() throws {
        let database = try TestWorkspace.database(
            script: #"""
                CREATE SCHEMA "Straße";
                CREATE TABLE "Straße"."Kunden ""VIP""" ("E-Mail Adresse" text, "ÉMAIL" text, "it's" int);
                """#)
        let catalog = try TestEnvironment.catalog()
        try catalog.addProject(name: "odd", dsn: database.url)
        try catalog.installMetadata(.everything)
        try catalog.scanMetadata(.everything)
        for (name, mode, ignoreCase) in [
            ("E-Mail Adresse", MatchMode.exact, false), ("émail", .exact, true), ("it's", .exact, false), ("mail", .contains, true),
        ] {
            let query = try SearchQuery(.column, name: name, match: mode, ignoreCase: ignoreCase)
            let live = try catalog.search(query)
            #expect(!live.matches.isEmpty, "live \(name)")
            #expect(live.matches.allSatisfy { $0.schema == "Straße" && $0.table == "Kunden \"VIP\"" })
            #expect(try catalog.search(query, cached: true).matches == live.matches, "cached \(name)")
        }
    }

    @Test(
        "regular expressions are PostgreSQL's, live and cached alike",
        arguments: [
            ("email\\b", false), ("email\\y", false), ("[[:<:]]email", false), ("\\memail\\M", false),
            ("^[[:alpha:]_]+$", true), ("E(MAIL)?$", true), ("_\\w*address", false), ("^[[:upper:]]", true),
        ])
    func regexDialect(pattern: String, ignoreCase: Bool) throws {
        let fleet = try SharedFleet.fleet()
        let query = try SearchQuery(.column, name: pattern, match: .regex, ignoreCase: ignoreCase)
        let live = try fleet.catalog.search(query)
        #expect(live.failures.isEmpty)
        #expect(try fleet.catalog.search(query, cached: true).matches == live.matches)
        if pattern == "email\\b" { #expect(live.matches.isEmpty, "\\b is a backspace in PostgreSQL") }
        if pattern == "email\\y" { #expect(!live.matches.isEmpty) }
    }

    @Test("a pattern PostgreSQL rejects is refused before any connection, in PostgreSQL's words")
    func regexRefusedUpFront() throws {
        #expect { try SearchQuery(.column, name: "\\p{L}", match: .regex) } throws: { "\($0)".contains("invalid escape \\ sequence") }
        #expect { try SearchQuery(.column, name: "a**", match: .regex) } throws: { "\($0)".contains("quantifier operand invalid") }
        let fleet = try SharedFleet.fleet()
        let query = try SearchQuery(.column, name: "(e)\\1", match: .regex, ignoreCase: true)
        #expect { try fleet.catalog.search(query, cached: true) } throws: { ($0 as? CatalogError)?.remedy == .searchLive }
    }

    @Test("a cached regular expression is compiled once per search, not once per row")
    func compiledOncePerSearch() throws {
        let fleet = try SharedFleet.fleet()
        let query = try SearchQuery(
            .column, name: "[[:alpha:]][[:alnum:]][[:punct:]][[:print:]][[:graph:]][[:lower:]]x",
            match: .regex, ignoreCase: true)
        let rules = CharacterRules(ctype: "C.UTF-8")
        _ = try query.nameTest(for: rules)
        let compileStart = Date()
        for _ in 0..<5 { _ = try query.nameTest(for: rules) }
        let compile = Date().timeIntervalSince(compileStart) / 5
        let projects = try fleet.catalog.searchProjects(ProjectSelection()).map(\.name)
        let rows = try fleet.catalog.store.indexedColumns(projects: projects, filter: .all).count
        let searchStart = Date()
        _ = try fleet.catalog.search(query, cached: true)
        let search = Date().timeIntervalSince(searchStart)
        #expect(rows >= 50)
        #expect(search < compile * Double(rows) / 3, "one compilation takes \(compile) s and the search over \(rows) rows \(search) s")
    }

    @Test(
        "--ignore-case folds as each database's LC_CTYPE does, live and cached",
        arguments: [
            ("é", MatchMode.regex), ("^[[:alpha:]]+$", .regex), ("éclair", .exact), ("id", .exact), ("éCL", .prefix), ("éC", .contains),
        ])
    func ctypeFolding(name: String, mode: MatchMode) throws {
        let cluster = try TestWorkspace.cluster()
        let catalog = try TestEnvironment.catalog()
        for (project, ctype) in [("ascii", "C"), ("unicode", "C.UTF-8")] {
            let database = "ctype_\(project)_\(UUID().uuidString.prefix(8).lowercased())"
            try cluster.connect().execute(
                script: "CREATE DATABASE \(database) TEMPLATE template0 ENCODING 'UTF8' LC_CTYPE '\(ctype)' LC_COLLATE '\(ctype)'")
            try cluster.connect(database: database).execute(script: #"CREATE TABLE pastry ("Éclair" text, "İD" int, plain int)"#)
            try catalog.addProject(name: project, dsn: cluster.url(database: database))
        }
        try catalog.installMetadata(.everything)
        try catalog.scanMetadata(.everything)
        let query = try SearchQuery(.column, name: name, match: mode, ignoreCase: true)
        let live = try catalog.search(query)
        #expect(live.failures.isEmpty)
        #expect(live.matches.contains { $0.project == "unicode" }, "C.UTF-8 folds É and İ")
        #expect(!live.matches.contains { $0.project == "ascii" && $0.column != "plain" }, "C folds ASCII only")
        #expect(try catalog.search(query, cached: true).matches == live.matches)
        #expect(try Set(catalog.store.indexStates().values.map(\.ctype)) == ["C", "C.UTF-8"])
    }

    @Test("find-column output is pinned in every format")
    func outputIsPinned() throws {
        let fleet = try SharedFleet.fleet()
        let result = try fleet.catalog.search(SearchQuery(.column, name: "email"))
        let stable = SearchResult(
            matches: result.matches, failures: [ProjectFailure(project: "down", outcome: .failed("connection refused"))], sources: [])
        #expect(try Golden.matches(SearchOutput.render(stable, target: .column, format: .table), "format/find-column-email.txt"))
        #expect(try Golden.matches(SearchOutput.render(stable, target: .column, format: .json), "format/find-column-email.json"))
        #expect(try Golden.matches(SearchOutput.render(stable, target: .column, format: .csv), "format/find-column-email.csv"))
    }

    @Test("a project without _metadata fails with a hint while the others answer")
    func missingMetadata() throws {
        let fleet = try FixtureFleet.make(["shop"])
        let bare = try TestWorkspace.database(fixture: "saas")
        try fleet.catalog.addProject(name: "bare", dsn: bare.url)
        let result = try fleet.catalog.search(SearchQuery(.column, name: "email"))
        #expect(result.matches.map(\.project) == ["shop"])
        #expect(result.failures.map(\.project) == ["bare"])
        #expect(result.failures.first?.outcome.remedy == .installAndScanMetadata("bare"))
        #expect(result.isPartial)
        let run = try CLIRun.run(["find-column", "email", "--format", "json"], store: fleet.storePath)
        #expect(run.status == 1)
        let document = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect((document?["matches"] as? [[String: Any]])?.count == 1)
        #expect((document?["failures"] as? [[String: Any]])?.first?["project"] as? String == "bare")
    }

    @Test("a hanging server times out and a dead one fails, while the others answer")
    func deadAndHangingServers() throws {
        let fleet = try FixtureFleet.make(["shop"])
        let silent = try SilentServer()
        try fleet.catalog.addProject(name: "hangs", dsn: "postgresql://postgres@127.0.0.1:\(silent.port)/x")
        try fleet.catalog.addProject(name: "dead", dsn: "postgresql://postgres@127.0.0.1:\(try TemporaryCluster.freePort())/x")
        let result = try fleet.catalog.search(SearchQuery(.column, name: "email"), options: FanOutOptions(concurrency: 4, timeout: 1.5))
        #expect(result.matches.map(\.project) == ["shop"])
        let outcomes = Dictionary(uniqueKeysWithValues: result.failures.map { ($0.project, $0.outcome.label) })
        #expect(outcomes == ["hangs": "timed_out", "dead": "failed"])
    }

    @Test("a statement PostgreSQL rejects leaves reachability as it was; a refused connection still marks a project down")
    func queryErrorKeepsReachability() throws {
        let fleet = try FixtureFleet.make(["shop", "saas"])
        _ = try fleet.catalog.search(SearchQuery(.column, name: "email"))
        let projects = try fleet.catalog.searchProjects(ProjectSelection())
        let rejected = try fleet.catalog.readLive(projects, question: Query("SELECT 'x' ~ $1", ["("]), options: FanOutOptions())
        #expect(rejected.failures.map(\.project).sorted() == ["saas", "shop"])
        #expect(rejected.failures.allSatisfy { $0.outcome.message?.contains("regular expression") == true })
        #expect(try fleet.catalog.projects(ProjectSelection(all: true)).map(\.status) == [.ok, .ok])
        try fleet.catalog.addProject(name: "dead", dsn: "postgresql://postgres@127.0.0.1:\(try TemporaryCluster.freePort())/x")
        _ = try fleet.catalog.search(SearchQuery(.column, name: "email"))
        #expect(try fleet.catalog.project(named: "dead").status == .failed)
        #expect(try fleet.catalog.project(named: "shop").status == .ok)
    }

    @Test("bad input is refused before any connection")
    func badInput() throws {
        #expect(throws: CatalogError.self) { try SearchQuery(.column, name: "") }
        #expect { try SearchQuery(.column, name: "e(mail", match: .regex) } throws: { "\($0)".contains("not a valid regular expression") }
        let catalog = try TestEnvironment.catalog()
        #expect(throws: CatalogError.self) { try catalog.search(SearchQuery(.column, name: "email"), in: ProjectSelection(names: ["ghost"])) }
    }

    @Test("unchanged projects are not re-read: the revision decides")
    func revisionGatesRefresh() throws {
        let fleet = try FixtureFleet.make(["shop"])
        _ = try fleet.catalog.search(SearchQuery(.column, name: "email"))
        let connection = try fleet.connect("shop")
        // Change a label without moving the revision: the index must keep its copy.
        try connection.execute(
            script: """
                ALTER TABLE _metadata.mappings_column DISABLE TRIGGER bump_revision;
                UPDATE _metadata.mappings_column SET label = 'Hidden change' WHERE pg_column = 'full_name';
                ALTER TABLE _metadata.mappings_column ENABLE TRIGGER bump_revision;
                """)
        _ = try fleet.catalog.search(SearchQuery(.column, name: "email"))
        let stale = try fleet.catalog.search(SearchQuery(.column, name: "full_name"), cached: true)
        #expect(stale.matches.first?.label == "Full name")
        try connection.query("UPDATE _metadata.mappings_column SET label = 'Name' WHERE pg_column = 'full_name'")
        _ = try fleet.catalog.search(SearchQuery(.column, name: "email"))
        let fresh = try fleet.catalog.search(SearchQuery(.column, name: "full_name"), cached: true)
        #expect(fresh.matches.first?.label == "Name")
    }

    @Test("a project on an older _metadata version still answers; what it lacks reads as NULL")
    func olderMetadataVersion() throws {
        let fleet = try FixtureFleet.make(["shop"])
        let old = try TestWorkspace.database(fixture: "saas")
        try fleet.catalog.addProject(name: "old", dsn: old.url)
        try fleet.catalog.installMetadata(ProjectSelection(names: ["old"]), migrations: Array(MetadataSchema.migrations.prefix(1)))
        let connection = try TestWorkspace.cluster().connect(database: old.name)
        try connection.execute(
            script: """
                INSERT INTO _metadata.mappings_table (table_name, label) VALUES ('users', 'People');
                INSERT INTO _metadata.mappings_column (table_id, pg_column, pg_type) SELECT id, 'email', 'text' FROM _metadata.mappings_table;
                """)
        let result = try fleet.catalog.search(SearchQuery(.column, name: "email"))
        #expect(result.failures.isEmpty)
        let oldMatch = try #require(result.matches.first { $0.project == "old" })
        #expect(oldMatch.schema == nil && oldMatch.kind == nil && oldMatch.table == "users")
        let sql = try fleet.catalog.federatedSQL("select project, pg_schema, relation_kind from tables where table_name = 'users' order by project")
        #expect(sql.answer.rows == [[.text("old"), .null, .null], [.text("shop"), .text("public"), .text("table")]])
    }
}

@Suite("catalog sql")
struct FederatedSQLTests {
    @Test(
        "the same query gives the same rows live and cached",
        arguments: [
            "select project, count(*) as n from columns where pg_type = 'jsonb' group by 1 order by 2 desc, 1",
            "select project, pg_schema, table_name, relation_kind from tables order by 1, 2, 3",
            "select project, revision, metadata_version from projects order by 1",
            "select count(*) from shared_tables",
            "with e as (select project from columns where pg_column = 'email') select project, count(*) from e group by 1 order by 1",
        ])
    func liveEqualsCached(_ sql: String) throws {
        let fleet = try SharedFleet.fleet()
        let live = try fleet.catalog.federatedSQL(sql)
        let cached = try fleet.catalog.federatedSQL(sql, cached: true)
        #expect(live.answer == cached.answer)
        #expect(live.failures.isEmpty && cached.failures.isEmpty)
        #expect(!live.answer.rows.isEmpty)
    }

    @Test("jsonb columns per project, as the README shows")
    func jsonbCount() throws {
        let fleet = try SharedFleet.fleet()
        let result = try fleet.catalog.federatedSQL("select project, count(*) from columns where pg_type = 'jsonb' group by 1 order by 2 desc, 1")
        #expect(result.answer.rows == [[.text("saas"), .integer(5)], [.text("crm"), .integer(1)], [.text("shop"), .integer(1)]])
    }

    @Test(
        "anything that is not a read is refused, and the store is unchanged",
        arguments: [
            "delete from columns", "update tables set label = 'x'", "insert into projects values (1)",
            "attach database '/tmp/other.db' as other", "pragma journal_mode = delete", "create table t (a)",
            "drop view columns", "select 1; delete from columns", "vacuum", "begin",
        ])
    func refusesWrites(_ sql: String) throws {
        let fleet = try SharedFleet.fleet()
        let before = try fleet.catalog.federatedSQL("select count(*) from columns", cached: true).answer
        #expect(throws: CatalogError.self) { try fleet.catalog.federatedSQL(sql, cached: true) }
        #expect(try fleet.catalog.federatedSQL("select count(*) from columns", cached: true).answer == before)
    }

    @Test("a statement that runs past its time limit is stopped, and the next one runs")
    func runawayStatementIsInterrupted() throws {
        let fleet = try SharedFleet.fleet()
        let endless = "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"
        let started = Date()
        #expect {
            try fleet.catalog.federatedSQL(endless, cached: true, sqlTimeout: 0.3)
        } throws: { error in
            (error as? CatalogError)?.message.contains("ran longer than 0.3 s and was stopped") == true
        }
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(try fleet.catalog.federatedSQL("select count(*) from projects", cached: true, sqlTimeout: 5).answer.rows == [[.integer(3)]])
    }

    @Test("the CLI prints rows, and exits 2 with one line for a write")
    func cli() throws {
        let fleet = try SharedFleet.fleet()
        let run = try CLIRun.run(
            ["sql", "select project, count(*) as n from tables group by 1 order by 1", "--format", "csv"], store: fleet.storePath)
        #expect(run.status == 0)
        #expect(run.stdout == "project,n\ncrm,8\nsaas,9\nshop,6\n")
        let write = try CLIRun.run(["sql", "delete from columns"], store: fleet.storePath)
        #expect(write.status == 2)
        #expect(write.stderr.split(separator: "\n").count == 1)
    }
}

/// One scanned fleet shared by read-only tests, built once per test process.
enum SharedFleet {
    nonisolated(unsafe) private static var shared: FixtureFleet?
    private static let lock = NSLock()

    static func fleet() throws -> FixtureFleet {
        lock.lock()
        defer { lock.unlock() }
        if let shared { return shared }
        let fleet = try FixtureFleet.make()
        _ = try fleet.catalog.search(SearchQuery(.column, name: "email"))
        shared = fleet
        return fleet
    }
}
