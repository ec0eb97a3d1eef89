import CatalogSchema
import CatalogStore
import CatalogSupport
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CatalogCore

/// Helpers for the revision-signal tests: projects with one mapped `email` column, writes, and the
/// comparison every test makes: the fresh answer has exactly the rows of the per-project live read.
enum Signal {
    static let query = try! SearchQuery(.column, name: "mail", match: .contains, ignoreCase: false)
    static let options = FanOutOptions(timeout: 5)

    /// A new database on `cluster` registered as `name`, with `_metadata` installed (as `user`, when
    /// given) and table `base` mapping column `email`.
    @discardableResult
    static func project(
        _ name: String, into catalog: Catalog, cluster: TemporaryCluster? = nil, user: (name: String, password: String)? = nil,
        migrations: [SchemaMigration] = MetadataSchema.migrations
    ) throws -> String {
        let cluster = try cluster ?? TestWorkspace.cluster()
        let database = "sig_\(UUID().uuidString.prefix(8).lowercased())"
        try cluster.createDatabase(database)
        if let user { try cluster.connect().execute(script: "ALTER DATABASE \(database) OWNER TO \(user.name)") }
        try catalog.addProject(name: name, dsn: cluster.url(database: database, user: user?.name, password: user?.password))
        let installed = try catalog.installMetadata(ProjectSelection(names: [name]), options: options, migrations: migrations)
        let allInstalled = installed.allSatisfy { $0.outcome.isOK }
        #expect(allInstalled, "\(installed)")
        try write(database, table: "base", column: "email", cluster: cluster, user: user)
        return database
    }

    /// Maps `table` and its `column`, in two statements (the revision moves by two).
    static func write(
        _ database: String, table: String, column: String, cluster: TemporaryCluster? = nil, user: (name: String, password: String)? = nil
    ) throws {
        let cluster = try cluster ?? TestWorkspace.cluster()
        let connection =
            try user.map { try Connection(ConnectionString(cluster.url(database: database, user: $0.name, password: $0.password))) }
            ?? cluster.connect(database: database)
        try connection.query("INSERT INTO _metadata.mappings_table (table_name) VALUES ($1)", [table])
        try connection.query(
            "INSERT INTO _metadata.mappings_column (table_id, pg_column) SELECT id, $2 FROM _metadata.mappings_table WHERE table_name = $1",
            [table, column])
    }

    /// What `database` publishes in `pg_db_role_setting`, and what it would publish now.
    static func published(_ database: String, cluster: TemporaryCluster? = nil) throws -> (published: String?, current: String?) {
        let connection = try (cluster ?? TestWorkspace.cluster()).connect(database: database)
        let record = try connection.query(
            """
            SELECT (SELECT substr(c, 18) FROM pg_db_role_setting s, unnest(s.setconfig) AS c
                    WHERE s.setdatabase = d.oid AND s.setrole = 0 AND c LIKE 'catalog.revision=%') AS published,
                   (SELECT format('%s/%s:%s', d.oid, r.lineage, r.value) FROM _metadata.revision r) AS current
            FROM pg_database d WHERE d.datname = current_database()
            """
        ).records.first
        return (record?["published"], record?["current"])
    }

    /// The fresh search, then the live one over the same projects: the rows must be identical. Returns
    /// how each project's freshness was established, the columns found, and the fresh answer's failures.
    @discardableResult
    static func compare(
        _ catalog: Catalog, _ names: [String] = [], options: FanOutOptions = options, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (freshness: [String: AnswerFreshness], columns: [String], failures: [String: String]) {
        let selection = ProjectSelection(names: names)
        let fresh = try catalog.search(query, in: selection, options: options)
        let live = try catalog.search(query, in: selection, live: true, options: options)
        #expect(fresh.matches == live.matches, sourceLocation: sourceLocation)
        #expect(fresh.failures.map(\.project) == live.failures.map(\.project), sourceLocation: sourceLocation)
        let allRead = live.sources.allSatisfy { $0.freshness == .projectRead }
        #expect(allRead, sourceLocation: sourceLocation)
        return (
            Dictionary(uniqueKeysWithValues: fresh.sources.map { ($0.project, $0.freshness) }),
            fresh.matches.map { "\($0.project).\($0.table).\($0.column ?? "")" },
            Dictionary(uniqueKeysWithValues: fresh.failures.map { ($0.project, $0.outcome.label) })
        )
    }

    /// A login role of its own (roles are cluster-wide; tests run in parallel).
    static func role() throws -> (name: String, password: String) {
        let role = (name: "sig_role_\(UUID().uuidString.prefix(8).lowercased())", password: "pw\(UUID().uuidString.prefix(8))")
        try TestWorkspace.cluster().connect().execute(script: "CREATE ROLE \(role.name) LOGIN PASSWORD '\(role.password)'")
        return role
    }

    /// Runs a client tool of the test cluster and expects it to succeed.
    static func tool(_ name: String, _ arguments: [String], cluster: TemporaryCluster? = nil) throws {
        let cluster = try cluster ?? TestWorkspace.cluster()
        let outcome = try ChildProcess("\(cluster.binDirectory)/\(name)", arguments, environment: ["PGPASSWORD": cluster.password]).run()
        #expect(outcome.status == 0, "\(name): \(outcome.stderr)")
    }
}

/// Collects errors from writer threads.
private final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func add(_ error: Error) { lock.withLock { stored.append("\(error)") } }
    var errors: [String] { lock.withLock { stored } }
}

@Suite("Revision signal: fresh answers at one revision query per server")
struct RevisionSignalTests {
    @Test("a committed write is seen and a rolled-back one is not; unchanged projects answer from the server's signal")
    func committedAndRolledBack() throws {
        let catalog = try TestEnvironment.catalog()
        let a = try Signal.project("a", into: catalog)
        try Signal.project("b", into: catalog)
        #expect(try Signal.compare(catalog).freshness == ["a": .projectRead, "b": .projectRead])
        #expect(try Signal.compare(catalog).freshness == ["a": .serverSignal, "b": .serverSignal])
        let published = try Signal.published(a)
        #expect(published.published != nil && published.published == published.current)

        try Signal.write(a, table: "orders", column: "billing_email")
        let afterCommit = try Signal.compare(catalog)
        #expect(afterCommit.freshness == ["a": .projectRead, "b": .serverSignal])
        #expect(afterCommit.columns.contains("a.orders.billing_email"))

        try TestWorkspace.cluster().connect(database: a).execute(
            script: """
                BEGIN;
                INSERT INTO _metadata.mappings_table (table_name) VALUES ('ghost');
                INSERT INTO _metadata.mappings_column (table_id, pg_column) SELECT id, 'ghost_email' FROM _metadata.mappings_table WHERE table_name = 'ghost';
                ROLLBACK;
                """)
        let afterRollback = try Signal.compare(catalog)
        #expect(afterRollback.freshness == ["a": .serverSignal, "b": .serverSignal])
        #expect(!afterRollback.columns.contains { $0.contains("ghost") })

        let sql = try catalog.federatedSQL("select count(*) from columns", options: Signal.options)
        #expect(sql.sources.map(\.freshness) == [.serverSignal, .serverSignal])
    }

    @Test("two concurrent writers, 200 statements each: no error, every revision published, both seen")
    func concurrentWriters() throws {
        let catalog = try TestEnvironment.catalog()
        let a = try Signal.project("a", into: catalog)
        try Signal.compare(catalog)
        let before = try TestWorkspace.cluster().connect(database: a).query("SELECT value FROM _metadata.revision").records.first?.int("value") ?? -1
        let box = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: 2) { writer in
            do {
                let connection = try TestWorkspace.cluster().connect(database: a)
                for statement in 0..<200 {
                    try connection.query(
                        "INSERT INTO _metadata.mappings_column (table_id, pg_column) SELECT id, $1 FROM _metadata.mappings_table WHERE table_name = 'base'",
                        ["w\(writer)_\(statement)_mail"])
                }
            } catch {
                box.add(error)
            }
        }
        #expect(box.errors == [])
        let published = try Signal.published(a)
        #expect(published.published == published.current)
        #expect(published.current?.hasSuffix(":\(before + 400)") == true)
        let answer = try Signal.compare(catalog)
        #expect(answer.freshness == ["a": .projectRead])
        #expect(answer.columns.filter { $0.hasPrefix("a.base.w0_") }.count == 200)
        #expect(answer.columns.filter { $0.hasPrefix("a.base.w1_") }.count == 200)
        #expect(try Signal.compare(catalog).freshness == ["a": .serverSignal])
    }

    @Test("a database dropped and created again under its name by pg_dump --create, carrying the old published value, is read")
    func droppedAndRecreated() throws {
        let catalog = try TestEnvironment.catalog()
        let cluster = try TestWorkspace.cluster()
        let a = try Signal.project("a", into: catalog)
        let dump = try TestWorkspace.temporaryDirectory().appendingPathComponent("\(a).sql").path
        try Signal.tool("pg_dump", ["--create", "--no-password", "--file=\(dump)", "--dbname=\(cluster.url(database: a))"])
        #expect(try String(contentsOfFile: dump, encoding: .utf8).contains("catalog.revision"))
        try Signal.write(a, table: "orders", column: "billing_email")
        try Signal.compare(catalog)
        #expect(try Signal.compare(catalog).freshness == ["a": .serverSignal])
        let indexed = try #require(try Signal.published(a).published)

        try cluster.connect().execute(script: "DROP DATABASE \(a) WITH (FORCE)")
        try Signal.tool("psql", ["--no-password", "-q", "-v", "ON_ERROR_STOP=1", "--file=\(dump)", "--dbname=\(cluster.url())"])
        // Worst case: the copy even carries the value the index was read at; only its OID tells it apart.
        try cluster.connect().execute(script: "ALTER DATABASE \(a) SET catalog.revision = '\(indexed)'")
        let answer = try Signal.compare(catalog)
        #expect(answer.freshness == ["a": .projectRead])
        #expect(answer.columns == ["a.base.email"])
        let status = try catalog.metadataFleetStatus(ProjectSelection(names: ["a"]), options: Signal.options)
        #expect(status.first?.signal?.state == .stale)
    }

    @Test("a restore from a backup and an import from a bundle, whose revisions go back and then reach the index's again, are read")
    func restoreAndImport() throws {
        let catalog = try TestEnvironment.catalog()
        let a = try Signal.project("a", into: catalog)
        let backup = try #require(
            try catalog.createBackups(ProjectSelection(names: ["a"]), options: BackupTestSupport.backupOptions()).first?.backup)
        let bundle = try TestWorkspace.temporaryDirectory().appendingPathComponent("a.catalog").path
        _ = try catalog.export(project: "a", to: bundle, options: BundleTestSupport.exportOptions())
        try Signal.write(a, table: "orders", column: "billing_email")
        try Signal.compare(catalog)
        #expect(try Signal.compare(catalog).freshness == ["a": .serverSignal])

        let options = RestoreOptions(connectTimeout: 5, tools: try BackupTestSupport.tools())
        _ = try catalog.restore(try catalog.planRestore(project: "a", backupID: backup.id!, options: options), options: options)
        // The original's value is not copied; the restored database publishes its own.
        let republished = try Signal.published(a)
        #expect(republished.published != nil && republished.published == republished.current)
        // The restored database reaches the revision the index holds, with other rows: it is still read.
        try Signal.write(a, table: "invoices", column: "invoice_email")
        let rewritten = try Signal.compare(catalog, ["a"])
        #expect(rewritten.freshness == ["a": .projectRead] && rewritten.columns == ["a.base.email", "a.invoices.invoice_email"])
        #expect(try Signal.compare(catalog, ["a"]).freshness == ["a": .serverSignal])

        let copy = BundleTestSupport.newDatabaseName()
        _ = try BundleTestSupport.importBundle(bundle, into: catalog, BundleTestSupport.request(copy, name: "a_copy"))
        _ = try catalog.updateProject(name: "a", dsn: try TestWorkspace.cluster().url(database: copy))
        try Signal.write(copy, table: "refunds", column: "refund_email")
        let imported = try Signal.compare(catalog, ["a"])
        #expect(imported.freshness == ["a": .projectRead] && imported.columns == ["a.base.email", "a.refunds.refund_email"])
        #expect(try Signal.compare(catalog, ["a"]).freshness == ["a": .serverSignal])
    }

    @Test("a backup restored by hand with pg_restore into a re-created database, written up to the index's revision, is read")
    func restoredByHand() throws {
        let catalog = try TestEnvironment.catalog()
        let cluster = try TestWorkspace.cluster()
        let a = try Signal.project("a", into: catalog)
        let backup = try #require(
            try catalog.createBackups(ProjectSelection(names: ["a"]), options: BackupTestSupport.backupOptions()).first?.backup)
        try Signal.write(a, table: "orders", column: "billing_email")
        try Signal.compare(catalog)
        #expect(try Signal.compare(catalog).freshness == ["a": .serverSignal])

        try cluster.connect().execute(script: "DROP DATABASE \(a) WITH (FORCE)")
        try cluster.connect().execute(script: "CREATE DATABASE \(a)")
        try Signal.tool("pg_restore", ["--no-password", "--dbname=\(cluster.url(database: a))", backup.file])
        try Signal.write(a, table: "invoices", column: "invoice_email")
        let answer = try Signal.compare(catalog)
        #expect(answer.freshness == ["a": .projectRead])
        #expect(answer.columns == ["a.base.email", "a.invoices.invoice_email"])
    }

    @Test("a clone made from a template publishes nothing until metadata install publishes its own value")
    func cloneFromTemplate() throws {
        let catalog = try TestEnvironment.catalog()
        let a = try Signal.project("a", into: catalog)
        let clone = "sig_clone_\(UUID().uuidString.prefix(8).lowercased())"
        try TestWorkspace.cluster().connect().execute(script: "CREATE DATABASE \(clone) TEMPLATE \(a)")
        try catalog.addProject(name: "clone", dsn: try TestWorkspace.cluster().url(database: clone))
        #expect(try Signal.published(clone).published == nil)
        try Signal.compare(catalog)
        #expect(try Signal.compare(catalog).freshness == ["a": .serverSignal, "clone": .projectRead])
        try catalog.installMetadata(ProjectSelection(names: ["clone"]), options: Signal.options)
        let published = try Signal.published(clone)
        #expect(published.published != nil && published.published == published.current)
        try Signal.compare(catalog)
        #expect(try Signal.compare(catalog).freshness == ["a": .serverSignal, "clone": .serverSignal])
    }

    @Test("an older _metadata publishes nothing and falls back to the per-project read; an upgrade turns the signal on")
    func olderMetadata() throws {
        let catalog = try TestEnvironment.catalog()
        try Signal.project("old", into: catalog, migrations: Array(MetadataSchema.migrations.prefix(3)))
        try Signal.compare(catalog)
        #expect(try Signal.compare(catalog).freshness == ["old": .projectRead])
        let status = try catalog.metadataFleetStatus(ProjectSelection(names: ["old"]), options: Signal.options)
        #expect(status.first?.signal?.state == .notInstalled)
        try catalog.installMetadata(ProjectSelection(names: ["old"]), options: Signal.options)
        try Signal.compare(catalog)
        #expect(try Signal.compare(catalog).freshness == ["old": .serverSignal])
    }

    @Test("a disabled trigger is reported by metadata status and drift; writes made meanwhile are invisible until a --live read")
    func disabledTrigger() throws {
        let catalog = try TestEnvironment.catalog()
        let a = try Signal.project("a", into: catalog)
        try Signal.compare(catalog)
        try TestWorkspace.cluster().connect(database: a).execute(
            script: "ALTER TABLE _metadata.mappings_column DISABLE TRIGGER bump_revision")
        let status = try #require(try catalog.metadataFleetStatus(ProjectSelection(names: ["a"]), options: Signal.options).first?.signal)
        #expect(status.state == .triggerDisabled)
        #expect(status.fix == "ALTER TABLE _metadata.mappings_column ENABLE ALWAYS TRIGGER bump_revision")
        let drift = try catalog.drift(ProjectSelection(names: ["a"]), options: Signal.options)
        #expect(drift.items.contains { $0.kind == "trigger_disabled" && $0.object == "_metadata.mappings_column" })

        // The documented limit: a write the trigger did not count is missed by the fast path (and by
        // the index), and seen by --live.
        try TestWorkspace.cluster().connect(database: a).query(
            "INSERT INTO _metadata.mappings_column (table_id, pg_column) SELECT id, 'unseen_email' FROM _metadata.mappings_table")
        let fresh = try catalog.search(Signal.query, in: ProjectSelection(), options: Signal.options)
        #expect(fresh.sources.map(\.freshness) == [.serverSignal] && !fresh.matches.contains { $0.column == "unseen_email" })
        let live = try catalog.search(Signal.query, in: ProjectSelection(), live: true, options: Signal.options)
        #expect(live.matches.contains { $0.column == "unseen_email" })
    }

    @Test("a non-superuser owner publishes nothing without the GRANT (and is told the exact GRANT), and publishes with it")
    func nonSuperuser() throws {
        let catalog = try TestEnvironment.catalog()
        let owner = try Signal.role()
        let a = try Signal.project("a", into: catalog, user: owner)
        let installed = try catalog.installMetadata(ProjectSelection(names: ["a"]), options: Signal.options)
        #expect(installed.first?.signal?.state == .noGrant)
        #expect(installed.first?.signal?.fix == "GRANT SET ON PARAMETER catalog.revision TO \(owner.name)")
        #expect(try Signal.published(a).published == nil)
        try Signal.compare(catalog)
        #expect(try Signal.compare(catalog).freshness == ["a": .projectRead])

        try TestWorkspace.cluster().connect().execute(script: "GRANT SET ON PARAMETER catalog.revision TO \(owner.name)")
        // A writer that does not own the database publishes through the owner's function.
        let writer = try Signal.role()
        let asOwner = try Connection(ConnectionString(TestWorkspace.cluster().url(database: a, user: owner.name, password: owner.password)))
        try asOwner.execute(
            script: """
                GRANT USAGE ON SCHEMA _metadata TO \(writer.name);
                GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA _metadata TO \(writer.name);
                GRANT USAGE ON ALL SEQUENCES IN SCHEMA _metadata TO \(writer.name);
                GRANT UPDATE ON _metadata.revision TO \(writer.name);
                """)
        try Signal.write(a, table: "orders", column: "billing_email", user: writer)
        let published = try Signal.published(a)
        #expect(published.published != nil && published.published == published.current)
        #expect(try Signal.compare(catalog).freshness == ["a": .projectRead])
        #expect(try Signal.compare(catalog).freshness == ["a": .serverSignal])
        let status = try catalog.metadataFleetStatus(ProjectSelection(names: ["a"]), options: Signal.options)
        #expect(status.first?.signal?.state == .publishing)
    }

    @Test("the CLI: metadata install names the GRANT once per server, json sources say the freshness, --cached with --live is refused")
    func commandLine() throws {
        let catalog = try TestEnvironment.catalog()
        let owner = try Signal.role()
        try Signal.project("a", into: catalog, user: owner)
        try Signal.project("b", into: catalog, user: owner)
        let store = catalog.store.location.path
        let install = try CLIRun.run(["metadata", "install", "--all"], store: store)
        #expect(install.status == 0)
        let notes = install.stderr.split(separator: "\n").filter { $0.hasPrefix("note: ") }
        #expect(notes.count == 1)
        #expect(notes.first?.hasSuffix("run as a superuser: GRANT SET ON PARAMETER catalog.revision TO \(owner.name)") == true)

        _ = try CLIRun.run(["find-column", "email"], store: store)
        let json = try CLIRun.run(["find-column", "email", "--format", "json"], store: store)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let sources = try #require(document["sources"] as? [[String: Any]])
        #expect(sources.compactMap { $0["freshness"] as? String } == ["project_read", "project_read"])
        let cached = try CLIRun.run(["find-column", "email", "--cached", "--format", "json"], store: store)
        #expect(cached.stdout.contains("\"freshness\" : \"index_only\""))

        let both = try CLIRun.run(["find-column", "email", "--cached", "--live"], store: store)
        #expect(both.status == 64 && both.stderr.contains("Give --cached or --live, not both."))
    }

    @Test("two servers, one with the signal and one without; a server that is down fails its projects; a hanging one is bounded by the timeout")
    func twoServers() throws {
        let other = try TemporaryCluster()
        defer { other.stop() }
        let catalog = try TestEnvironment.catalog()
        try Signal.project("a", into: catalog)
        try Signal.project("b", into: catalog, cluster: other, migrations: Array(MetadataSchema.migrations.prefix(3)))
        let hanging = try Signal.project("h", into: catalog)
        try Signal.compare(catalog)
        #expect(try Signal.compare(catalog).freshness == ["a": .serverSignal, "b": .projectRead, "h": .serverSignal])
        #expect(try Signal.published(hanging).published != nil)

        try catalog.addProject(name: "down", dsn: "postgresql://postgres@127.0.0.1:\(try TemporaryCluster.freePort())/nowhere")
        let silent = try SilentServer()
        _ = try catalog.updateProject(name: "h", dsn: "postgresql://postgres@127.0.0.1:\(silent.port)/\(hanging)?connect_timeout=30")
        let started = Date()
        let answer = try Signal.compare(catalog, options: FanOutOptions(timeout: 1))
        #expect(Date().timeIntervalSince(started) < 8)
        #expect(answer.freshness == ["a": .serverSignal, "b": .projectRead])
        #expect(answer.failures == ["down": "failed", "h": "timed_out"])
        #expect(answer.columns == ["a.base.email", "b.base.email"])
    }
}
