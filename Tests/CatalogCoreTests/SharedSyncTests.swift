import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CatalogCore

@Suite("Shared definitions, sync and drift")
struct SharedSyncTests {
    static let usersTable = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text);"

    /// Three projects with a `users` table: p1 and p2 scanned, p3 with `_metadata` installed but empty.
    static func fleet() throws -> (Catalog, [String: String]) {
        let catalog = try TestEnvironment.catalog()
        var databases: [String: String] = [:]
        for name in ["p1", "p2", "p3"] {
            let database = try TestWorkspace.database(
                script: usersTable + (name == "p3" ? "" : "CREATE TABLE notes (id int, body text);"), prefix: name)
            try catalog.addProject(name: name, dsn: database.url, tags: ["prod"])
            databases[name] = database.name
        }
        try catalog.installMetadata(.everything)
        try catalog.scanMetadata(ProjectSelection(names: ["p1", "p2"]))
        return (catalog, databases)
    }

    static func connect(_ database: String?) throws -> Connection {
        try TestWorkspace.cluster().connect(database: database!)
    }

    @Test("the full story: adopt, edit locally, change upstream, plan, sync, force, drift until ALTER TABLE")
    func fullStory() throws {
        let (catalog, databases) = try Self.fleet()
        try catalog.addShared(name: "users", file: Fixtures.url("definitions/users.yaml").path, note: "first")
        #expect(try catalog.attachShared("users", to: ProjectSelection(names: ["p1", "p2"])) == ["p1", "p2"])

        // First sync adopts the scanned tables.
        let first = try catalog.sync()
        #expect(first.results.allSatisfy { $0.outcome == .ok })
        #expect(first.plan.projects.map(\.action) == [.update, .update])
        let p1 = try Self.connect(databases["p1"])
        let bookkeeping = try p1.query(
            "SELECT is_shared, shared_name, shared_version, label FROM _metadata.mappings_table WHERE table_name = 'users'"
        ).records.first
        #expect(bookkeeping?.bool("is_shared") == true && bookkeeping?["shared_name"] == "users" && bookkeeping?.int("shared_version") == 1)
        #expect(bookkeeping?["label"] == "Users")
        let afterAdoption = try catalog.drift(ProjectSelection(names: ["p1", "p2"]))
        #expect(!afterAdoption.hasDrift, "\(afterAdoption.items)")
        // name's nullability is the project's own: the shared version leaves it empty.
        #expect(afterAdoption.items.map(\.kind) == ["local_override", "local_override"])
        #expect(try catalog.drift(ProjectSelection(names: ["p3"])).items.map(\.kind) == ["unmapped_table"])

        // A local edit in p1, a new version upstream, and a third project attached.
        try p1.query("UPDATE _metadata.mappings_column SET label = 'E-mail' WHERE pg_column = 'email'")
        try p1.query("UPDATE _metadata.mappings_table SET description = 'Our own words' WHERE table_name = 'users'")
        try catalog.updateShared(name: "users", file: Fixtures.url("definitions/users-v2.yaml").path, note: "phone, shorter names")
        try catalog.attachShared("users", to: ProjectSelection(names: ["p3"]))
        #expect(try catalog.listShared().first?.behind == ["p1", "p2", "p3"])
        #expect(try catalog.diffShared("users", from: 1, to: 2).map(\.path).contains("columns.phone.type"))

        let planned = try catalog.planSync()
        let actions = Dictionary(uniqueKeysWithValues: planned.plan.projects.map { ($0.project, $0.action) })
        #expect(actions == ["p1": .conflict, "p2": .update, "p3": .create])
        let conflict = try #require(planned.plan.projects.first { $0.project == "p1" }?.conflicts.first)
        #expect(conflict.path == "columns.email.label" && conflict.ours == .string("E-mail") && conflict.theirs == .string("Email address"))
        #expect(planned.plan.projects.first { $0.project == "p2" }?.newColumns == ["phone"])

        // Apply: p2 and p3 sync, p1 is left untouched and reported.
        let applied = try catalog.sync(expectPlan: planned.plan.hash)
        #expect(applied.conflicted == ["p1"])
        #expect(
            try p1.query("SELECT shared_version FROM _metadata.mappings_table WHERE table_name = 'users'").records.first?.int("shared_version") == 1)
        let attachments = Dictionary(uniqueKeysWithValues: try catalog.store.attachments().map { ($0.project, $0.syncedVersion) })
        #expect(attachments == ["p1": 1, "p2": 2, "p3": 2])

        // --force settles p1, listing the local values lost: the conflicting label and the local description.
        let forced = try catalog.sync(ProjectSelection(names: ["p1"]), force: true)
        #expect(forced.results.first?.outcome == .ok)
        #expect(forced.plan.projects.first?.lost.map(\.path).sorted() == ["columns.email.label", "description"])
        #expect(try p1.query("SELECT label FROM _metadata.mappings_column WHERE pg_column = 'email'").records.first?["label"] == "Email address")
        #expect(
            try p1.query("SELECT description FROM _metadata.mappings_table WHERE table_name = 'users'").records.first?["description"]
                == "People who can sign in")

        // Drift: the new column and the changed type, in every project, until the ALTER TABLE.
        let drift = try catalog.drift()
        #expect(drift.hasDrift)
        for project in ["p1", "p2", "p3"] {
            let kinds = Set(drift.items.filter { $0.project == project && $0.isDrift }.map { "\($0.kind) \($0.object)" })
            #expect(kinds == ["missing_column public.users.phone", "type_mismatch public.users.name"], "\(project): \(kinds)")
        }
        #expect(drift.items.contains { $0.project == "p1" && $0.kind == "local_override" && $0.object.contains("columns.name.nullable") })
        for project in ["p1", "p2", "p3"] {
            try Self.connect(databases[project]).execute(script: "ALTER TABLE users ADD COLUMN phone text, ALTER COLUMN name TYPE varchar(100)")
        }
        let clean = try catalog.drift()
        #expect(!clean.hasDrift, "\(clean.items)")

        // A column dropped by hand shows up.
        try Self.connect(databases["p2"]).execute(script: "ALTER TABLE users DROP COLUMN phone")
        let dropped = try catalog.drift()
        #expect(dropped.items.filter(\.isDrift).map { "\($0.project) \($0.kind) \($0.object)" } == ["p2 missing_column public.users.phone"])

        let audit = try catalog.store.auditLog(limit: 200).map(\.action)
        #expect(audit.contains("shared.add") && audit.contains("shared.update") && audit.contains("shared.attach") && audit.contains("sync"))
    }

    @Test("a field changed in the project after sync is drift; a kept override is not")
    func sharedFieldDrift() throws {
        let (catalog, databases) = try Self.fleet()
        try catalog.addShared(name: "users", file: Fixtures.url("definitions/users.yaml").path)
        try catalog.attachShared("users", to: ProjectSelection(names: ["p2"]))
        try catalog.sync()
        try Self.connect(databases["p2"]).query("UPDATE _metadata.mappings_table SET graphql_type = 'Person' WHERE table_name = 'users'")
        let drift = try catalog.drift(ProjectSelection(names: ["p2"]))
        #expect(drift.items.filter(\.isDrift).map { "\($0.kind) \($0.object)" } == ["changed_locally public.users graphql_type"])
        #expect(drift.items.filter { !$0.isDrift }.map(\.object) == ["public.users columns.name.nullable"])
    }

    @Test("bad input is refused and nothing changes")
    func badInput() throws {
        let (catalog, _) = try Self.fleet()
        #expect { try catalog.attachShared("ghost", to: ProjectSelection(names: ["p1"])) } throws: { "\($0)".contains("does not exist") }
        try catalog.addShared(name: "users", file: Fixtures.url("definitions/users.yaml").path)
        #expect { try catalog.attachShared("users", to: ProjectSelection(names: ["ghost"])) } throws: { "\($0)".contains("not registered") }
        try catalog.attachShared("users", to: ProjectSelection(names: ["p1"]))
        #expect { try catalog.attachShared("users", to: ProjectSelection(names: ["p2", "p1"])) } throws: { "\($0)".contains("already attached") }
        #expect(try catalog.store.attachments().map(\.project) == ["p1"])
        #expect { try catalog.addShared(name: "users", file: Fixtures.url("definitions/users.yaml").path) } throws: {
            "\($0)".contains("already exists")
        }
        #expect { try catalog.addShared(name: "t", from: "p1:public.nope") } throws: { "\($0)".contains("no mapping for public.nope") }
        #expect { try catalog.addShared(name: "t", from: "nocolon") } throws: {
            ($0 as? CatalogError)?.remedy == .giveSourceTable(example: "billing:public.users")
        }
        #expect { try catalog.updateShared(name: "users", file: Fixtures.url("definitions/users.yaml").path) } throws: {
            "\($0)".contains("nothing to update")
        }
        #expect { try catalog.sharedVersion("users", version: 7) } throws: { "\($0)".contains("no version 7") }
        #expect(try catalog.sharedHistory("users").count == 1)
        let from = try catalog.addShared(name: "notes", from: "p1:notes")
        #expect(from.definition.columns.map(\.name) == ["id", "body"])
        #expect(from.definition.columns.first?.type == "integer")
    }

    @Test("one unreachable project: the others sync, it is reported, and its attachment is unchanged")
    func unreachableProject() throws {
        let (catalog, _) = try Self.fleet()
        try catalog.addProject(name: "down", dsn: "postgresql://postgres@127.0.0.1:\(try TemporaryCluster.freePort())/x")
        try catalog.addShared(name: "users", file: Fixtures.url("definitions/users.yaml").path)
        try catalog.attachShared("users", to: ProjectSelection(names: ["p2", "p3", "down"]))
        let report = try catalog.sync()
        #expect(report.failures.map(\.project) == ["down"])
        #expect(report.results.map(\.project).sorted() == ["p2", "p3"])
        let synced = Dictionary(uniqueKeysWithValues: try catalog.store.attachments().map { ($0.project, $0.syncedVersion) })
        #expect(synced == ["down": nil, "p2": 1, "p3": 1])
    }

    @Test("a sync killed midway leaves every project fully synced or untouched")
    func killedSync() throws {
        let (catalog, databases) = try Self.fleet()
        try catalog.addShared(name: "users", file: Fixtures.url("definitions/users.yaml").path)
        try catalog.attachShared("users", to: ProjectSelection(names: ["p1", "p2", "p3"]))
        let blocker = try Self.connect(databases["p2"])
        try blocker.execute(script: "BEGIN; LOCK TABLE _metadata.mappings_column IN ACCESS EXCLUSIVE MODE")
        let child = try ChildProcessHandle.spawn(CLIRun.binary, ["sync", "--store", catalog.store.location.path, "--concurrency", "1"])
        let observer = try TestWorkspace.cluster().connect()
        try TestWorkspace.wait(upTo: 10, every: 0.1) {
            try observer.query(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'catalog' AND wait_event_type = 'Lock'",
                [databases["p2"]!]
            ).records.first?.int("n") ?? 0 > 0
        }
        child.kill()
        try blocker.execute(script: "ROLLBACK")
        for project in ["p1", "p2", "p3"] {
            let connection = try Self.connect(databases[project])
            let rows = try connection.query(
                "SELECT shared_version, (SELECT count(*) FROM _metadata.mappings_column c WHERE c.table_id = t.id AND c.label IS NOT NULL) AS labelled FROM _metadata.mappings_table t WHERE table_name = 'users'"
            ).records
            if let row = rows.first, row.int("shared_version") == 1 {
                #expect(row.int("labelled") == 3, "\(project) is half-synced")
            } else {
                #expect(rows.first?.int("labelled") ?? 0 == 0, "\(project) is half-synced")
            }
        }
        #expect(
            try TestWorkspace.cluster().connect(database: databases["p2"]!).query(
                "SELECT count(*) AS n FROM _metadata.mappings_table WHERE shared_version IS NOT NULL"
            ).records.first?.int("n") == 0)
        let rerun = try catalog.sync()
        #expect(rerun.results.allSatisfy { $0.outcome == .ok })
        #expect(try catalog.drift().items.filter { $0.layer == .shared && $0.isDrift }.isEmpty)
    }
}
