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

    @Test("a rename --database killed between ALTER DATABASE and the store's commit is completed by the next command on the project")
    func killedAfterTheDatabaseRename() throws {
        let catalog = try TestEnvironment.catalog()
        let cluster = try TestWorkspace.cluster()
        let old = ProjectCreateTests.name("old")
        let request = CreateRequest(name: old, serverDSN: cluster.url())
        _ = try catalog.create(catalog.planCreate(request), request: request)
        let connection = try ConnectionString(try catalog.project(named: old).dsn)
        let incarnation = try Catalog.incarnation(of: connection, connectTimeout: 10)

        // Killed before ALTER DATABASE: the record is forgotten, nothing is renamed.
        let first = ProjectCreateTests.name("new")
        func record(_ new: String, token: String) throws {
            try catalog.store.insertLifecycleIntent(
                LifecycleIntent(
                    operation: "rename", project: old, server: "127.0.0.1:\(cluster.port)", dsn: connection.raw, databaseName: "\(old)_db",
                    incarnation: incarnation.description, newName: new, newDatabase: "\(new)_db", token: token))
        }
        try record(first, token: "before-alter")
        #expect(catalog.settleLifecycle(project: old).count == 1)
        #expect(try catalog.store.project(named: old) != nil && catalog.store.lifecycleIntents(project: nil).isEmpty)

        // Killed after it: the store still names the old database, which is now under the new name.
        let new = ProjectCreateTests.name("new")
        let plan = try catalog.planRename(old, to: new, renameDatabase: true, terminateConnections: false)
        #expect(plan.steps.contains { $0.hasPrefix("record the rename") })
        try record(new, token: "after-alter")
        try cluster.connect().execute(script: try #require(plan.statements.last))
        #expect(try ProjectCreateTests.databases(like: old).isEmpty)
        // Any command that looks the project up by its new name completes the store's side.
        let project = try catalog.project(named: new)
        #expect(try ConnectionString(project.dsn).databaseName == "\(new)_db")
        #expect(try catalog.store.project(named: old) == nil && catalog.store.lifecycleIntents(project: nil).isEmpty)
        #expect(try catalog.probe(ProjectSelection(names: [new])).first?.outcome == .ok)
        #expect(try Catalog.incarnation(of: ConnectionString(project.dsn), connectTimeout: 10) == incarnation)

        // A database under the new name that is another incarnation is not taken for the renamed one.
        let other = ProjectCreateTests.name("other")
        try catalog.store.insertLifecycleIntent(
            LifecycleIntent(
                operation: "rename", project: new, server: "127.0.0.1:\(cluster.port)", dsn: project.dsn, databaseName: "\(new)_db",
                incarnation: "\(incarnation.databaseOID)/\(UUID().uuidString.lowercased())", newName: other, newDatabase: "\(new)_db",
                token: "foreign"))
        let rerun = try CLIRun.run(["project", "rename", new, other], store: catalog.store.location.path)
        #expect(rerun.status == 0, "\(rerun.output)")
        #expect(try catalog.store.project(named: other) != nil && catalog.store.lifecycleIntents(project: nil).isEmpty)
    }

    @Test("a rename --database killed at any step leaves the registry and the database under the same name")
    func killedAtEveryStep() throws {
        let catalog = try TestEnvironment.catalog()
        let cluster = try TestWorkspace.cluster()
        let store = catalog.store.location.path
        var pairs: [(old: String, new: String)] = []
        func pair(_ index: Int) throws -> (old: String, new: String) {
            let old = "\(ProjectCreateTests.name("rkill"))_\(index)"
            let request = CreateRequest(name: old, serverDSN: cluster.url())
            _ = try catalog.create(catalog.planCreate(request), request: request)
            pairs.append((old, "\(old)_new"))
            return pairs[pairs.count - 1]
        }
        // One rename uninterrupted sets the pace; the kills then land from its start to its end.
        let first = try pair(0)
        let start = ContinuousClock.now
        #expect(try CLIRun.run(["project", "rename", first.old, first.new, "--database"], store: store).status == 0)
        let whole = (ContinuousClock.now - start).seconds
        for index in 1...10 {
            let (old, new) = try pair(index)
            let child = try ChildProcessHandle.spawn(CLIRun.binary, ["project", "rename", old, new, "--database", "--store", store])
            Thread.sleep(forTimeInterval: whole * Double(index) / 10)
            child.kill()
        }
        // A killed client's backend can keep its run lock until its statement ends, and settling skips a run
        // whose lock is held: the next command settles it, so ask again for a while before judging.
        catalog.settleLifecycle()
        let settleBy = ContinuousClock.now + .seconds(60)
        while try !catalog.store.lifecycleIntents(project: nil).isEmpty && ContinuousClock.now < settleBy {
            Thread.sleep(forTimeInterval: 0.5)
            catalog.settleLifecycle()
        }
        #expect(try catalog.store.lifecycleIntents(project: nil).isEmpty)
        var renamed = 0
        for (old, new) in pairs {
            let name = try catalog.store.project(named: new) != nil ? new : old
            renamed += name == new ? 1 : 0
            let project = try #require(try catalog.store.project(named: name), "\(old) is registered under neither name")
            let database = try #require(try ConnectionString(project.dsn).databaseName)
            #expect(try database == "\(name)_db" && ProjectCreateTests.databases(like: old) == [database], "\(name) names \(database)")
        }
        let settled = try catalog.store.auditLog().filter {
            $0.action == "project.rename" && ($0.result == "cleaned" || $0.detail?.hasPrefix("completed after a killed run") == true)
        }
        print("rename kill sweep over \(whole) s: \(renamed) of \(pairs.count) renamed, the rest as they were; \(settled.count) settled after a kill")
    }
}
