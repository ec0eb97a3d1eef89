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
}
