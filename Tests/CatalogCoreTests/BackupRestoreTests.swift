import CatalogStore
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CatalogCore

@Suite("Backups: restore")
struct BackupRestoreTests {
    /// A registered `shop` project with one backup.
    func backedUp(_ fixture: String = "shop", setup: String? = nil) throws -> (Catalog, database: String, backup: BackupRecord) {
        let (catalog, databases) = try BackupTestSupport.fleet([fixture])
        let database = try #require(databases[fixture])
        if let setup { try TestWorkspace.cluster().connect().execute(script: setup.replacingOccurrences(of: "DB", with: "\"\(database)\"")) }
        let backup = try #require(
            try catalog.createBackups(ProjectSelection(names: [fixture]), options: BackupTestSupport.backupOptions()).first?.backup)
        return (catalog, database, backup)
    }

    func options(terminate: Bool = false, dropOld: Bool = false) throws -> RestoreOptions {
        RestoreOptions(terminateConnections: terminate, dropOld: dropOld, connectTimeout: 5, tools: try BackupTestSupport.tools())
    }

    @Test("backup → restore gives identical data, with the owner, encoding and settings copied and the old database kept")
    func roundTrip() throws {
        let owner = BackupTestSupport.roleName("owner")
        let (catalog, database, backup) = try backedUp(
            setup: """
                CREATE ROLE \(owner);
                ALTER DATABASE DB OWNER TO \(owner);
                ALTER DATABASE DB SET search_path TO "$user", public;
                ALTER DATABASE DB SET work_mem TO '8MB';
                ALTER ROLE \(owner) IN DATABASE DB SET statement_timeout TO '5s';
                """)
        let digest = try BackupTestSupport.dataDigest(database)
        let counts = try BackupTestSupport.rowCounts(database)
        let locale = try TestWorkspace.cluster().connect().query(
            "SELECT datcollate || '/' || datctype AS locale FROM pg_database WHERE datname = $1", [database]
        ).records.first?["locale"]
        try TestWorkspace.cluster().connect(database: database).execute(
            script: """
                DELETE FROM order_items; INSERT INTO users (email, full_name) VALUES ('late@example.com', 'Late Comer');
                """)
        #expect(try BackupTestSupport.dataDigest(database) != digest)

        let run = try CLIRun.run(["backup", "restore", "shop", String(backup.id!), "--yes", "--format", "json"], store: catalog.store.location.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try BackupTestSupport.dataDigest(database) == digest)
        #expect(try BackupTestSupport.rowCounts(database) == counts)

        let aside = try #require(try catalog.store.setAsideDatabases(projects: ["shop"]).first)
        #expect(aside.databaseName.hasPrefix(database + "_before_restore_"))
        #expect(run.stdout.contains(aside.databaseName))
        #expect(try BackupTestSupport.rowCounts(aside.databaseName)["public.order_items"] == 0)
        let admin = try TestWorkspace.cluster().connect()
        let facts = try admin.query(
            """
            SELECT pg_get_userbyid(d.datdba) AS owner, pg_encoding_to_char(d.encoding) AS encoding, d.datcollate || '/' || d.datctype AS locale,
                   (SELECT string_agg(c, ' ' ORDER BY c) FROM pg_db_role_setting s, unnest(s.setconfig) c WHERE s.setdatabase = d.oid) AS settings
            FROM pg_database d WHERE d.datname = $1
            """, [database]
        ).records.first
        #expect(facts?["owner"] == owner)
        #expect(facts?["encoding"] == "UTF8")
        #expect(locale != nil && facts?["locale"] == locale)
        #expect(facts?["settings"] == "search_path=\"$user\", public statement_timeout=5s work_mem=8MB")
        #expect(try BackupTestSupport.databaseNames(startingWith: database) == [database, aside.databaseName])
    }

    @Test("every fixture project comes back identical: row counts and the pg_dump --data-only checksum", arguments: Fixtures.projectNames)
    func roundTripEveryFixture(_ fixture: String) throws {
        let (catalog, database, backup) = try backedUp(fixture)
        let digest = try BackupTestSupport.dataDigest(database)
        let counts = try BackupTestSupport.rowCounts(database)
        try TestWorkspace.cluster().connect(database: database).execute(
            script: """
                CREATE TABLE written_after_backup (id int); INSERT INTO written_after_backup VALUES (1), (2);
                """)
        let result = try catalog.restore(try catalog.planRestore(project: fixture, backupID: backup.id!, options: options()), options: options())
        #expect(try BackupTestSupport.dataDigest(database) == digest)
        #expect(try BackupTestSupport.rowCounts(database) == counts)
        #expect(counts.values.reduce(0, +) > 0)
        let aside = try #require(result.setAsideDatabase)
        #expect(try BackupTestSupport.rowCounts(aside)["public.written_after_backup"] == 2)
    }

    @Test("a corrupted backup file is refused before anything is touched")
    func corruptedBackup() throws {
        let (catalog, database, backup) = try backedUp()
        let digest = try BackupTestSupport.dataDigest(database)
        let names = try BackupTestSupport.databaseNames(startingWith: database)
        try BackupTestSupport.flipByte(in: backup.file)
        #expect {
            try catalog.planRestore(project: "shop", backupID: backup.id!, options: options())
        } throws: { error in
            "\(error)".contains("backup \(backup.id!) of project \"shop\" is corrupted")
        }
        let run = try CLIRun.run(["backup", "restore", "shop", String(backup.id!), "--yes"], store: catalog.store.location.path)
        #expect(run.status == 2 && run.stderr.contains("is corrupted"))
        #expect(try BackupTestSupport.databaseNames(startingWith: database) == names)
        #expect(try BackupTestSupport.dataDigest(database) == digest)
    }

    @Test("a pg_restore that fails midway leaves the original intact, removes the temporary database and says so")
    func failingRestore() throws {
        let ghost = BackupTestSupport.roleName("ghost")
        let (catalog, database, backup) = try backedUp(
            setup: """
                CREATE ROLE \(ghost);
                """)
        try TestWorkspace.cluster().connect(database: database).execute(
            script: "CREATE TABLE owned_by_ghost (id int); ALTER TABLE owned_by_ghost OWNER TO \(ghost)")
        let withGhost = try #require(
            try catalog.createBackups(ProjectSelection(names: ["shop"]), options: BackupTestSupport.backupOptions()).first?.backup)
        try TestWorkspace.cluster().connect(database: database).execute(script: "DROP TABLE owned_by_ghost; DELETE FROM payments")
        try TestWorkspace.cluster().connect().execute(script: "DROP ROLE \(ghost)")
        let digest = try BackupTestSupport.dataDigest(database)
        let names = try BackupTestSupport.databaseNames(startingWith: database)

        let plan = try catalog.planRestore(project: "shop", backupID: withGhost.id!, options: options())
        #expect {
            try catalog.restore(plan, options: options())
        } throws: { error in
            let text = "\(error)"
            return text.contains("pg_restore failed") && text.contains("\(ghost)")
                && text.hasSuffix("the original database \"\(database)\" was not touched and the temporary database was removed")
        }
        #expect(try BackupTestSupport.databaseNames(startingWith: database) == names)
        #expect(try BackupTestSupport.dataDigest(database) == digest)
        #expect(try catalog.store.setAsideDatabases().isEmpty)
        #expect(backup.id != withGhost.id)
    }

    @Test("restore refuses while other sessions are connected, unless told to end them")
    func otherSessions() throws {
        let (catalog, database, backup) = try backedUp()
        let names = try BackupTestSupport.databaseNames(startingWith: database)
        let other = try TestWorkspace.cluster().connect(database: database)
        let plan = try catalog.planRestore(project: "shop", backupID: backup.id!, options: options())
        #expect(plan.otherSessions == 1)
        #expect {
            try catalog.restore(plan, options: options())
        } throws: { error in
            "\(error)".contains("1 other session(s) are connected") && (error as? CatalogError)?.remedy == .terminateOtherSessions
        }
        #expect(try BackupTestSupport.databaseNames(startingWith: database) == names)
        #expect(try other.query("SELECT 1 AS one").records.first?.int("one") == 1)

        let terminating = try catalog.planRestore(project: "shop", backupID: backup.id!, options: options(terminate: true, dropOld: true))
        let result = try catalog.restore(terminating, options: options(terminate: true, dropOld: true))
        #expect(result.setAsideDatabase == nil)
        #expect(throws: PostgresError.self) { try other.query("SELECT 1") }
        #expect(try BackupTestSupport.databaseNames(startingWith: database) == names)
        #expect(try catalog.store.setAsideDatabases().isEmpty)
    }

    @Test("the CLI needs --yes, and --plan prints the steps and changes nothing")
    func cliSafety() throws {
        let (catalog, database, backup) = try backedUp()
        let names = try BackupTestSupport.databaseNames(startingWith: database)
        let refused = try CLIRun.run(["backup", "restore", "shop", String(backup.id!)], store: catalog.store.location.path)
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("pass --yes to go ahead"))
        let plan = try CLIRun.run(["backup", "restore", "shop", String(backup.id!), "--plan"], store: catalog.store.location.path)
        #expect(plan.status == 0)
        #expect(plan.stdout.contains("CREATE DATABASE \"\(database)_restoring_"))
        #expect(plan.stdout.contains("ALTER DATABASE \"\(database)\" RENAME TO \"\(database)_before_restore_"))
        #expect(try BackupTestSupport.databaseNames(startingWith: database) == names)
        let wrongProject = try CLIRun.run(["backup", "restore", "saas", String(backup.id!), "--yes"], store: catalog.store.location.path)
        #expect(wrongProject.status == 2)
    }

    @Test("a temporary database that a killed restore left behind is dropped by the next one, unless it is in use")
    func leftoversOfAKilledRestore() throws {
        let (catalog, database, backup) = try backedUp()
        let leftover = database + "_restoring_20260101000000"
        let admin = try TestWorkspace.cluster().connect()
        try admin.execute(script: "CREATE DATABASE \"\(leftover)\"")
        var busy: Connection? = try TestWorkspace.cluster().connect(database: leftover)
        #expect(busy != nil)
        let plan = try catalog.planRestore(project: "shop", backupID: backup.id!, options: try options())
        #expect(plan.leftovers == [leftover])
        #expect(plan.steps.contains("DROP DATABASE IF EXISTS \"\(leftover)\""))
        #expect {
            try catalog.restore(plan, options: try options())
        } throws: { error in
            (error as? CatalogError)?.message.contains("is another restore of this project running?") == true
        }
        #expect(try BackupTestSupport.databaseNames(startingWith: database) == [database, leftover])
        busy = nil  // closes the session
        let result = try catalog.restore(
            try catalog.planRestore(project: "shop", backupID: backup.id!, options: try options()), options: try options())
        #expect(try BackupTestSupport.databaseNames(startingWith: database) == [database, try #require(result.setAsideDatabase)])
    }

    @Test("generated names fit in 63 bytes, cut on a character boundary, and never collide")
    func names() throws {
        let long = String(repeating: "é", count: 30) + "_db"
        let date = Date(timeIntervalSince1970: 1_780_000_000)
        let first = BackupRestoreNames.setAside(long, at: date, taken: [])
        #expect(first.utf8.count <= 63)
        #expect(first.hasSuffix("_before_restore_20260528202640"))
        #expect(first.hasPrefix("éé"))
        let second = BackupRestoreNames.setAside(long, at: date, taken: [first])
        #expect(second != first && second.utf8.count <= 63 && second.hasSuffix("_2"))
        #expect(BackupRestoreNames.setAside("shop", at: date, taken: []) == "shop_before_restore_20260528202640")
    }

    @Test("a database whose locale is not libc's is created with the same provider")
    func localeProvider() throws {
        let quote: (String) -> String = { "'\($0)'" }
        #expect(try RestorePlan.localeProviderClause("icu", locale: "und-x-icu", literal: quote) == " LOCALE_PROVIDER = icu ICU_LOCALE = 'und-x-icu'")
        #expect(
            try RestorePlan.localeProviderClause("builtin", locale: "C.UTF-8", literal: quote)
                == " LOCALE_PROVIDER = builtin BUILTIN_LOCALE = 'C.UTF-8'")
        #expect(try RestorePlan.localeProviderClause("libc", locale: nil, literal: quote) == "")
        #expect(try RestorePlan.localeProviderClause("icu", locale: nil, literal: quote) == "")
    }

    @Test("list settings are split the way pg_dump splits them")
    func settings() {
        #expect(BackupDatabaseSetting(role: nil, entry: "search_path=\"$user\", public")?.values == ["$user", "public"])
        #expect(BackupDatabaseSetting(role: nil, entry: "search_path=\"a\"\"b\" , c,\" d \"")?.values == ["a\"b", "c", " d "])
        #expect(BackupDatabaseSetting(role: "r", entry: "work_mem=8MB") == BackupDatabaseSetting(role: "r", name: "work_mem", values: ["8MB"]))
        #expect(BackupDatabaseSetting(role: nil, entry: "app.motto=a, b")?.values == ["a, b"])
        #expect(BackupDatabaseSetting(role: nil, entry: "broken") == nil)
    }
}
