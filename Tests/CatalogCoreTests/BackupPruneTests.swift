import CatalogCore
import CatalogStore
import CatalogTestSupport
import Foundation
import Testing

@Suite("Backups: prune")
struct BackupPruneTests {
    let now = Date(timeIntervalSince1970: 1_780_000_000)

    func record(_ id: Int64, _ project: String, daysOld: Double, file: String? = nil) -> BackupRecord {
        BackupRecord(
            id: id, project: project, databaseName: "\(project)_db", file: file ?? "/backups/\(id).dump", sizeBytes: 1,
            sha256: String(repeating: "0", count: 64), createdAt: now.addingTimeInterval(-daysOld * 86_400),
            durationSeconds: 0.1, serverVersion: "15", catalogVersion: "test")
    }

    func removed(_ plan: PrunePlan) -> [Int64] {
        plan.removals.compactMap { decision in
            if case .backup(let backup) = decision.item { return backup.id }
            return nil
        }.sorted()
    }

    @Test("the rules keep what is young or among the newest, and never a project's only backup")
    func rules() {
        let backups = [
            record(1, "a", daysOld: 1), record(2, "a", daysOld: 10), record(3, "a", daysOld: 40),
            record(4, "a", daysOld: 50), record(5, "a", daysOld: 60), record(6, "b", daysOld: 90),
        ]
        let both = PrunePlan.make(backups: backups, setAside: [], rules: PruneRules(keepDays: 30, keepLast: 3), now: now)
        #expect(removed(both) == [4, 5])
        #expect(both.decisions.first { $0.item == .backup(backups[2]) }?.reason == "one of the newest 3")
        #expect(both.decisions.first { $0.item == .backup(backups[5]) }?.reason == "the project's newest backup is never pruned")
        #expect(both.decisions.first { $0.item == .backup(backups[4]) }?.reason == "older than 30 days and not among the newest 3")
        #expect(removed(PrunePlan.make(backups: backups, setAside: [], rules: PruneRules(keepDays: 30), now: now)) == [3, 4, 5])
        #expect(removed(PrunePlan.make(backups: backups, setAside: [], rules: PruneRules(keepLast: 1), now: now)) == [2, 3, 4, 5])
        #expect(removed(PrunePlan.make(backups: backups, setAside: [], rules: PruneRules(keepDays: 0), now: now)) == [2, 3, 4, 5])
        let aside = [
            SetAsideDatabase(id: 1, project: "a", databaseName: "old", backupID: 1, createdAt: now.addingTimeInterval(-31 * 86_400)),
            SetAsideDatabase(id: 2, project: "a", databaseName: "new", backupID: 1, createdAt: now.addingTimeInterval(-86_400)),
        ]
        let databases = PrunePlan.make(backups: [], setAside: aside, rules: PruneRules(keepDays: 30), now: now)
        #expect(databases.removals.map(\.item) == [.setAside(aside[0])])
        #expect(PrunePlan.make(backups: [], setAside: aside, rules: PruneRules(keepLast: 1), now: now).removals.isEmpty)
    }

    @Test("backup prune keeps what the rules say: --plan changes nothing, then files, rows and old databases go")
    func pruneFleet() throws {
        let (catalog, databases) = try BackupTestSupport.fleet(["shop", "crm"])
        let options = try BackupTestSupport.backupOptions()
        let real = try #require(try catalog.createBackups(ProjectSelection(names: ["shop"]), options: options).first?.backup)
        var aged: [BackupRecord] = []
        for (project, days) in [("shop", 10.0), ("shop", 40), ("shop", 50), ("crm", 90)] {
            var copy = real
            copy.id = nil
            copy.project = project
            copy.file = real.file + ".\(project)-\(Int(days))"
            copy.createdAt = Date().addingTimeInterval(-days * 86_400)
            try FileManager.default.copyItem(atPath: real.file, toPath: copy.file)
            aged.append(try catalog.store.insertBackup(copy))
        }
        let oldDatabase = try #require(databases["crm"]) + "_before_restore_old"
        try TestWorkspace.cluster().createDatabase(oldDatabase)
        try catalog.store.insertSetAside(
            SetAsideDatabase(
                project: "crm", databaseName: oldDatabase, backupID: nil,
                createdAt: Date().addingTimeInterval(-45 * 86_400)))
        let store = catalog.store.location.path

        let plan = try CLIRun.run(["backup", "prune", "--keep-days", "30", "--keep-last", "2", "--plan", "--format", "json"], store: store)
        #expect(plan.status == 0, "\(plan.stderr)")
        let planned = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [[String: Any]])
        #expect(
            planned.filter { $0["action"] as? String != "keep" }.compactMap { $0["target"] as? String }.sorted()
                == [aged[1].file, aged[2].file, oldDatabase].sorted())
        #expect(try catalog.store.backups().count == 5)
        #expect(try BackupTestSupport.databaseNames(startingWith: oldDatabase) == [oldDatabase])

        let run = try CLIRun.run(["backup", "prune", "--keep-days", "30", "--keep-last", "2"], store: store)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try catalog.store.backups().compactMap(\.id).sorted() == [real.id!, aged[0].id!, aged[3].id!].sorted())
        for gone in [aged[1], aged[2]] { #expect(!FileManager.default.fileExists(atPath: gone.file)) }
        for kept in [real, aged[0], aged[3]] { #expect(FileManager.default.fileExists(atPath: kept.file)) }
        #expect(try BackupTestSupport.databaseNames(startingWith: oldDatabase).isEmpty)
        #expect(try catalog.store.setAsideDatabases().isEmpty)

        let noRule = try CLIRun.run(["backup", "prune"], store: store)
        #expect(noRule.status == 64 && noRule.stderr.contains("--keep-days"))
    }
}
