import CatalogStore
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CatalogCore

@Suite("project archive")
struct ProjectArchiveTests {
    @Test("a verified backup, then the drop, then archived: gone from the default listings, shown by --archived; unarchive brings it back")
    func archives() throws {
        let (catalog, source, database) = try ProjectCloneTests.source()
        let store = catalog.store.location.path
        let counts = try BackupTestSupport.rowCounts(database)
        let refused = try CLIRun.run(["project", "archive", source], store: store)
        #expect(refused.status == 64 && refused.stderr.contains("pass --yes"))
        let run = try CLIRun.run(["project", "archive", source, "--yes"], store: store)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.stdout.contains("verified; database \(database) dropped"))
        #expect(try ProjectCreateTests.databases(like: database).isEmpty)
        #expect(try catalog.listProjects().isEmpty)
        let archived = try catalog.archivedProjects()
        #expect(archived.map(\.name) == [source] && archived.first?.database == database && archived.first?.sha256.count == 64)
        let backup = try #require(try catalog.store.backups().first)
        #expect(archived.first?.backupID == backup.id && backup.sha256 == archived.first?.sha256)
        let list = try CLIRun.run(["project", "list", "--archived"], store: store)
        #expect(list.status == 0 && list.stdout.contains(source))

        // Unarchive: refused while the name is taken, then restored under the archived name and listed again.
        try TestWorkspace.cluster().createDatabase(database)
        let taken = try CLIRun.run(["project", "unarchive", source], store: store)
        #expect(taken.status == 2 && taken.stderr.contains("already exists"))
        try TestWorkspace.cluster().connect().execute(script: "DROP DATABASE \"\(database)\"")
        let back = try CLIRun.run(["project", "unarchive", source], store: store)
        #expect(back.status == 0, "\(back.output)")
        #expect(try catalog.listProjects().map(\.name) == [source] && catalog.archivedProjects().isEmpty)
        #expect(try BackupTestSupport.rowCounts(database) == counts)
        #expect(try catalog.probe(ProjectSelection(names: [source])).first?.outcome == .ok)
    }

    @Test("not enough disk for the backup, or a backup that cannot be taken: refused, and the database stays")
    func refusals() throws {
        let (catalog, source, database) = try ProjectCloneTests.source()
        try BackupTestSupport.withTmpfs(kilobytes: 64) { directory in
            #expect(throws: CatalogError.self) { try catalog.planArchive(source, directory: directory.path) }
        }
        // The plan was made; the server then refuses the dump (the role loses its access): nothing is dropped.
        let plan = try catalog.planArchive(source)
        let admin = try TestWorkspace.cluster().connect()
        try admin.execute(script: "ALTER DATABASE \"\(database)\" WITH ALLOW_CONNECTIONS false")
        #expect(throws: CatalogError.self) { try catalog.archive(plan) }
        try admin.execute(script: "ALTER DATABASE \"\(database)\" WITH ALLOW_CONNECTIONS true")
        #expect(try ProjectCreateTests.databases(like: database) == [database])
        #expect(try catalog.archivedProjects().isEmpty && catalog.listProjects().map(\.name) == [source])
        #expect(throws: CatalogError.self) { try catalog.archive(plan, expectPlan: "0000000000000000") }
    }

    /// What `archive` records once the backup has verified, before the drop.
    static func recordIntent(_ catalog: Catalog, project: String, database: String, backup: BackupRecord, token: String) throws {
        let connection = try ConnectionString(try catalog.project(named: project).dsn)
        try catalog.store.insertLifecycleIntent(
            LifecycleIntent(
                operation: "archive", project: project, server: "127.0.0.1:\(try TestWorkspace.cluster().port)", dsn: connection.raw,
                databaseName: database, incarnation: try Catalog.incarnation(of: connection, connectTimeout: 10).description,
                backupID: backup.id, sha256: backup.sha256, token: token))
    }

    @Test("an archive killed before the drop leaves the project as it was; killed after it, the next command marks it archived")
    func killedAroundTheDrop() throws {
        let (catalog, source, database) = try ProjectCloneTests.source()
        let store = catalog.store.location.path
        let admin = try TestWorkspace.cluster().connect()
        let backup = try #require(
            try catalog.createBackups(
                ProjectSelection(names: [source]), options: BackupOptions(directory: nil, concurrency: 1, connectTimeout: 10, catalogVersion: "test")
            ).first?.backup)

        // Recorded, then killed before the drop. While its run holds its lock, nothing touches it.
        try Self.recordIntent(catalog, project: source, database: database, backup: backup, token: "before-drop")
        let holder = try TestWorkspace.cluster().connect()
        try LifecycleLock.lockRun(holder, token: "before-drop")
        #expect(catalog.settleLifecycle().isEmpty)
        #expect(try catalog.store.lifecycleIntents(project: source).count == 1)
        try LifecycleLock.unlockRun(holder, token: "before-drop")
        let plan = try catalog.planArchive(source)
        #expect(try catalog.store.lifecycleIntents(project: source).isEmpty)
        #expect(try catalog.archivedProjects().isEmpty && catalog.listProjects().map(\.name) == [source])
        #expect(try ProjectCreateTests.databases(like: database) == [database])
        #expect(plan.steps.contains { $0.hasPrefix("record the archive") })

        // Recorded, dropped, then killed before the registry was told: 'project list --archived' completes it.
        try Self.recordIntent(catalog, project: source, database: database, backup: backup, token: "after-drop")
        try admin.execute(script: "DROP DATABASE \"\(database)\"")
        #expect(try catalog.listProjects().map(\.name) == [source])
        let list = try CLIRun.run(["project", "list", "--archived"], store: store)
        #expect(list.status == 0 && list.stdout.contains(source), "\(list.output)")
        let archived = try catalog.archivedProjects()
        #expect(archived.map(\.name) == [source] && archived.first?.backupID == backup.id && archived.first?.sha256 == backup.sha256)
        #expect(try catalog.store.lifecycleIntents(project: nil).isEmpty && catalog.listProjects().isEmpty)
        #expect(
            try catalog.store.auditLog().contains { $0.action == "project.archive" && $0.detail?.hasPrefix("completed after a killed run") == true })

        // And it comes back from that backup.
        try catalog.unarchive(catalog.planUnarchive(source))
        #expect(try ProjectCreateTests.databases(like: database) == [database] && catalog.listProjects().map(\.name) == [source])
    }

    @Test("an archive killed at any step leaves the project either as it was or archived, never registered without its database")
    func killedAtEveryStep() throws {
        let catalog = try TestEnvironment.catalog()
        let store = catalog.store.location.path
        var made: [(name: String, database: String)] = []
        func project(_ index: Int) throws -> String {
            let database = try TestWorkspace.database(fixture: "shop", prefix: "akill")
            let name = "\(ProjectCreateTests.name("akill"))_\(index)"
            try catalog.addProject(name: name, dsn: database.url)
            made.append((name, database.name))
            return name
        }
        // One archive uninterrupted sets the pace (it varies with the machine's load); the kills then
        // land from its start to its end.
        let start = ContinuousClock.now
        #expect(try CLIRun.run(["project", "archive", try project(0), "--yes"], store: store).status == 0)
        let whole = (ContinuousClock.now - start).seconds
        for index in 1...10 {
            let child = try ChildProcessHandle.spawn(CLIRun.binary, ["project", "archive", try project(index), "--yes", "--store", store])
            Thread.sleep(forTimeInterval: whole * Double(index) / 10)
            child.kill()
        }
        // A killed client's backend can keep its run lock until its statement ends, and settling skips a run
        // whose lock is held: the next command settles it, so ask again for a while before judging.
        var archived = Set(try catalog.archivedProjects().map(\.name))
        let settleBy = ContinuousClock.now + .seconds(60)
        while try !catalog.store.lifecycleIntents(project: nil).isEmpty && ContinuousClock.now < settleBy {
            Thread.sleep(forTimeInterval: 0.5)
            archived = Set(try catalog.archivedProjects().map(\.name))
        }
        let registered = Set(try catalog.listProjects().map(\.name))
        #expect(try catalog.store.lifecycleIntents(project: nil).isEmpty)
        for (name, database) in made {
            let left = try ProjectCreateTests.databases(like: database)
            #expect(left.subtracting([database]).isEmpty, "a killed archive left \(left.subtracting([database]))")
            let present = left.contains(database)
            if archived.contains(name) {
                #expect(!present && !registered.contains(name), "\(name) is archived but its database is still there")
            } else {
                #expect(present && registered.contains(name), "\(name) is registered without its database")
            }
        }
        let settled = try catalog.store.auditLog().filter {
            $0.action == "project.archive" && ($0.result == "cleaned" || $0.detail?.hasPrefix("completed after a killed run") == true)
        }
        print(
            "archive kill sweep over \(whole) s: \(archived.count) of \(made.count) archived, the rest as they were; \(settled.count) settled after a kill"
        )
    }
}
