import CatalogCore
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@Suite("Migrations: metadata migrate across the fleet")
struct MigrateTests {
    let own = MetadataSchema.migrations.map(\.version)

    @Test("a team migration adds a _metadata column across all three fixture projects, once")
    func teamMigrationAcrossFleet() throws {
        let (catalog, databases) = try BackupTestSupport.fleet()
        let store = catalog.store.location.path
        let run = try CLIRun.run(["metadata", "migrate", "--all", "--migrations", BackupTestSupport.fixtureMigrations("owner")], store: store)
        #expect(run.status == 0, "\(run.stderr)")
        for database in databases.values {
            #expect(try BackupTestSupport.mappingsColumnType("owner", database: database) == "text")
            #expect(try BackupTestSupport.ledger(database) == own + [1001])
        }
        #expect(try catalog.store.teamMigrations().map(\.version) == [1001])
        let again = try BackupTestSupport.migrate(catalog, try BackupTestSupport.request())
        #expect(again.values.allSatisfy { $0.outcome == .ok && $0.applied.isEmpty && $0.toVersion == 1001 })
        let status = try CLIRun.run(["metadata", "status", "--all", "--format", "json"], store: store)
        #expect(status.status == 0, "\(status.output)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 3)
        for row in rows {
            #expect(row["version"] as? String == "1001")
            #expect((row["pending"] as? [String])?.isEmpty == true)
            #expect(row["problem"] is NSNull)
            #expect(row["last_migrated_at"] is String)
            #expect(row["backup_stale"] as? Bool == true)
        }
    }

    @Test("a project whose server is down fails, the others go on, and the re-run migrates it")
    func serverDownThenRerun() throws {
        let (catalog, databases) = try BackupTestSupport.fleet(["saas"])
        let remote = try BackupTestSupport.ownCluster()
        defer { remote.stop() }
        try remote.createDatabase("shop_db", script: Fixtures.projectSQL("shop"))
        try catalog.addProject(name: "remote", dsn: remote.url(database: "shop_db"))
        try remote.pause()
        let first = try BackupTestSupport.migrate(catalog, try BackupTestSupport.request(migrations: BackupTestSupport.fixtureMigrations("owner")))
        #expect(first["saas"]?.outcome == .ok && first["saas"]?.applied.count == own.count + 1)
        #expect(first["remote"]?.outcome.label == "failed")
        #expect(first["remote"]?.outcome.message?.contains("Connection refused") == true)
        #expect(try catalog.project(named: "remote").status == .failed)

        try BackupTestSupport.restart(remote)
        let second = try BackupTestSupport.migrate(catalog, try BackupTestSupport.request())
        #expect(second["remote"]?.outcome == .ok)
        #expect(second["remote"]?.applied == MetadataSchema.migrations.map(\.identifier) + ["1001_mappings_owner"])
        #expect(second["saas"]?.applied == [])
        #expect(try BackupTestSupport.ledger("shop_db", cluster: remote) == own + [1001])
        #expect(try BackupTestSupport.ledger(databases["saas"]!) == own + [1001])
    }

    @Test("a destructive migration is refused without --allow-destructive, and nothing of the run is applied")
    func destructiveRefused() throws {
        let (catalog, databases) = try BackupTestSupport.fleet(["shop", "crm"])
        let store = catalog.store.location.path
        let directory = BackupTestSupport.fixtureMigrations("destructive")
        let refused = try CLIRun.run(["metadata", "migrate", "--all", "--migrations", directory], store: store)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("refusing destructive statements: 1002_owner_as_varchar.sql line 3: ALTER TABLE … TYPE"))
        #expect(refused.stderr.contains("--allow-destructive"))
        for database in databases.values { #expect(try BackupTestSupport.ledger(database).isEmpty) }
        #expect(try catalog.store.teamMigrations().isEmpty)

        let plan = try CLIRun.run(["metadata", "migrate", "shop", "--migrations", directory, "--plan"], store: store)
        #expect(plan.status == 0)
        #expect(plan.stdout.contains("-- DESTRUCTIVE at line 3: ALTER TABLE … TYPE"))

        let allowed = try CLIRun.run(["metadata", "migrate", "--all", "--migrations", directory, "--allow-destructive"], store: store)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        for database in databases.values {
            #expect(try BackupTestSupport.mappingsColumnType("owner", database: database) == "character varying")
        }
    }

    @Test("DELETE FROM _metadata, UPDATE without WHERE and a DROP in a function body are flagged in --plan and refused without --allow-destructive")
    func rowsAndBodiesRefused() throws {
        let (catalog, databases) = try BackupTestSupport.fleet(["shop"])
        try catalog.installMetadata(.everything)
        _ = try catalog.scanMetadata(.everything)
        let store = catalog.store.location.path
        let directory = try BackupTestSupport.migrations([
            "1001_forget_emails.sql": "DELETE FROM _metadata.mappings_column\nWHERE pg_column = 'email';\n",
            "1002_clear_labels.sql": "-- a comment that says DROP TABLE is not a statement\nUPDATE _metadata.mappings_column SET label = NULL;\n",
            "1003_cleanup.sql": """
            CREATE FUNCTION _metadata.cleanup() RETURNS void LANGUAGE plpgsql AS $fn$
            BEGIN
                TRUNCATE _metadata.mappings_column;
            END
            $fn$;
            """,
        ])
        let plan = try CLIRun.run(["metadata", "migrate", "shop", "--migrations", directory, "--plan"], store: store)
        #expect(plan.status == 0, "\(plan.stderr)")
        for line in [
            "-- DESTRUCTIVE at line 1: DELETE FROM _metadata", "-- DESTRUCTIVE at line 2: UPDATE without WHERE",
            "-- DESTRUCTIVE at line 1: function body with TRUNCATE",
        ] {
            #expect(plan.stdout.contains(line), "missing: \(line)")
        }
        let refused = try CLIRun.run(["metadata", "migrate", "shop", "--migrations", directory], store: store)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("refusing destructive statements: 1001_forget_emails.sql line 1: DELETE FROM _metadata"))
        #expect(refused.stderr.contains("and 2 more"))
        let connection = try TestWorkspace.cluster().connect(database: databases["shop"]!)
        let emails = "SELECT count(*) AS n FROM _metadata.mappings_column WHERE pg_column = 'email'"
        #expect(try connection.query(emails).records.first?.int("n") ?? 0 > 0)
        #expect(try BackupTestSupport.ledger(databases["shop"]!) == own)

        let allowed = try CLIRun.run(["metadata", "migrate", "shop", "--migrations", directory, "--allow-destructive"], store: store)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(try connection.query(emails).records.first?.int("n") == 0)
    }

    @Test("--plan prints the exact SQL per project and changes nothing")
    func planChangesNothing() throws {
        let (catalog, databases) = try BackupTestSupport.fleet(["shop"])
        let run = try CLIRun.run(
            ["metadata", "migrate", "shop", "--migrations", BackupTestSupport.fixtureMigrations("owner"), "--plan"],
            store: catalog.store.location.path)
        #expect(run.status == 0)
        let expected = [
            "-- project shop: _metadata not installed → 1001, \(own.count + 1) file(s)", "BEGIN;", "SET LOCAL lock_timeout = '60s';",
            "SELECT pg_advisory_xact_lock(\(MetadataSchema.advisoryLockKey));", "CREATE SCHEMA IF NOT EXISTS _metadata;",
            "-- 1001_mappings_owner: \(BackupTestSupport.fixtureMigrations("owner"))/1001_mappings_owner.sql",
            "ALTER TABLE _metadata.mappings_table ADD COLUMN owner text;",
            "INSERT INTO _metadata.schema_migrations (version, name, checksum) VALUES (1001, 'mappings_owner', '",
            "COMMIT;",
        ]
        for line in expected { #expect(run.stdout.contains(line), "missing: \(line)") }
        #expect(try BackupTestSupport.ledger(databases["shop"]!).isEmpty)
        #expect(try catalog.store.teamMigrations().isEmpty)
        let json = try CLIRun.run(["metadata", "migrate", "shop", "--plan", "--format", "json"], store: catalog.store.location.path)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.compactMap { $0["migration"] as? String } == MetadataSchema.migrations.map(\.identifier))
    }

    @Test("an SQL error rolls that project back and names the file and the statement's line")
    func sqlErrorNamesFileAndLine() throws {
        let (catalog, databases) = try BackupTestSupport.fleet(["shop"])
        try catalog.installMetadata(.everything)
        let directory = try BackupTestSupport.migrations([
            "1001_fine.sql": "ALTER TABLE _metadata.mappings_table ADD COLUMN owner text;\n",
            "1002_broken.sql": """
            CREATE TABLE _metadata.scratch (id int);

            -- the revision row exists already, so this fails at run time with no position
            INSERT INTO _metadata.revision (singleton, value)
            VALUES (true, 5);
            """,
        ])
        let results = try BackupTestSupport.migrate(catalog, try BackupTestSupport.request(migrations: directory))
        let reason = try #require(results["shop"]?.outcome.message)
        #expect(reason.contains("1002_broken.sql line 4: duplicate key value violates unique constraint"))
        #expect(reason.contains("the project was rolled back"))
        let database = databases["shop"]!
        #expect(try BackupTestSupport.ledger(database) == own)
        #expect(try BackupTestSupport.mappingsColumnType("owner", database: database) == nil)
        #expect(
            try TestWorkspace.cluster().connect(database: database).query("SELECT to_regclass('_metadata.scratch') AS t").records.first?["t"] == nil)
    }

    @Test("two runs at once on one project: one waits for the other, and nothing is applied twice")
    func concurrentRuns() throws {
        let (catalog, databases) = try BackupTestSupport.fleet(["shop"])
        try catalog.installMetadata(.everything)
        let directory = try BackupTestSupport.migrations([
            "1001_slow_owner.sql": "SELECT pg_sleep(0.5);\nALTER TABLE _metadata.mappings_table ADD COLUMN owner text;\n"
        ])
        let request = try BackupTestSupport.request(migrations: directory)
        let plans = try (0..<2).map { _ in try catalog.planMigration(.everything, request: request) }
        #expect(plans.allSatisfy { $0.projects.first?.steps.count == 1 })
        let results = BackupTestSupport.concurrently(plans) { plan in try catalog.applyMigration(plan, request: request).first }
        #expect(results.allSatisfy { $0??.outcome == .ok })
        #expect(results.compactMap { $0??.applied }.sorted { $0.count < $1.count } == [[], ["1001_slow_owner"]])
        #expect(try BackupTestSupport.ledger(databases["shop"]!) == own + [1001])
    }

    @Test("a migration file changed after it was applied somewhere stops everything, with an explanation")
    func changedFileStopsEverything() throws {
        let (catalog, databases) = try BackupTestSupport.fleet(["shop", "crm"])
        let directory = try BackupTestSupport.migrations(["1001_owner.sql": "ALTER TABLE _metadata.mappings_table ADD COLUMN owner text;\n"])
        _ = try BackupTestSupport.migrate(catalog, try BackupTestSupport.request(migrations: directory), selection: ProjectSelection(names: ["shop"]))
        try "ALTER TABLE _metadata.mappings_table ADD COLUMN owner varchar(10);\n"
            .write(toFile: directory + "/1001_owner.sql", atomically: true, encoding: .utf8)
        #expect {
            try catalog.planMigration(.everything, request: try BackupTestSupport.request(migrations: directory))
        } throws: { error in
            let text = "\(error)"
            return text.contains("project \"shop\": migration 1001_owner was applied with checksum")
                && text.contains("restore the file and put the change in a new migration")
        }
        #expect(try BackupTestSupport.ledger(databases["crm"]!).isEmpty)
        let run = try CLIRun.run(["metadata", "migrate", "--all", "--migrations", directory], store: catalog.store.location.path)
        #expect(run.status == 2 && run.stderr.contains("an applied migration must never change"))
        #expect(try BackupTestSupport.ledger(databases["crm"]!).isEmpty)
    }

    @Test("--canary stops the run when a canary fails; --backup-first backs up each project before touching it")
    func canaryAndBackupFirst() throws {
        let (catalog, databases) = try BackupTestSupport.fleet()
        let owner = BackupTestSupport.fixtureMigrations("owner")
        _ = try BackupTestSupport.migrate(catalog, try BackupTestSupport.request(), selection: ProjectSelection(names: ["crm"]))
        let crm = try TestWorkspace.cluster().connect(database: databases["crm"]!)
        try crm.execute(script: "ALTER TABLE _metadata.mappings_table ADD COLUMN owner integer")

        let first = try BackupTestSupport.migrate(catalog, try BackupTestSupport.request(migrations: owner, backupFirst: true, canary: 1))
        #expect(first["crm"]?.outcome.label == "failed")
        #expect(first["crm"]?.backupID != nil)
        for name in ["saas", "shop"] {
            #expect(first[name]?.outcome == .skipped("not attempted: canary project(s) crm failed; fix them and run again"))
            #expect(try BackupTestSupport.ledger(databases[name]!).isEmpty)
        }
        #expect(try catalog.store.backups().map(\.project) == ["crm"])

        try crm.execute(script: "ALTER TABLE _metadata.mappings_table DROP COLUMN owner")
        let second = try BackupTestSupport.migrate(catalog, try BackupTestSupport.request(backupFirst: true, canary: 1))
        #expect(second.values.allSatisfy { $0.outcome == .ok && $0.backupID != nil })
        #expect(try catalog.store.backups().map(\.project).sorted() == ["crm", "crm", "saas", "shop"])
        for database in databases.values { #expect(try BackupTestSupport.ledger(database) == own + [1001]) }
    }

    @Test("rollback applies down scripts under the same rules: destructive ones need the flag, and a missing one refuses")
    func rollback() throws {
        let (catalog, databases) = try BackupTestSupport.fleet(["shop"])
        let database = databases["shop"]!
        _ = try BackupTestSupport.migrate(catalog, try BackupTestSupport.request(migrations: BackupTestSupport.fixtureMigrations("owner")))
        let store = catalog.store.location.path

        let refused = try CLIRun.run(["metadata", "rollback", "shop", "--to", "\(MetadataSchema.latestVersion)"], store: store)
        #expect(refused.status == 2 && refused.stderr.contains("1001_mappings_owner.down.sql line 2: ALTER TABLE … DROP"))
        #expect(try BackupTestSupport.ledger(database) == own + [1001])

        let rolledBack = try BackupTestSupport.migrate(catalog, try BackupTestSupport.request(.down, to: MetadataSchema.latestVersion, allowDestructive: true))
        #expect(rolledBack["shop"]?.outcome == .ok && rolledBack["shop"]?.applied == ["1001_mappings_owner"])
        #expect(rolledBack["shop"]?.toVersion == MetadataSchema.latestVersion)
        #expect(try BackupTestSupport.mappingsColumnType("owner", database: database) == nil)
        #expect(try BackupTestSupport.ledger(database) == own)

        #expect {
            try catalog.planMigration(.everything, request: try BackupTestSupport.request(.down, to: MetadataSchema.latestVersion - 1))
        } throws: { error in
            "\(error)".contains("migration \(MetadataSchema.migrations.last!.identifier) has no down script")
        }
        let missingTarget = try CLIRun.run(["metadata", "rollback", "shop"], store: store)
        #expect(missingTarget.status == 64)
    }

    @Test("team migration files are checked: catalog's versions are reserved, names must carry a number")
    func badTeamFiles() throws {
        let reserved = try BackupTestSupport.migrations(["0005_mine.sql": "SELECT 1;"])
        #expect { try TeamMigrations.load(directory: reserved) } throws: { "\($0)".contains("renumber it from 1000 up, such as 1005_mine.sql") }
        let unnamed = try BackupTestSupport.migrations(["add_owner.sql": "SELECT 1;"])
        #expect { try TeamMigrations.load(directory: unnamed) } throws: { "\($0)".contains("name migration files NNNN_name.sql") }
        let orphan = try BackupTestSupport.migrations(["1001_a.sql": "SELECT 1;", "1002_b.down.sql": "SELECT 1;"])
        #expect { try TeamMigrations.load(directory: orphan) } throws: { "\($0)".contains("has no matching 1002_b.sql") }
        #expect { try TeamMigrations.load(directory: "/nonexistent") } throws: { "\($0)".contains("does not exist") }
        let loaded = try TeamMigrations.load(directory: BackupTestSupport.fixtureMigrations("destructive"))
        #expect(loaded.map(\.identifier) == ["1001_mappings_owner", "1002_owner_as_varchar"])
        #expect(loaded.allSatisfy { $0.down != nil })
    }

    @Test("two directories that share a version: status names the project's migration and the other file, not a changed file")
    func sharedVersionNamesBothFiles() throws {
        let (catalog, _) = try BackupTestSupport.fleet(["shop", "crm"])
        let owner = try BackupTestSupport.migrations(["1001_owner.sql": "ALTER TABLE _metadata.mappings_table ADD COLUMN owner text;\n"])
        let notes = try BackupTestSupport.migrations(["1001_notes.sql": "ALTER TABLE _metadata.mappings_table ADD COLUMN notes text;\n"])
        _ = try BackupTestSupport.migrate(catalog, try BackupTestSupport.request(migrations: owner), selection: ProjectSelection(names: ["shop"]))
        _ = try BackupTestSupport.migrate(catalog, try BackupTestSupport.request(migrations: notes), selection: ProjectSelection(names: ["crm"]))
        let rows = Dictionary(uniqueKeysWithValues: try catalog.metadataFleetStatus(.everything).map { ($0.probe.project, $0.probe) })
        #expect(rows["crm"]?.problem == nil)
        let problem = try #require(rows["shop"]?.problem)
        #expect(
            problem
                == "project \"shop\": its _metadata has migration 1001_owner, but version 1001 here is 1001_notes (\(notes)/1001_notes.sql); two migrations share version 1001; nothing was changed"
        )
        #expect(rows["shop"]?.problemRemedy == .giveMigrationsDirectoryOrRenumber(migration: "1001_owner"))
        let run = try CLIRun.run(["metadata", "status", "--all"], store: catalog.store.location.path)
        #expect(run.status == 1)
        #expect(run.stdout.contains("its _metadata has migration 1001_owner") && !run.stdout.contains("now has"))
        #expect(run.stdout.contains("pass the --migrations directory 1001_owner came from, or renumber one of them"), "\(run.stdout)")
    }

    @Test("metadata status shows the last migration and the last backup, flagging one older than 24 h")
    func status() throws {
        let (catalog, _) = try BackupTestSupport.fleet(["shop", "crm"])
        _ = try BackupTestSupport.migrate(catalog, try BackupTestSupport.request())
        let fresh = try #require(
            try catalog.createBackups(ProjectSelection(names: ["shop"]), options: BackupTestSupport.backupOptions()).first?.backup)
        var old = fresh
        old.id = nil
        old.project = "crm"
        old.file = fresh.file + ".crm"
        old.createdAt = Date().addingTimeInterval(-30 * 3600)
        let stale = try catalog.store.insertBackup(old)
        let rows = Dictionary(uniqueKeysWithValues: try catalog.metadataFleetStatus(.everything).map { ($0.probe.project, $0) })
        #expect(rows["shop"]?.lastBackup == fresh && rows["shop"]?.backupIsStale == false)
        #expect(rows["crm"]?.lastBackup == stale && rows["crm"]?.backupIsStale == true)
        let migrated = try #require(rows["shop"]?.lastMigratedAt)
        #expect(abs(migrated.timeIntervalSinceNow) < 120)
        let run = try CLIRun.run(["metadata", "status", "--all"], store: catalog.store.location.path)
        #expect(run.status == 0)
        #expect(run.stdout.contains("LAST MIGRATED AT"))
        #expect(run.stdout.contains("1d6h (over 24 h)"))
    }
}
