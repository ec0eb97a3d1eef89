import CatalogStore
import CatalogTestSupport
import Foundation
import Testing

/// A write through another handle on the same store (the CLI beside `serve`, another replica) moves
/// the change version the first handle reads: what `serve`'s memory polls to know it must reload.
@Suite struct ChangeVersionTests {
    @Test func anotherHandlesCommitMovesTheVersionAndARollbackDoesNotHideIt() throws {
        let path = try TestWorkspace.temporaryDirectory().appendingPathComponent("version.sqlite").path
        let serving = try Store(path: path)
        let before = try serving.changeVersion()
        #expect(try serving.changeVersion() == before)
        let cli = try Store(path: path)
        try cli.insert(Project(name: "shop", dsn: "dbname=shop_db"))
        let after = try serving.changeVersion()
        #expect(after > before)
        #expect(try serving.changeVersion() == after)
        try serving.insert(Project(name: "crm", dsn: "dbname=crm_db"))
        #expect(try serving.changeVersion() > after)
    }

    @Test func aWriteThroughAnotherPostgreSQLHandleMovesTheVersion() throws {
        let registry = try TestWorkspace.database(prefix: "registry").url
        let local = try TestWorkspace.temporaryDirectory().appendingPathComponent("registry").path
        let serving = try PostgresStore(location: StoreLocation(registry: registry, localPath: local))
        let other = try PostgresStore(location: StoreLocation(registry: registry, localPath: local))
        let before = try serving.changeVersion()
        try other.insert(Project(name: "shop", dsn: "dbname=shop_db"))
        #expect(try serving.changeVersion() > before)
        // A write that fails (a taken name) rolls back, and its bump with it.
        let after = try serving.changeVersion()
        #expect(throws: StoreError.self) { try other.insert(Project(name: "shop", dsn: "dbname=shop_db")) }
        #expect(try serving.changeVersion() == after)
    }
}
