import CatalogSchema
import CatalogStore
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

/// What the PostgreSQL-backed store does beyond the shared contract: its schema and migrations, the
/// stores it refuses, and the secrets it keeps out of a shared registry.
@Suite("The store in PostgreSQL")
struct PostgresStoreTests {
    /// A fresh database for a registry, and a location on it with local files in a scratch directory.
    static func registry() throws -> (database: String, location: StoreLocation) {
        let database = try TestWorkspace.database(prefix: "registry")
        let local = try TestWorkspace.temporaryDirectory().appendingPathComponent("registry").path
        return (database.name, StoreLocation(registry: database.url, localPath: local))
    }

    @Test("after the registry restarts, the next call reconnects: no error, even with stale idle connections")
    func reconnectsAfterARestart() throws {
        let cluster = try TemporaryCluster()
        defer { cluster.stop() }
        try cluster.createDatabase("catalog")
        let local = try TestWorkspace.temporaryDirectory().appendingPathComponent("registry").path
        let store = try PostgresStore(location: StoreLocation(registry: cluster.url(database: "catalog"), localPath: local))
        try store.insert(Project(name: "a", dsn: "dbname=a"))
        // Its idle connection is left stale by the restart; nothing used it while the registry was down.
        try cluster.pause()
        try cluster.resume()
        #expect(try store.projects().map(\.name) == ["a"])
        // While the registry is down a call fails with the store's unreachable error, and the next one after it works.
        try cluster.pause()
        #expect(code { _ = try store.projects() } == .unreachable)
        try cluster.resume()
        #expect(try store.projects().map(\.name) == ["a"])
        try store.insert(Project(name: "b", dsn: "dbname=b"))
        #expect(try store.projects().map(\.name) == ["a", "b"])
    }

    private func code(_ body: () throws -> Void) -> StoreError.Code? {
        do { try body() } catch let error as StoreError { return error.code } catch { return nil }
        return nil
    }

    @Test("--store picks PostgreSQL for postgresql://, postgres:// and key=value strings, and SQLite for everything else")
    func selection() {
        for registry in ["postgresql://catalog@host/db", "postgres://host/db", "host=registry dbname=catalog", "dbname = catalog", "service=reg"] {
            #expect(StoreLocation.resolve(option: registry, environment: ["HOME": "/home/u"]).registry == registry, "\(registry)")
        }
        for path in ["/var/lib/catalog.sqlite", "catalog.sqlite", "./a=b.sqlite", "postgresql.sqlite", "~/x"] {
            let location = StoreLocation.resolve(option: path, environment: ["HOME": "/home/u"])
            #expect(location.registry == nil, "\(path)")
            #expect(location.path == path)
        }
        let fromEnvironment = StoreLocation.resolve(option: nil, environment: ["HOME": "/home/u", "CATALOG_STORE": "postgresql://r/db"])
        #expect(fromEnvironment.registry == "postgresql://r/db")
        #expect(fromEnvironment.directory == "/home/u/.local/share/catalog")
        // The registry's own connection string is shown masked.
        let secret = StoreLocation.resolve(option: "postgresql://catalog:hunter2@host/db", environment: ["HOME": "/home/u"])
        #expect(secret.label == "postgresql://catalog:****@host/db")
    }

    @Test("a new registry is the catalog schema, with every migration recorded under its ledger")
    func createsRegistry() throws {
        let (database, location) = try Self.registry()
        let store = try PostgresStore(location: location)
        #expect(try store.appliedMigrations() == CatalogSchema.registry().map(\.identifier))
        let connection = try TestWorkspace.cluster().connect(database: database)
        let tables = try connection.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'catalog' ORDER BY table_name"
        ).rows.compactMap { $0[0] }
        #expect(tables.contains("project"))
        #expect(tables.contains("registry_migration"))
        #expect(try connection.query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").rows[0][0] == "0")
        // Opening it again changes nothing and keeps the rows.
        try store.insert(Project(name: "kept", dsn: "dbname=kept"))
        #expect(try PostgresStore(location: location).projects().map(\.name) == ["kept"])
    }

    @Test("replicas that open a new registry at the same moment take turns: each finds it whole")
    func concurrentFirstOpens() throws {
        for _ in 0..<3 {
            let (database, location) = try Self.registry()
            let failures = Failures()
            DispatchQueue.concurrentPerform(iterations: 6) { _ in
                do { _ = try PostgresStore(location: location) } catch { failures.add("\(error)") }
            }
            #expect(failures.all.isEmpty)
            let connection = try TestWorkspace.cluster().connect(database: database)
            let count = try connection.query("SELECT count(*) FROM catalog.registry_migration").rows[0][0]
            #expect(count == String(CatalogSchema.registry().count))
        }
    }

    @Test("a registry written by a newer catalog is refused in one line, and left as it was")
    func refusesNewerRegistry() throws {
        let (database, location) = try Self.registry()
        try PostgresStore(location: location).insert(Project(name: "kept", dsn: "dbname=kept"))
        let connection = try TestWorkspace.cluster().connect(database: database)
        try connection.query("INSERT INTO catalog.registry_migration (identifier) VALUES ('9999_from_the_future')")
        let error = try #require(throws: StoreError.self) { try PostgresStore(location: location) }
        #expect(error.message.contains("written by a newer version of catalog"))
        #expect(error.remedy == .upgradeOrUseAnotherStore)
        #expect(!error.message.contains("\n"))
        #expect(!error.message.contains(try TestWorkspace.cluster().password))
        #expect(try connection.query("SELECT count(*) FROM catalog.project").rows[0][0] == "1")
    }

    @Test("an unreachable registry is one line that names it masked")
    func unreachableRegistry() throws {
        let port = try TemporaryCluster.freePort()
        let location = StoreLocation(
            registry: "postgresql://catalog:hunter2@127.0.0.1:\(port)/registry?connect_timeout=2",
            localPath: try TestWorkspace.temporaryDirectory().appendingPathComponent("registry").path)
        let error = try #require(throws: StoreError.self) { try PostgresStore(location: location) }
        #expect(error.code == .unreachable)
        #expect(error.message.hasPrefix("cannot reach the store postgresql://catalog:****@127.0.0.1:\(port)/registry"))
        #expect(!error.message.contains("hunter2"))
        #expect(!error.message.contains("\n"))
    }

    @Test("a registry whose role may not create the catalog schema is refused in one line")
    func refusesRoleWithoutCreate() throws {
        let cluster = try TestWorkspace.cluster()
        let database = try TestWorkspace.database(prefix: "registry")
        let role = "reader_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try cluster.connect()
        try admin.execute(script: "CREATE ROLE \(role) LOGIN PASSWORD 'pw-\(role)'")
        let location = StoreLocation(
            registry: cluster.url(database: database.name, user: role, password: "pw-\(role)"),
            localPath: try TestWorkspace.temporaryDirectory().appendingPathComponent("registry").path)
        let error = try #require(throws: StoreError.self) { try PostgresStore(location: location) }
        #expect(error.code == .refused)
        #expect(error.message.contains("needs CREATE"))
        #expect(!error.message.contains("pw-\(role)"))
        let schemas = try cluster.connect(database: database.name).query("SELECT count(*) FROM pg_namespace WHERE nspname = 'catalog'")
        #expect(schemas.rows[0][0] == "0")
    }

    @Test("a project connection string with a password is refused, naming a passfile or a service file; nothing is stored")
    func refusesPasswords() throws {
        let store = try PostgresStore(location: try Self.registry().location)
        let error = try #require(throws: StoreError.self) {
            try store.insert(Project(name: "billing", dsn: "postgresql://app:s3cret@pg1/billing"))
        }
        #expect(error.code == .badInput)
        #expect(error.message.contains("passfile"))
        #expect(error.message.contains("service file"))
        #expect(!error.message.contains("s3cret"))
        #expect(try store.projects().isEmpty)
        #expect(throws: StoreError.self) { try store.insert(Project(name: "kv", dsn: "host=pg1 dbname=kv password=s3cret")) }
        try store.insert(Project(name: "billing", dsn: "postgresql://app@pg1/billing"))
        #expect(throws: StoreError.self) {
            try store.updateProject(
                named: "billing", dsn: "postgresql://app:s3cret@pg1/billing", addTags: [], removeTags: [],
                audit: AuditEntry(action: "project.update", target: "billing", result: "ok"))
        }
        #expect(try store.project(named: "billing")?.dsn == "postgresql://app@pg1/billing")
    }
}

/// Errors collected from concurrent work.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }
    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
