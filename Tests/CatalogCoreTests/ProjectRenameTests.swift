import CatalogStore
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CatalogCore

@Suite("project rename")
struct ProjectRenameTests {
    @Test("the registry entry is renamed with its attachments and backups; the database keeps its name")
    func registryOnly() throws {
        let catalog = try ProjectCreateTests.catalogWithUsers()
        let cluster = try TestWorkspace.cluster()
        let old = ProjectCreateTests.name("old")
        let request = CreateRequest(name: old, serverDSN: cluster.url(), attach: ["users"])
        _ = try catalog.create(catalog.planCreate(request), request: request)
        try catalog.store.insertBackup(
            BackupRecord(
                project: old, databaseName: "\(old)_db", file: "/nowhere/\(old).dump", sizeBytes: 1, sha256: String(repeating: "0", count: 64),
                createdAt: Date(), durationSeconds: 0, serverVersion: "15", catalogVersion: "test"))
        let new = ProjectCreateTests.name("new")
        let run = try CLIRun.run(["project", "rename", old, new], store: catalog.store.location.path)
        #expect(run.status == 0, "\(run.output)")
        let project = try catalog.project(named: new)
        #expect(try ConnectionString(project.dsn).databaseName == "\(old)_db")
        #expect(try catalog.store.attachments(definition: "users").map(\.project) == [new])
        #expect(try catalog.store.backups().map(\.project) == [new])
        #expect(try catalog.store.project(named: old) == nil)
    }

    @Test("with --database both are renamed; other sessions block it unless --terminate-connections --yes; a failure renames neither")
    func withDatabase() throws {
        let catalog = try TestEnvironment.catalog()
        let cluster = try TestWorkspace.cluster()
        let store = catalog.store.location.path
        let old = ProjectCreateTests.name("old")
        let request = CreateRequest(name: old, serverDSN: cluster.url())
        _ = try catalog.create(catalog.planCreate(request), request: request)
        let new = ProjectCreateTests.name("new")

        var session: Connection? = try cluster.connect(database: "\(old)_db")
        let blocked = try CLIRun.run(["project", "rename", old, new, "--database"], store: store)
        #expect(blocked.status == 2)
        #expect(
            blocked.stderr.contains("1 other session(s) are connected to database \"\(old)_db\"")
                && blocked.stderr.contains("--terminate-connections"))
        let noYes = try CLIRun.run(["project", "rename", old, new, "--database", "--terminate-connections"], store: store)
        #expect(noYes.status == 64)
        #expect(try catalog.store.project(named: old) != nil && ProjectCreateTests.databases(like: old) == ["\(old)_db"])
        session = nil

        // A session arrives after the plan: ALTER DATABASE fails inside the store's transaction, so neither is renamed.
        let plan = try catalog.planRename(old, to: new, renameDatabase: true, terminateConnections: false)
        session = try cluster.connect(database: "\(old)_db")
        #expect(throws: CatalogError.self) { try catalog.rename(plan) }
        #expect(try catalog.store.project(named: old) != nil && catalog.store.project(named: new) == nil)
        #expect(try ProjectCreateTests.databases(like: old) == ["\(old)_db"])

        let run = try CLIRun.run(["project", "rename", old, new, "--database", "--terminate-connections", "--yes"], store: store)
        #expect(run.status == 0, "\(run.output)")
        #expect(try ProjectCreateTests.databases(like: old).isEmpty && ProjectCreateTests.databases(like: new) == ["\(new)_db"])
        #expect(try ConnectionString(catalog.project(named: new).dsn).databaseName == "\(new)_db")
        #expect(try catalog.probe(ProjectSelection(names: [new])).first?.outcome == .ok)
        _ = session
    }
}
