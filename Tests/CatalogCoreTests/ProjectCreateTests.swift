import CatalogStore
import CatalogSupport
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CatalogCore

@Suite("project create")
struct ProjectCreateTests {
    /// A unique project name, so tests on the shared cluster never meet.
    static func name(_ prefix: String = "c") -> String { "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())" }

    static func catalogWithUsers() throws -> Catalog {
        let catalog = try TestEnvironment.catalog()
        try catalog.addShared(name: "users", file: Fixtures.url("definitions/users.yaml").path)
        return catalog
    }

    static func databases(like prefix: String) throws -> Set<String> {
        let admin = try TestWorkspace.cluster().connect()
        return Set(try admin.query("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [prefix]).records.compactMap { $0["datname"] })
    }

    @Test("creates the database, _metadata, the shared tables and their synced mappings, then registers it; drift is clean")
    func createsEverything() throws {
        let catalog = try Self.catalogWithUsers()
        let cluster = try TestWorkspace.cluster()
        let store = catalog.store.location.path
        let name = Self.name()
        let run = try CLIRun.run(
            ["project", "create", name, "--server", cluster.url(), "--attach", "users", "--create-tables", "--tag", "prod"], store: store)
        #expect(run.status == 0, "\(run.output)")
        #expect(!run.output.contains(cluster.password))
        #expect(run.stdout.contains("CREATE TABLE \"public\".\"users\" (\"id\" bigint NOT NULL, \"email\" text NOT NULL, \"name\" text)"))
        #expect(run.stdout.contains("WITH TEMPLATE = template0"))
        #expect(run.stdout.contains("created project \(name): database \(name)_db on 127.0.0.1:\(cluster.port)"))

        let project = try catalog.project(named: name)
        #expect(project.tags == ["prod"])
        #expect(try ConnectionString(project.dsn).databaseName == "\(name)_db")
        let attachment = try #require(try catalog.store.attachments(definition: "users").first)
        #expect(attachment.project == name && attachment.syncedVersion == 1)
        #expect(try catalog.store.pendingLifecycle(server: nil).isEmpty)
        #expect(try Self.databases(like: name) == ["\(name)_db"])

        let database = try cluster.connect(database: "\(name)_db")
        let mapped = try database.query(
            "SELECT shared_name, shared_version FROM _metadata.mappings_table WHERE pg_schema = 'public' AND table_name = 'users'"
        ).records
        #expect(mapped.count == 1 && mapped.first?["shared_name"] == "users" && mapped.first?.int("shared_version") == 1)
        let columns = try database.query(
            "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position"
        ).records.map { "\($0["column_name"] ?? "") \($0["is_nullable"] ?? "")" }
        #expect(columns == ["id NO", "email NO", "name YES"])
        let drift = try CLIRun.run(["drift", "--project", name], store: store)
        #expect(drift.status == 0, "\(drift.output)")
        #expect(try catalog.store.auditLog().contains { $0.action == "project.create" && $0.target == name && $0.result == "ok" })
    }

    @Test("--plan prints the steps and changes nothing")
    func planOnly() throws {
        let catalog = try Self.catalogWithUsers()
        let cluster = try TestWorkspace.cluster()
        let name = Self.name()
        let run = try CLIRun.run(
            ["project", "create", name, "--server", cluster.url(), "--attach", "users", "--create-tables", "--plan"],
            store: catalog.store.location.path)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.stdout.contains("CREATE DATABASE \"\(name)_db_creating_"))
        #expect(run.stdout.contains("ALTER DATABASE \"\(name)_db_creating_"))
        #expect(try catalog.store.projects().isEmpty)
        #expect(try Self.databases(like: name).isEmpty)
    }

    @Test("20 concurrent creates against one server: none fails")
    func concurrentCreates() throws {
        let catalog = try Self.catalogWithUsers()
        let cluster = try TestWorkspace.cluster()
        let store = catalog.store.location.path
        let prefix = Self.name("many")
        let runs = LockedBox<[(status: Int32, output: String, seconds: Double)]>([])
        DispatchQueue.concurrentPerform(iterations: 20) { index in
            let start = ContinuousClock.now
            let run = try? CLIRun.run(["project", "create", "\(prefix)_\(index)", "--server", cluster.url(), "--attach", "users"], store: store)
            let seconds = (ContinuousClock.now - start).seconds
            runs.mutate { $0.append((run?.status ?? -1, run?.output ?? "did not run", seconds)) }
        }
        let all = runs.value
        let failures = all.filter { $0.status != 0 }
        #expect(failures.isEmpty, "\(failures.map(\.output))")
        let times = all.map(\.seconds).sorted()
        print(
            "20 concurrent project create: \(failures.count) failures, median \(times[times.count / 2]) s, p95 \(times[Int(Double(times.count) * 0.95) - 1]) s"
        )
        #expect(try catalog.store.projects().count == 20)
        #expect(try Self.databases(like: prefix).count == 20)
        #expect(try Self.databases(like: prefix).allSatisfy { !$0.contains("_creating_") })
    }

    @Test("a role without CREATEDB is told the ALTER ROLE that fixes it, and nothing changes")
    func noCreateDB() throws {
        let catalog = try TestEnvironment.catalog()
        let cluster = try TestWorkspace.cluster()
        let role = Self.name("nocreatedb")
        try cluster.connect().execute(script: "CREATE ROLE \(role) LOGIN PASSWORD 'pw'")
        let name = Self.name()
        let run = try CLIRun.run(
            ["project", "create", name, "--server", cluster.url(user: role, password: "pw")], store: catalog.store.location.path)
        #expect(run.status == 2)
        #expect(
            run.stderr
                == "error: role \"\(role)\" may not create databases on 127.0.0.1:\(cluster.port); nothing was changed; a superuser can allow it with 'ALTER ROLE \"\(role)\" CREATEDB'\n"
        )
        #expect(try catalog.store.projects().isEmpty && Self.databases(like: name).isEmpty)
    }

    @Test("a database name over 63 bytes is refused, never cut; a name that needs quoting works")
    func names() throws {
        let catalog = try TestEnvironment.catalog()
        let cluster = try TestWorkspace.cluster()
        let store = catalog.store.location.path
        let long = String(repeating: "x", count: 61)
        let tooLong = try CLIRun.run(["project", "create", long, "--server", cluster.url()], store: store)
        #expect(tooLong.status == 64)
        #expect(tooLong.stderr.hasPrefix("error: the database name \"xxxxxxxxxxxxxxxxxxxx…\" is 64 bytes; PostgreSQL keeps at most 63"))
        #expect(tooLong.stderr.contains("pass --database with another name of at most 63 bytes"))
        let multibyte = try CLIRun.run(
            ["project", "create", Self.name(), "--server", cluster.url(), "--database", String(repeating: "é", count: 32)], store: store)
        #expect(multibyte.status == 64 && multibyte.stderr.contains("is 64 bytes"))
        #expect(try catalog.store.projects().isEmpty)

        let name = Self.name()
        let odd = "Odd \"Name\"-\(name).DB"
        let run = try CLIRun.run(["project", "create", name, "--server", cluster.url(), "--database", odd], store: store)
        #expect(run.status == 0, "\(run.output)")
        let probe = try catalog.probe(ProjectSelection(names: [name]))
        #expect(probe.first?.outcome == .ok)
        #expect(try Self.databases(like: "Odd \"Name\"-\(name)") == [odd])
    }

    @Test("a taken name (on the server or in the registry), an unknown --attach and an unreachable server are refused; nothing changes")
    func refusals() throws {
        let catalog = try Self.catalogWithUsers()
        let cluster = try TestWorkspace.cluster()
        let store = catalog.store.location.path
        let name = Self.name()
        try cluster.createDatabase("\(name)_db")
        let exists = try CLIRun.run(["project", "create", name, "--server", cluster.url()], store: store)
        #expect(exists.status == 2)
        #expect(
            exists.stderr.hasPrefix(
                "error: database \"\(name)_db\" already exists on 127.0.0.1:\(cluster.port); nothing was changed; pass --database"))

        let unknown = try CLIRun.run(["project", "create", Self.name(), "--server", cluster.url(), "--attach", "users,nope"], store: store)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.hasPrefix("error: shared definition \"nope\" does not exist; nothing was changed"))

        let port = try TemporaryCluster.freePort()
        let down = try CLIRun.run(
            ["project", "create", Self.name(), "--server", "postgresql://postgres:hunter2@127.0.0.1:\(port)/postgres"], store: store)
        #expect(down.status == 2)
        #expect(down.stderr.contains("cannot be reached") && down.stderr.contains("nothing was changed") && !down.output.contains("hunter2"))

        try catalog.addProject(name: "taken", dsn: cluster.url(database: "whatever"))
        let registered = try CLIRun.run(["project", "create", "taken", "--server", cluster.url()], store: store)
        #expect(registered.status == 2 && registered.stderr.hasPrefix("error: project \"taken\" is already registered"))
        #expect(try catalog.store.projects().map(\.name) == ["taken"])
        #expect(try catalog.store.pendingLifecycle(server: nil).isEmpty)
    }

    @Test("the next create drops what a killed one left (temporary or renamed), and leaves live runs and other databases alone")
    func leftovers() throws {
        let catalog = try TestEnvironment.catalog()
        let cluster = try TestWorkspace.cluster()
        let admin = try cluster.connect()
        // Killed after CREATE DATABASE: a record and the temporary database.
        let first = try catalog.planCreate(CreateRequest(name: Self.name(), serverDSN: cluster.url()))
        try Self.record(first, catalog: catalog, cluster: cluster)
        try admin.execute(script: first.createStatement)
        // Killed after the rename: a record and the final database, with the run's comment.
        let second = try catalog.planCreate(CreateRequest(name: Self.name(), serverDSN: cluster.url()))
        try Self.record(second, catalog: catalog, cluster: cluster)
        try admin.execute(script: second.createStatement)
        try admin.execute(script: second.commentStatement)
        try admin.execute(script: second.renameStatement)
        // A run still going: its session holds its lock.
        let live = try catalog.planCreate(CreateRequest(name: Self.name(), serverDSN: cluster.url()))
        try Self.record(live, catalog: catalog, cluster: cluster)
        try admin.execute(script: live.createStatement)
        let holder = try cluster.connect()
        try LifecycleLock.lockRun(holder, token: live.token)
        // A database under a record's final name that the run did not make (no comment of its token).
        let foreign = try catalog.planCreate(CreateRequest(name: Self.name(), serverDSN: cluster.url()))
        try Self.record(foreign, catalog: catalog, cluster: cluster)
        try cluster.createDatabase(foreign.database)

        let name = Self.name()
        let request = CreateRequest(name: name, serverDSN: cluster.url())
        let result = try catalog.create(catalog.planCreate(request), request: request)
        #expect(Set(result.cleanedUp) == [first.temporaryDatabase, second.database])
        #expect(try Self.databases(like: first.project).isEmpty && Self.databases(like: second.project).isEmpty)
        #expect(try Self.databases(like: live.project) == [live.temporaryDatabase])
        #expect(try Self.databases(like: foreign.project) == [foreign.database])
        #expect(try catalog.store.pendingLifecycle(server: nil).map(\.token) == [live.token])
        #expect(try catalog.store.projects().map(\.name) == [name])
        try LifecycleLock.unlockRun(holder, token: live.token)
    }

    /// What `create` records before `CREATE DATABASE`.
    static func record(_ plan: CreatePlan, catalog: Catalog, cluster: TemporaryCluster) throws {
        try catalog.store.insertPendingLifecycle(
            PendingLifecycle(
                operation: "create", project: plan.project, server: "127.0.0.1:\(cluster.port)", dsn: cluster.url(),
                databaseName: plan.database, temporaryDatabase: plan.temporaryDatabase, token: plan.token))
    }

    @Test("a create killed at any step leaves nothing half-done registered, and the next create cleans up")
    func killedAtEveryStep() throws {
        let catalog = try Self.catalogWithUsers()
        let cluster = try TestWorkspace.cluster()
        let store = catalog.store.location.path
        let prefix = Self.name("kill")
        for (index, delay) in [0.0, 0.02, 0.05, 0.08, 0.12, 0.16, 0.22, 0.3, 0.45].enumerated() {
            let name = "\(prefix)_\(index)"
            let child = try ChildProcessHandle.spawn(
                CLIRun.binary, ["project", "create", name, "--server", cluster.url(), "--attach", "users", "--create-tables", "--store", store])
            Thread.sleep(forTimeInterval: delay)
            child.kill()
            if let project = try catalog.store.project(named: name) {
                // Registered means complete: the database is there with its mappings.
                let database = try cluster.connect(database: try #require(try ConnectionString(project.dsn).databaseName))
                #expect(try database.query("SELECT count(*) AS n FROM _metadata.mappings_table").records.first?.int("n") == 1)
            }
        }
        let request = CreateRequest(name: "\(prefix)_last", serverDSN: cluster.url())
        _ = try catalog.create(catalog.planCreate(request), request: request)
        let registered = Set(try catalog.store.projects().map(\.name))
        #expect(try catalog.store.pendingLifecycle(server: nil).isEmpty)
        for database in try Self.databases(like: prefix) {
            #expect(registered.contains(String(database.dropLast(3))), "\(database) was left behind")
        }
    }
}

/// A value shared between threads.
final class LockedBox<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func mutate(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
