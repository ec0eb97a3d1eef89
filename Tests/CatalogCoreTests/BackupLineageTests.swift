import CatalogStore
import CatalogSupport
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CatalogCore

@Suite("Backups: lineage, server, privileges, partial files, missing files")
struct BackupLineageTests {
    static func restoreOptions(intoDifferentDatabase: Bool = false) throws -> RestoreOptions {
        RestoreOptions(connectTimeout: 5, intoDifferentDatabase: intoDifferentDatabase, tools: try BackupTestSupport.tools())
    }

    static func backUp(_ catalog: Catalog, _ project: String) throws -> BackupRecord {
        let results = try catalog.createBackups(ProjectSelection(names: [project]), options: BackupTestSupport.backupOptions())
        return try #require(results.first?.backup, "\(results)")
    }

    static func lineage(_ database: String) throws -> String? {
        try TestWorkspace.cluster().connect(database: database).query("SELECT lineage::text AS id FROM _metadata.revision").records.first?["id"]
    }

    @Test(
        "each backup records its server and lineage; a restore into another database of the same project name is refused without --into-different-database"
    )
    func lineageAndServer() throws {
        let (catalog, databases) = try BackupTestSupport.fleet(["shop"])
        try catalog.installMetadata(ProjectSelection(names: ["shop"]))
        let cluster = try TestWorkspace.cluster()
        let lineage = try #require(try Self.lineage(databases["shop"]!))
        let backup = try Self.backUp(catalog, "shop")
        #expect(backup.lineage == lineage && backup.server == "127.0.0.1:\(cluster.port)")
        #expect(try catalog.store.backup(id: backup.id!) == backup)

        // The same database: the plan shows the check, and the restored database keeps the lineage.
        let plan = try catalog.planRestore(project: "shop", backupID: backup.id!, options: Self.restoreOptions())
        #expect(plan.steps[1] == "check the target: server 127.0.0.1:\(cluster.port) and lineage \(lineage) match the backup's")
        _ = try catalog.restore(plan, options: Self.restoreOptions())
        #expect(try Self.lineage(databases["shop"]!) == lineage)

        // `project remove` and `project add` with an unrelated database under the same name.
        try catalog.removeProject(named: "shop")
        let other = try TestWorkspace.database(fixture: "shop")
        try catalog.addProject(name: "shop", dsn: other.url)
        try catalog.installMetadata(ProjectSelection(names: ["shop"]))
        let otherLineage = try #require(try Self.lineage(other.name))
        #expect {
            try catalog.planRestore(project: "shop", backupID: backup.id!, options: Self.restoreOptions())
        } throws: { error in
            "\(error)".contains("is not of database \"\(other.name)\"") && "\(error)".contains("lineage is \(lineage)")
                && (error as? CatalogError)?.remedy == .allowDifferentDatabase(project: "shop") && !"\(error)".contains("--")
        }
        let counts = try BackupTestSupport.rowCounts(other.name)
        let refused = try CLIRun.run(["backup", "restore", "shop", "\(backup.id!)", "--yes"], store: catalog.store.location.path)
        #expect(refused.status != 0 && refused.stderr.contains("--into-different-database"), "\(refused.stderr)")
        #expect(try BackupTestSupport.rowCounts(other.name) == counts && (try Self.lineage(other.name)) == otherLineage)

        let shown = try CLIRun.run(
            ["backup", "restore", "shop", "\(backup.id!)", "--plan", "--into-different-database"],
            store: catalog.store.location.path)
        #expect(shown.status == 0 && shown.stdout.contains("restore into a different database, as allowed"), "\(shown.stderr)")
    }

    @Test("a backup recorded before servers and lineages were kept is restored as before, and the plan says it was not checked")
    func oldBackupIsNotChecked() throws {
        let (catalog, _) = try BackupTestSupport.fleet(["shop"])
        var backup = try Self.backUp(catalog, "shop")
        backup.id = nil
        backup.server = nil
        backup.lineage = nil
        backup.file += ".old"
        try FileManager.default.copyItem(atPath: String(backup.file.dropLast(4)), toPath: backup.file)
        let old = try catalog.store.insertBackup(backup)
        let plan = try catalog.planRestore(project: "shop", backupID: old.id!, options: Self.restoreOptions())
        #expect(plan.steps[1].contains("not possible, backup \(old.id!) was taken before catalog recorded servers and lineages"))
    }

    @Test("restore keeps the database's privileges and comment: a locked-down database stays locked")
    func privilegesAndComment() throws {
        let (catalog, databases) = try BackupTestSupport.fleet(["shop"])
        let database = databases["shop"]!
        let admin = try TestWorkspace.cluster().connect()
        let role = "reader_\(UUID().uuidString.prefix(8).lowercased())"
        try admin.execute(
            script: """
                CREATE ROLE \(role) LOGIN;
                REVOKE CONNECT, TEMPORARY ON DATABASE \(database) FROM PUBLIC;
                GRANT CONNECT ON DATABASE \(database) TO \(role) WITH GRANT OPTION;
                COMMENT ON DATABASE \(database) IS 'locked: ask the DBA''s team';
                """)
        func access() throws -> [String?] {
            let row = try admin.query(
                """
                SELECT datacl::text AS acl, shobj_description(oid, 'pg_database') AS comment,
                       has_database_privilege('pg_monitor', datname, 'CONNECT') AS public_connect
                FROM pg_database WHERE datname = $1
                """, [database]
            ).records.first
            return [row?["acl"], row?["comment"], row?["public_connect"]]
        }
        let before = try access()
        #expect(before[2] == "f")
        let backup = try Self.backUp(catalog, "shop")
        let plan = try catalog.planRestore(project: "shop", backupID: backup.id!, options: Self.restoreOptions())
        let temporary = "\"\(plan.temporaryDatabase)\""
        for step in [
            "REVOKE ALL ON DATABASE \(temporary) FROM PUBLIC", "GRANT CONNECT ON DATABASE \(temporary) TO \"\(role)\" WITH GRANT OPTION",
            "COMMENT ON DATABASE \(temporary) IS 'locked: ask the DBA''s team'",
        ] {
            #expect(plan.steps.contains(step), "missing: \(step)")
        }
        _ = try catalog.restore(plan, options: Self.restoreOptions())
        #expect(try access() == before)
        try admin.execute(script: "DROP OWNED BY \(role); DROP ROLE \(role)")
    }

    @Test("backup create and prune remove the .partial files of runs that are gone, and keep those of live runs")
    func abandonedPartialFiles() throws {
        let (catalog, _) = try BackupTestSupport.fleet(["shop"])
        let directory = (catalog.store.location.directory as NSString).appendingPathComponent("backups/shop")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let gone = try #require(Int32(try ChildProcess("/bin/sh", ["-c", "echo $$"]).run().stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let abandoned = directory + "/.shop-20260101T000000Z-deadbeef.dump.\(gone).partial"
        let live = directory + "/.shop-20260101T000000Z-cafecafe.dump.1.partial"
        let oldStyleStale = directory + "/.shop-20250101T000000Z-00000000.dump.partial"
        let oldStyleFresh = directory + "/.shop-20260101T000000Z-11111111.dump.partial"
        for path in [abandoned, live, oldStyleStale, oldStyleFresh] { try "partial".write(toFile: path, atomically: true, encoding: .utf8) }
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-2 * 86_400)], ofItemAtPath: oldStyleStale)

        let backup = try Self.backUp(catalog, "shop")
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        #expect(left == Set([live, oldStyleFresh, backup.file].map { ($0 as NSString).lastPathComponent }))

        try "partial".write(toFile: abandoned, atomically: true, encoding: .utf8)
        _ = catalog.prune(try catalog.planPrune(rules: PruneRules(keepDays: 30, keepLast: nil)))
        #expect(!FileManager.default.fileExists(atPath: abandoned) && FileManager.default.fileExists(atPath: live))
    }

    @Test("verify of a deleted backup file says missing, not a checksum mismatch")
    func verifyMissingFile() throws {
        let (catalog, _) = try BackupTestSupport.fleet(["shop"])
        let backup = try Self.backUp(catalog, "shop")
        #expect(unlink(backup.file) == 0)
        let verification = try catalog.verifyBackup(id: backup.id!, tools: BackupTestSupport.tools())
        #expect(verification.fileMissing && !verification.isOK && verification.problem?.contains("is missing") == true)
        let run = try CLIRun.run(["backup", "verify", "\(backup.id!)", "--format", "json"], store: catalog.store.location.path)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(run.status == 1 && rows.first?["checksum"] as? String == "missing")
    }
}
