import CatalogStore
import CatalogSupport
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CatalogCore

@Suite("project clone")
struct ProjectCloneTests {
    /// A registered source project with data, `_metadata` scanned, and `users` attached and synced.
    static func source(script: String? = nil) throws -> (catalog: Catalog, name: String, database: String) {
        let catalog = try TestEnvironment.catalog()
        let database = try TestWorkspace.database(fixture: "shop", prefix: "src")
        if let script { try TestWorkspace.cluster().connect(database: database.name).execute(script: script) }
        let name = ProjectCreateTests.name("src")
        try catalog.addProject(name: name, dsn: database.url)
        try catalog.installMetadata(ProjectSelection(names: [name]))
        try catalog.scanMetadata(ProjectSelection(names: [name]))
        return (catalog, name, database.name)
    }

    /// `pg_dump --schema-only --no-owner --no-privileges`, without the `\restrict` lines whose key is random.
    static func schema(_ url: String) throws -> String {
        let outcome = try ChildProcess(
            try BackupTestSupport.tools().pgDump, ["--schema-only", "--no-owner", "--no-privileges", "--dbname=\(url)"]
        ).run()
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return outcome.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("\\restrict") && !$0.hasPrefix("\\unrestrict") }.joined(separator: "\n")
    }

    static func facts(_ url: String) throws -> (counts: [BundleManifest.TableRows], tables: [String], columns: [String], lineage: String?) {
        let connection = try Connection(try ConnectionString(url))
        let tables = try connection.query(
            """
            SELECT concat_ws('|', pg_schema, table_name, relation_kind, graphql_type, label, description, is_shared, shared_name, shared_version) AS row
            FROM _metadata.mappings_table ORDER BY pg_schema, table_name
            """
        ).records.compactMap { $0["row"] }
        let columns = try connection.query(
            """
            SELECT concat_ws('|', t.pg_schema, t.table_name, c.pg_column, c.pg_type, c.graphql_field, c.label, c.is_nullable, c.validation_rules, c.position) AS row
            FROM _metadata.mappings_column c JOIN _metadata.mappings_table t ON t.id = c.table_id ORDER BY 1
            """
        ).records.compactMap { $0["row"] }
        let lineage = try connection.query("SELECT lineage::text AS l FROM _metadata.revision").records.first?["l"]
        return (try BundleTableCounts.read(on: connection), tables, columns, lineage)
    }

    /// The proof the issue asks for: same schema dump, row counts and mappings, clean drift, a lineage of its own.
    static func expectSameAsSource(_ catalog: Catalog, source: String, clone: String, schemaOnly: Bool = false) throws {
        let sourceURL = try catalog.project(named: source).dsn
        let cloneURL = try catalog.project(named: clone).dsn
        #expect(try schema(sourceURL) == schema(cloneURL))
        let (sourceFacts, cloneFacts) = (try facts(sourceURL), try facts(cloneURL))
        if schemaOnly {
            #expect(cloneFacts.counts.allSatisfy { $0.rows == 0 || $0.schema == "_metadata" })
        } else {
            #expect(sourceFacts.counts == cloneFacts.counts)
        }
        #expect(sourceFacts.tables == cloneFacts.tables && !sourceFacts.tables.isEmpty)
        #expect(sourceFacts.columns == cloneFacts.columns)
        #expect(sourceFacts.lineage != nil && cloneFacts.lineage != nil && sourceFacts.lineage != cloneFacts.lineage)
        let drift = try CLIRun.run(["drift", "--project", clone], store: catalog.store.location.path)
        #expect(drift.status == 0, "\(drift.output)")
    }

    @Test("an idle source on the same server is copied with CREATE DATABASE … TEMPLATE; the clone matches it and records where it came from")
    func template() throws {
        let (catalog, source, _) = try Self.source()
        let clone = ProjectCreateTests.name("clone")
        let run = try CLIRun.run(["project", "clone", source, clone, "--tag", "staging"], store: catalog.store.location.path)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.stdout.contains("path: template (the source is idle: CREATE DATABASE … TEMPLATE, STRATEGY WAL_LOG"))
        #expect(run.stdout.contains("STRATEGY = WAL_LOG"))
        try Self.expectSameAsSource(catalog, source: source, clone: clone)
        #expect(try catalog.project(named: clone).tags == ["staging"])
        let show = try CLIRun.run(["project", "show", clone], store: catalog.store.location.path)
        #expect(show.stdout.contains("cloned_from:") && show.stdout.contains(source))
        #expect(try catalog.cloneOrigin(of: clone)?.source == source)
        #expect(try catalog.store.pendingLifecycle(server: nil).isEmpty)
    }

    @Test("a busy source: the plan names the snapshot path, and the clone is made while the source keeps its session")
    func busySource() throws {
        let (catalog, source, database) = try Self.source()
        let session = try TestWorkspace.cluster().connect(database: database)
        let clone = ProjectCreateTests.name("clone")
        let request = CloneRequest(source: source, name: clone)
        let plan = try catalog.planClone(request)
        #expect(plan.path == .snapshot)
        #expect(plan.reason.hasPrefix("database \(database) has 1 other session(s)"))
        _ = try catalog.clone(plan, request: request)
        try Self.expectSameAsSource(catalog, source: source, clone: clone)
        #expect(try session.query("SELECT 1 AS one").records.first?.int("one") == 1)
    }

    @Test("--schema-only copies no rows but every mapping")
    func schemaOnly() throws {
        let (catalog, source, _) = try Self.source()
        let clone = ProjectCreateTests.name("clone")
        let run = try CLIRun.run(["project", "clone", source, clone, "--schema-only"], store: catalog.store.location.path)
        #expect(run.status == 0, "\(run.output)")
        try Self.expectSameAsSource(catalog, source: source, clone: clone, schemaOnly: true)
    }

    @Test("another server: the snapshot path, without owners; the clone matches")
    func otherServer() throws {
        let (catalog, source, _) = try Self.source()
        let other = try BackupTestSupport.ownCluster()
        defer { other.stop() }
        let clone = ProjectCreateTests.name("clone")
        let run = try CLIRun.run(["project", "clone", source, clone, "--server", other.url()], store: catalog.store.location.path)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.stdout.contains("path: snapshot (the target is another server"))
        #expect(!run.output.contains(other.password))
        try Self.expectSameAsSource(catalog, source: source, clone: clone)
    }

    @Test("an existing target database or a taken name is refused, and nothing changes")
    func refusals() throws {
        let (catalog, source, _) = try Self.source()
        let clone = ProjectCreateTests.name("clone")
        try TestWorkspace.cluster().createDatabase("\(clone)_db")
        let exists = try CLIRun.run(["project", "clone", source, clone], store: catalog.store.location.path)
        #expect(exists.status == 2 && exists.stderr.hasPrefix("error: database \"\(clone)_db\" already exists"))
        let taken = try CLIRun.run(["project", "clone", source, source, "--database", "\(clone)_other"], store: catalog.store.location.path)
        #expect(taken.status == 2 && taken.stderr.hasPrefix("error: project \"\(source)\" is already registered"))
        #expect(try catalog.store.projects().map(\.name) == [source])
    }

    @Test("clone times: template copy against snapshot, for a fixture project with 200,000 rows")
    func timings() throws {
        let (catalog, source, _) = try Self.source(script: BackupTestSupport.bulkScript(rows: 200_000))
        var seconds: [ClonePlan.Path: Double] = [:]
        for snapshot in [false, true] {
            let request = CloneRequest(source: source, name: ProjectCreateTests.name("clone"), snapshot: snapshot)
            let result = try catalog.clone(catalog.planClone(request), request: request)
            seconds[result.plan.path] = result.seconds
            try Self.expectSameAsSource(catalog, source: source, clone: request.name)
        }
        print("clone of a 200,000-row fixture: template \(seconds[.template] ?? -1) s, snapshot \(seconds[.snapshot] ?? -1) s")
        #expect(seconds.count == 2)
    }

    @Test("a clone killed at any step leaves nothing half-done registered, and the next run cleans up")
    func killedAtEveryStep() throws {
        let (catalog, source, _) = try Self.source(script: BackupTestSupport.bulkScript(rows: 50_000))
        let cluster = try TestWorkspace.cluster()
        let prefix = ProjectCreateTests.name("ckill")
        for (index, delay) in [0.05, 0.1, 0.2, 0.35, 0.5, 0.8].enumerated() {
            let child = try ChildProcessHandle.spawn(
                CLIRun.binary, ["project", "clone", source, "\(prefix)_\(index)", "--snapshot", "--store", catalog.store.location.path])
            Thread.sleep(forTimeInterval: delay)
            child.kill()
        }
        let request = CreateRequest(name: "\(prefix)_last", serverDSN: cluster.url())
        _ = try catalog.create(catalog.planCreate(request), request: request)
        #expect(try catalog.store.pendingLifecycle(server: nil).isEmpty)
        let registered = Set(try catalog.store.projects().map(\.name))
        for database in try ProjectCreateTests.databases(like: prefix) {
            #expect(registered.contains(String(database.dropLast(3))), "\(database) was left behind")
        }
        for name in registered where name.hasPrefix(prefix) && name != request.name {
            try Self.expectSameAsSource(catalog, source: source, clone: name)
        }
    }
}
