import CatalogCore
import CatalogStore
import CatalogTestSupport
import Foundation
import Testing

/// `catalog serve` processes running schedules in real time: backups appear on schedule, two servers
/// on one store run each job once, and a server killed in the middle of a backup leaves no
/// half-written backup recorded as good.
@Suite("Operations: catalog serve runs schedules", .serialized)
struct ScheduleServeTests {
    func serve(store: String, backups: String, log: String) throws -> Process {
        FileManager.default.createFile(atPath: log, contents: nil)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: TestWorkspace.catalogBinary)
        server.arguments = [
            "serve", "--port", String(try TemporaryCluster.freePort()), "--store", store, "--insecure-no-auth", "--log-level", "notice",
            "--backup-dir", backups,
        ]
        server.environment = ["CATALOG_STORE": "", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        server.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try server.run()
        return server
    }

    func setUp(fixture: String, every: String, script: String? = nil) throws -> (store: String, backups: String, directory: URL) {
        let directory = try TestWorkspace.temporaryDirectory()
        let store = directory.appendingPathComponent("catalog.sqlite").path
        let database = try TestWorkspace.database(fixture: fixture)
        if let script { try TestWorkspace.cluster().connect(database: database.name).execute(script: script) }
        #expect(try CLIRun.run(["project", "add", "p", "--dsn", database.url], store: store).status == 0)
        #expect(try CLIRun.run(["schedule", "add", "backup", "--project", "p", "--every", every, "--name", "fast"], store: store).status == 0)
        return (store, directory.appendingPathComponent("backups").path, directory)
    }

    @Test func twoServersOnOneStoreRunEachJobOnce() throws {
        let (store, backups, directory) = try setUp(fixture: "shop", every: "2s")
        let hook = try WebhookListener()
        #expect(try CLIRun.run(["alert", "add", "--webhook", hook.url], store: store).status == 0)
        let servers = try (0..<2).map { try serve(store: store, backups: backups, log: directory.appendingPathComponent("serve\($0).log").path) }
        defer { for server in servers { kill(server.processIdentifier, SIGKILL) } }
        let catalog = try Catalog(location: StoreLocation(path: store, isExplicit: true))
        #expect(
            TestWorkspace.wait(upTo: 30, every: 0.2) {
                ((try? catalog.scheduleRuns(schedule: "fast")) ?? []).filter { $0.outcome == "ok" }.count >= 4
            })
        // Who leads is read before the shutdown: the first server to stop gives the lease up, and the
        // other may take it over in the moment before it stops too.
        let leading = try (0..<2).map { try String(contentsOfFile: directory.appendingPathComponent("serve\($0).log").path, encoding: .utf8) }
            .filter { $0.contains("now runs the schedules") }.count
        for server in servers { server.terminate() }
        for server in servers { server.waitUntilExit() }
        let runs = try catalog.scheduleRuns(schedule: "fast")
        #expect(runs.count >= 4)
        #expect(Set(runs.compactMap(\.slot)).count == runs.count)
        #expect(Set(runs.compactMap(\.epoch)).count == 1)
        #expect(runs.allSatisfy { $0.outcome == "ok" })
        #expect(try catalog.store.backups(projects: ["p"]).count == runs.count)
        #expect(hook.bodies.isEmpty)
        let logs = try (0..<2).map { try String(contentsOfFile: directory.appendingPathComponent("serve\($0).log").path, encoding: .utf8) }
        #expect(leading == 1)
        for log in logs { #expect(!log.contains(try TestWorkspace.cluster().password)) }
    }

    @Test func killingServeMidBackupRecordsNoHalfBackup() throws {
        let bulk = "CREATE TABLE bulk AS SELECT g AS id, md5(g::text) || md5((g * 3)::text) AS v FROM generate_series(1, 400000) g"
        let (store, backups, directory) = try setUp(fixture: "crm", every: "2s", script: bulk)
        let server = try serve(store: store, backups: backups, log: directory.appendingPathComponent("serve.log").path)
        defer { kill(server.processIdentifier, SIGKILL) }
        let catalog = try Catalog(location: StoreLocation(path: store, isExplicit: true))
        let running = TestWorkspace.wait(upTo: 30, every: 0.02) {
            ((try? catalog.scheduleRuns(schedule: "fast")) ?? []).first?.outcome == "running"
        }
        #expect(running)
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        Thread.sleep(forTimeInterval: 3)
        // Every recorded backup is a whole file with the recorded checksum; the run in flight is not ok.
        for backup in try catalog.store.backups(projects: ["p"]) {
            #expect(FileManager.default.fileExists(atPath: backup.file))
            #expect(try catalog.verifyBackup(id: backup.id ?? 0).isOK)
        }
        let inFlight = try #require(try catalog.scheduleRuns(schedule: "fast").first)
        #expect(inFlight.outcome == "running")
        // The next server to take the lease marks it abandoned.
        let runner = ScheduleRunner(catalog: catalog, options: ScheduleRunOptions(catalogVersion: "test"), leaseSeconds: 60)
        _ = runner.tick(now: Date().addingTimeInterval(30))
        let after = try catalog.scheduleRuns(schedule: "fast").first { $0.id == inFlight.id }
        #expect(after?.outcome == "abandoned")
        runner.stop(waiting: 60)
    }
}
