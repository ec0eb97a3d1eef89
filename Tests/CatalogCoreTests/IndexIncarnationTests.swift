import CatalogStore
import CatalogSupport
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CatalogCore

@Suite("Index: keyed on the database's incarnation as well as the revision")
struct IndexIncarnationTests {
    /// One mapped table more, in its own statement: the revision moves by one.
    static func map(_ table: String, in database: String) throws -> Int {
        let connection = try TestWorkspace.cluster().connect(database: database)
        try connection.query("INSERT INTO _metadata.mappings_table (table_name) VALUES ($1)", [table])
        return try connection.query("SELECT value FROM _metadata.revision").records.first?.int("value") ?? -1
    }

    /// The mapped tables `catalog sql` answers with, and the projects it could not answer for.
    static func tables(_ catalog: Catalog, cached: Bool) throws -> (names: [String], failures: [String]) {
        let result = try catalog.federatedSQL(
            "select table_name from tables order by 1", in: ProjectSelection(names: ["shop"]), cached: cached,
            options: FanOutOptions(timeout: 5))
        let names = result.answer.rows.compactMap { row -> String? in
            if case .text(let name) = row.first { return name }
            return nil
        }
        return (names, result.failures.map(\.project))
    }

    /// A project whose `_metadata` maps `alpha` (revision 1), backed up there, then maps `beta` too (revision 2),
    /// with the index holding revision 2.
    static func indexedAfterBackup() throws -> (catalog: Catalog, database: String, backup: BackupRecord) {
        let (catalog, databases) = try BackupTestSupport.fleet(["shop"])
        let database = databases["shop"]!
        try catalog.installMetadata(ProjectSelection(names: ["shop"]))
        #expect(try map("alpha", in: database) == 1)
        let backup = try #require(
            try catalog.createBackups(ProjectSelection(names: ["shop"]), options: BackupTestSupport.backupOptions()).first?.backup)
        #expect(try map("beta", in: database) == 2)
        #expect(try tables(catalog, cached: false).names == ["alpha", "beta"])
        #expect(try catalog.store.indexStates()["shop"]?.revision == 2)
        return (catalog, database, backup)
    }

    @Test("after a restore, cached answers stop at once, and live ones follow the restored database when the revision reads the same again")
    func restoreThenSameRevision() throws {
        let (catalog, database, backup) = try Self.indexedAfterBackup()
        let options = RestoreOptions(connectTimeout: 5, tools: try BackupTestSupport.tools())
        _ = try catalog.restore(try catalog.planRestore(project: "shop", backupID: backup.id!, options: options), options: options)
        #expect(try Self.tables(catalog, cached: true) == ([], ["shop"]))

        #expect(try Self.map("gamma", in: database) == 2)
        #expect(try Self.tables(catalog, cached: false).names == ["alpha", "gamma"])
        #expect(try Self.tables(catalog, cached: true).names == ["alpha", "gamma"])
    }

    @Test("a database re-created outside catalog is another incarnation: the live read replaces the index copy at the same revision")
    func recreatedOutsideCatalog() throws {
        let (catalog, database, backup) = try Self.indexedAfterBackup()
        let cluster = try TestWorkspace.cluster()
        let before = try catalog.store.indexStates()["shop"]?.incarnation
        let admin = try cluster.connect()
        try admin.execute(script: "DROP DATABASE \(database) WITH (FORCE)")
        try admin.execute(script: "CREATE DATABASE \(database)")
        let restored = try ChildProcess(
            BackupTestSupport.tools().pgRestore, ["--no-password", "--dbname=\(cluster.url(database: database))", backup.file],
            environment: ["PGPASSWORD": cluster.password]
        ).run()
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(try Self.map("gamma", in: database) == 2)
        #expect(try catalog.store.indexStates()["shop"]?.revision == 2)

        #expect(try Self.tables(catalog, cached: false).names == ["alpha", "gamma"])
        #expect(try Self.tables(catalog, cached: true).names == ["alpha", "gamma"])
        let after = try #require(try catalog.store.indexStates()["shop"]?.incarnation)
        let lineage = try #require(backup.lineage)
        #expect(after != before && after.hasSuffix("/" + lineage))
    }
}
