import CatalogCore
import CatalogSupport
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@Suite("Backups: create, list, verify")
struct BackupTests {
    @Test("a backup is a complete pg_dump file beside the store, recorded with size, SHA-256, duration and versions")
    func createRecordsEverything() throws {
        let (catalog, _) = try BackupTestSupport.fleet(["shop"])
        let results = try catalog.createBackups(ProjectSelection(names: ["shop"]), options: BackupTestSupport.backupOptions())
        let backup = try #require(results.first?.backup)
        #expect(results.first?.outcome == .ok)
        let expectedDirectory = (catalog.store.location.directory as NSString).appendingPathComponent("backups/shop")
        #expect((backup.file as NSString).deletingLastPathComponent == expectedDirectory)
        #expect(backup.sha256 == (try BackupTestSupport.sha256(ofFile: backup.file)))
        let attributes = try FileManager.default.attributesOfItem(atPath: backup.file)
        #expect(attributes[.size] as? Int64 == backup.sizeBytes)
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: expectedDirectory) == [(backup.file as NSString).lastPathComponent])
        #expect(backup.serverVersion.hasPrefix("1"))
        #expect(backup.catalogVersion == "test")
        #expect(backup.durationSeconds > 0)
        #expect(try catalog.store.backups() == [backup])
        let list = try ChildProcess(BackupTestSupport.tools().pgRestore, ["--list", backup.file]).run()
        #expect(list.status == 0 && list.stdout.contains("TABLE public users"))
    }

    @Test("--all goes on past a failed project, and no password shows anywhere")
    func allContinuesPastFailures() throws {
        let (catalog, _) = try BackupTestSupport.fleet(["saas", "crm"])
        let cluster = try TestWorkspace.cluster()
        try catalog.addProject(name: "wrongpw", dsn: cluster.url(database: "postgres", password: "wrong-secret-123"))
        try catalog.addProject(name: "down", dsn: "postgresql://postgres:down-secret-456@127.0.0.1:\(try TemporaryCluster.freePort())/x")
        let results = try catalog.createBackups(.everything, options: BackupTestSupport.backupOptions(concurrency: 2))
        let outcomes = Dictionary(uniqueKeysWithValues: results.map { ($0.project, $0.outcome) })
        #expect(outcomes["saas"] == .ok && outcomes["crm"] == .ok)
        #expect(outcomes["wrongpw"]?.label == "failed" && outcomes["down"]?.label == "failed")
        #expect(outcomes["wrongpw"]?.message?.contains("password") == true)
        #expect(try catalog.store.backups().map(\.project).sorted() == ["crm", "saas"])
        let everything = results.map { "\($0)" }.joined() + (try catalog.store.auditLog()).map { "\($0)" }.joined()
        for secret in ["wrong-secret-123", "down-secret-456", cluster.password] {
            #expect(!everything.contains(secret))
        }
    }

    @Test("the CLI takes backups through the registered DSN, with its password kept out of the output")
    func cliCreate() throws {
        let (catalog, _) = try BackupTestSupport.fleet(["shop"])
        let directory = try TestWorkspace.temporaryDirectory().appendingPathComponent("elsewhere").path
        let run = try CLIRun.run(["backup", "create", "shop", "--backup-dir", directory, "--format", "json"], store: catalog.store.location.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.output.contains(try TestWorkspace.cluster().password))
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(rows.first?["result"] as? String == "ok")
        #expect((rows.first?["file"] as? String)?.hasPrefix(directory + "/shop/") == true)
    }

    @Test("progress shows on stderr when stderr is a terminal, and only then")
    func progressOnTerminal() throws {
        let (catalog, _) = try BackupTestSupport.fleet(["shop"])
        let store = catalog.store.location.path
        let piped = try CLIRun.run(["backup", "create", "shop"], store: store)
        #expect(piped.status == 0 && piped.stderr.isEmpty)
        let command = [CLIRun.binary, "backup", "create", "shop", "--store", store].joined(separator: " ")
        let terminal = try ChildProcess("/usr/bin/script", ["-qec", command, "/dev/null"]).run()
        #expect(terminal.status == 0)
        #expect(terminal.stdout.contains("backing up shop…"))
        #expect(terminal.stdout.contains("backed up shop: "))
        #expect(try catalog.store.backups().count == 2)
    }

    @Test("a backup to a full directory fails, and its partial file is removed", .enabled(if: BackupTestSupport.canMount))
    func fullDirectory() throws {
        let catalog = try TestEnvironment.catalog()
        let database = try TestWorkspace.database(script: BackupTestSupport.bulkScript(rows: 20_000))
        try catalog.addProject(name: "big", dsn: database.url)
        try BackupTestSupport.withTmpfs(kilobytes: 64) { directory in
            let results = try catalog.createBackups(
                ProjectSelection(names: ["big"]), options: BackupTestSupport.backupOptions(directory: directory.path))
            let reason = try #require(results.first?.outcome.message)
            #expect(reason.contains("No space left on device"))
            #expect(reason.contains("the partial file was removed"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("big").path).isEmpty)
            #expect(try catalog.store.backups().isEmpty)
        }
    }

    @Test("a backup to a read-only directory fails with a clear message and leaves nothing", .enabled(if: BackupTestSupport.canMount))
    func readOnlyDirectory() throws {
        let (catalog, _) = try BackupTestSupport.fleet(["shop"])
        try BackupTestSupport.withTmpfs(kilobytes: 64, readOnly: true) { directory in
            let results = try catalog.createBackups(
                ProjectSelection(names: ["shop"]), options: BackupTestSupport.backupOptions(directory: directory.path))
            let reason = try #require(results.first?.outcome.message)
            #expect(reason.contains("Read-only file system"))
            #expect(results.first?.outcome.remedy == .makeBackupDirectoryWritable)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
            #expect(try catalog.store.backups().isEmpty)
        }
    }

    @Test("a missing pg_dump says how to install it, and nothing is recorded")
    func missingPgDump() throws {
        let empty = try TestWorkspace.temporaryDirectory().path
        #expect {
            try PgTools.locate(environment: ["PG_BINDIR": empty])
        } throws: { error in
            "\(error)".contains("apt-get install -y postgresql-client") && "\(error)".contains("PG_BINDIR")
        }
        #expect(throws: CatalogError.self) { try PgTools.locate(environment: ["PATH": empty], installRoot: empty) }
        #expect(try PgTools.locate(environment: [:]).pgDump.hasPrefix("/usr/lib/postgresql/"))
        let (catalog, _) = try BackupTestSupport.fleet(["shop"])
        let run = try CLIRun.run(["backup", "create", "shop"], store: catalog.store.location.path, environment: ["PG_BINDIR": empty])
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("error: pg_dump and pg_restore were not found"))
        #expect(run.stderr.contains("apt-get install -y postgresql-client"))
        #expect(try catalog.store.backups().isEmpty)
    }

    @Test("pg_dump dies with a killed catalog instead of running on")
    func pgDumpDiesWithCatalog() throws {
        let (catalog, databases) = try BackupTestSupport.fleet(["shop"])
        let database = try #require(databases["shop"])
        // Hold a lock pg_dump must wait for, so it is still running when catalog is killed.
        let holder = try TestWorkspace.cluster().connect(database: database)
        try holder.execute(script: "BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE;")
        let admin = try TestWorkspace.cluster().connect()
        let dumps = {
            try admin.query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'pg_dump'", [database])
                .records.first?.int("n") ?? 0
        }
        let command = [CLIRun.binary, "backup", "create", "shop", "--store", catalog.store.location.path].map { "'\($0)'" }.joined(separator: " ")
        let started = try ChildProcess(
            "/bin/sh", ["-c", "\(command) >/dev/null 2>&1 & echo $!"],
            environment: ["PG_BINDIR": try TestWorkspace.cluster().binDirectory]
        ).run()
        let pid = try #require(Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try TestWorkspace.wait(upTo: 10) { try dumps() == 1 })
        // pg_dump writes beside the store; find its process by that path in its command line.
        let directory = URL(fileURLWithPath: catalog.store.location.path).deletingLastPathComponent().path
        let running = {
            ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).contains { entry in
                guard Int32(entry) != nil, let raw = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return false }
                let line = String(decoding: raw.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
                return line.contains("pg_dump") && line.contains(directory) && !line.contains("setpriv")
            }
        }
        #expect(running())
        kill(pid, SIGKILL)
        #expect(TestWorkspace.wait(upTo: 5) { !running() })
        try holder.execute(script: "ROLLBACK;")
        #expect(try catalog.store.backups().isEmpty)
    }

    @Test("backup list --format json is newest first with ids, and flags projects with no backup in 24 h")
    func listJSON() throws {
        let (catalog, _) = try BackupTestSupport.fleet(["shop", "crm"])
        let options = try BackupTestSupport.backupOptions()
        let first = try #require(try catalog.createBackups(ProjectSelection(names: ["shop"]), options: options).first?.backup)
        let second = try #require(try catalog.createBackups(ProjectSelection(names: ["shop"]), options: options).first?.backup)
        var old = first
        old.id = nil
        old.project = "crm"
        old.file = first.file + ".old-copy"
        old.createdAt = Date().addingTimeInterval(-40 * 3600)
        try FileManager.default.copyItem(atPath: first.file, toPath: old.file)
        let stale = try catalog.store.insertBackup(old)
        let run = try CLIRun.run(["backup", "list", "--format", "json"], store: catalog.store.location.path)
        #expect(run.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(rows.compactMap { $0["id"] as? Int } == [second.id, first.id, stale.id].map { Int($0!) })
        #expect(rows.map { $0["stale"] as? Bool } == [false, false, true])
        #expect(rows.first?["sha256"] as? String == second.sha256)
        #expect(run.stderr.contains("no backup in the last 24 h: crm (last 1d16h ago)"))
        let listing = try catalog.listBackups(projects: ["shop"])
        #expect(listing.backups.count == 2 && listing.stale.isEmpty)
        #expect(throws: CatalogError.self) { try catalog.listBackups(projects: ["ghost"]) }
    }

    @Test("verify passes an intact backup and fails a corrupted one, recording both")
    func verify() throws {
        let (catalog, _) = try BackupTestSupport.fleet(["saas"])
        let backup = try #require(
            try catalog.createBackups(ProjectSelection(names: ["saas"]), options: BackupTestSupport.backupOptions()).first?.backup)
        let id = try #require(backup.id)
        let good = try catalog.verifyBackup(id: id, tools: BackupTestSupport.tools())
        #expect(good.isOK && good.checksumMatches && good.archiveReadable && good.entries > 10)
        #expect(try catalog.store.backup(id: id)?.verifiedOK == true)
        try BackupTestSupport.flipByte(in: backup.file)
        let bad = try catalog.verifyBackup(id: id, tools: BackupTestSupport.tools())
        #expect(!bad.isOK && !bad.checksumMatches)
        #expect(bad.problem?.contains("is corrupted") == true)
        #expect(try catalog.store.backup(id: id)?.verifiedOK == false)
        let run = try CLIRun.run(["backup", "verify", String(id)], store: catalog.store.location.path)
        #expect(run.status == 1)
        #expect(run.stdout.contains("mismatch"))
        let unknown = try CLIRun.run(["backup", "verify", "999"], store: catalog.store.location.path)
        #expect(unknown.status == 2 && unknown.stderr.contains("catalog backup list"))
    }
}
