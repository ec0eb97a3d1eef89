import CatalogSupport
import CatalogTestSupport
import Foundation
import Testing

@testable import CatalogCore

@Suite("Bundles: import")
struct BundleImportTests {
    /// One exported `saas` bundle, read-only, for the tests that need no special source.
    static let exported: Result<String, Error> = Result(catching: { try BundleTestSupport.export(BundleTestSupport.source()) })

    @Test("a target database that holds data is refused untouched; --replace takes a safety backup and replaces it")
    func targetWithData() throws {
        let bundle = try Self.exported.get()
        let existing = try TestWorkspace.database(script: "CREATE TABLE precious (id int); INSERT INTO precious VALUES (1);", prefix: "busy")
        let catalog = try TestEnvironment.catalog()
        let before = try BundleTestSupport.state(catalog)
        let digest = try BackupTestSupport.dataDigest(existing.name)
        #expect {
            try BundleTestSupport.importBundle(bundle, into: catalog, BundleTestSupport.request(existing.name))
        } throws: { error in
            "\(error)".contains("database \(existing.name) on postgres@127.0.0.1:")
                && "\(error)".contains("already holds data (1 objects: table public.precious)")
                && (error as? CatalogError)?.remedy == .allowReplace && "\(error)".hasSuffix("nothing was changed")
        }
        #expect(try BundleTestSupport.state(catalog) == before)
        #expect(try BackupTestSupport.dataDigest(existing.name) == digest)

        let result = try BundleTestSupport.importBundle(bundle, into: catalog, BundleTestSupport.request(existing.name, replace: true))
        #expect(result.plan.mode == .replace && result.verification.isOK && result.setAsideDatabase == nil)
        let backup = try #require(result.safetyBackup)
        #expect(FileManager.default.fileExists(atPath: backup.file) && backup.project == "copy" && backup.databaseName == existing.name)
        #expect(try catalog.store.backups().map(\.id) == [backup.id])
        let counts = try BackupTestSupport.rowCounts(existing.name)
        #expect(counts["public.precious"] == nil && counts["public.users"] == 3)
        #expect(try BundleTestSupport.databases(startingWith: existing.name) == [existing.name])
        #expect(try catalog.project(named: "copy").dsn == existing.url)
    }

    @Test("an unreachable target server is refused, and the store is untouched")
    func unreachable() throws {
        let catalog = try TestEnvironment.catalog()
        let before = try BundleTestSupport.state(catalog)
        var request = try BundleTestSupport.request("nowhere")
        request.dsn = "postgresql://postgres@127.0.0.1:\(try TemporaryCluster.freePort())/nowhere"
        #expect {
            try BundleTestSupport.importBundle(Self.exported.get(), into: catalog, request)
        } throws: { error in
            "\(error)".hasPrefix("the target server postgres@127.0.0.1:") && "\(error)".contains("cannot be reached")
                && "\(error)".hasSuffix("; nothing was changed") && (error as? CatalogError)?.remedy == .checkTargetServer
        }
        #expect(try BundleTestSupport.state(catalog) == before)
    }

    @Test("a name already registered is refused before the target is touched")
    func nameTaken() throws {
        let catalog = try TestEnvironment.catalog()
        try catalog.addProject(name: "copy", dsn: "postgresql://somewhere/else")
        let before = try BundleTestSupport.state(catalog)
        let database = BundleTestSupport.newDatabaseName()
        #expect {
            try BundleTestSupport.importBundle(Self.exported.get(), into: catalog, BundleTestSupport.request(database))
        } throws: { error in
            error as? CatalogError
                == CatalogError(
                    .alreadyExists, "project \"copy\" is already registered; nothing was changed", remedy: .importUnderAnotherName("copy"))
        }
        #expect(try BundleTestSupport.state(catalog) == before)
        #expect(try BundleTestSupport.databases(startingWith: database).isEmpty)
    }

    @Test("pg_restore failing halfway leaves no database behind, and an existing empty database empty", arguments: [true, false])
    func failingRestore(createDatabase: Bool) throws {
        let ghost = BackupTestSupport.roleName("ghost")
        let source = try BundleTestSupport.source(
            setup: """
                CREATE ROLE \(ghost);
                CREATE TABLE owned_by_ghost (id int);
                INSERT INTO owned_by_ghost VALUES (1);
                ALTER TABLE owned_by_ghost OWNER TO \(ghost);
                """)
        let bundle = try BundleTestSupport.export(source)
        let cluster = try TestWorkspace.cluster()
        try cluster.connect(database: source.database).execute(script: "DROP TABLE owned_by_ghost")
        try cluster.connect().execute(script: "DROP ROLE \(ghost)")

        let catalog = try TestEnvironment.catalog()
        let before = try BundleTestSupport.state(catalog)
        let database = BundleTestSupport.newDatabaseName()
        if !createDatabase { try cluster.createDatabase(database) }
        #expect {
            try BundleTestSupport.importBundle(
                bundle, into: catalog, BundleTestSupport.request(database, createDatabase: createDatabase, keepOwners: true))
        } throws: { error in
            let text = "\(error)"
            return text.contains("pg_restore failed") && text.contains(ghost)
                && (createDatabase
                    ? text.contains("no database \(database) was created, and the temporary database \(database)_importing_")
                        && text.hasSuffix("was removed")
                    : text.hasSuffix("pg_restore ran in one transaction, so the database is still empty"))
        }
        #expect(try BundleTestSupport.state(catalog) == before)
        if createDatabase {
            #expect(try BundleTestSupport.databases(startingWith: database).isEmpty)
        } else {
            #expect(try BundleTestSupport.databases(startingWith: database) == [database])
            #expect(try BackupTestSupport.rowCounts(database).isEmpty)
        }
    }

    @Test("a killed import leaves nothing under the target name, and the next run drops its temporary database")
    func killed() throws {
        let source = try BundleTestSupport.source(setup: BackupTestSupport.bulkScript(rows: 300_000))
        let bundle = try BundleTestSupport.export(source)
        let catalog = try TestEnvironment.catalog()
        let cluster = try TestWorkspace.cluster()
        let database = BundleTestSupport.newDatabaseName()
        let command = [
            CLIRun.binary, "import", bundle, "--as", "copy", "--dsn", cluster.url(database: database), "--create-database",
            "--store", catalog.store.location.path,
        ].map { "'\($0)'" }.joined(separator: " ")
        let started = try ChildProcess(
            "/bin/sh", ["-c", "\(command) >/dev/null 2>&1 & echo $!"],
            environment: ["PG_BINDIR": cluster.binDirectory]
        ).run()
        let pid = try #require(Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        var temporary: String?
        try TestWorkspace.wait(upTo: 30) {
            temporary = try BundleTestSupport.databases(startingWith: database).first { $0.contains("_importing_") }
            return temporary != nil
        }
        let leftover = try #require(temporary)
        // Kill while pg_restore is still copying, so the import cannot have finished.
        let admin = try cluster.connect()
        let restoring = {
            try admin.query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'active'", [leftover])
                .records.first?.int("n") ?? 0
        }
        #expect(try TestWorkspace.wait(upTo: 15, every: 0.002) { try restoring() > 0 })
        kill(pid, SIGKILL)
        TestWorkspace.wait(upTo: 5) { kill(pid, 0) != 0 }  // until it is gone and reaped
        #expect(try !BundleTestSupport.databases(startingWith: database).contains(database))
        #expect(try catalog.store.projects().isEmpty)
        // What the killed run unpacked is removed by the next one (or by any other import running meanwhile).
        let unpacked = BundleContents.prefix + "\(pid)-"
        let contents = try BundleContents(path: bundle)
        #expect(try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix(unpacked) }.isEmpty)
        let request = try BundleTestSupport.request(database)
        let plan = try catalog.planImport(contents, request: request)
        #expect(plan.leftovers == [leftover])
        #expect(plan.steps[1].hasPrefix("drop \(leftover), a temporary database left by an interrupted import"))
        let result = try catalog.runImport(plan, bundle: contents, request: request)
        #expect(result.verification.isOK)
        #expect(try BundleTestSupport.databases(startingWith: database) == [database])
        #expect(try BackupTestSupport.rowCounts(database)["public.bulk"] == 300_000)
    }

    @Test("into an existing empty database: one pg_restore --single-transaction, then registered")
    func intoEmpty() throws {
        let cluster = try TestWorkspace.cluster()
        let database = BundleTestSupport.newDatabaseName()
        try cluster.createDatabase(database)
        let catalog = try TestEnvironment.catalog()
        let result = try BundleTestSupport.importBundle(
            Self.exported.get(), into: catalog,
            BundleTestSupport.request(database, createDatabase: false))
        #expect(result.plan.mode == .intoEmpty && result.plan.temporaryDatabase == nil && result.plan.swapStatements.isEmpty)
        #expect(result.plan.restoreOptions == ["--single-transaction", "--exit-on-error", "--no-owner", "--no-acl"])
        #expect(result.verification.isOK && result.safetyBackup == nil)
        #expect(try BackupTestSupport.rowCounts(database)["public.users"] == 3)
        #expect(try catalog.store.auditLog().first?.action == "bundle.import")
    }

    @Test("a database that does not exist needs --create-database")
    func missingDatabase() throws {
        let catalog = try TestEnvironment.catalog()
        let database = BundleTestSupport.newDatabaseName()
        #expect {
            try BundleTestSupport.importBundle(Self.exported.get(), into: catalog, BundleTestSupport.request(database, createDatabase: false))
        } throws: { error in
            "\(error)".contains("database \(database) on ") && "\(error)".contains("does not exist; nothing was changed")
                && (error as? CatalogError)?.remedy == .createDatabase
        }
        #expect(try BundleTestSupport.databases(startingWith: database).isEmpty)
    }

    @Test("shared definitions: the same versions are attached; a clash stops, unless --keep-target or --adopt-bundle")
    func sharedDefinitions() throws {
        let source = try BundleTestSupport.source()
        let bundle = try BundleTestSupport.export(source)

        // The source's own store has the same versions: attach only.
        let same = try BundleTestSupport.importBundle(bundle, into: source.catalog, BundleTestSupport.request(BundleTestSupport.newDatabaseName()))
        #expect(same.plan.shared.map(\.action) == [.attach, .attach])
        #expect(try source.catalog.store.sharedVersions().count == 3)
        #expect(try !source.catalog.drift(ProjectSelection(names: ["copy"])).hasDrift)

        // A store with another "users" (versions 1 and 2).
        func clashing() throws -> Catalog {
            let catalog = try TestEnvironment.catalog()
            try catalog.addShared(name: "users", file: Fixtures.url("definitions/users.yaml").path)
            try catalog.updateShared(name: "users", file: Fixtures.url("definitions/users-v2.yaml").path)
            return catalog
        }
        let refusing = try clashing()
        let before = try BundleTestSupport.state(refusing)
        let database = BundleTestSupport.newDatabaseName()
        #expect {
            try BundleTestSupport.importBundle(bundle, into: refusing, BundleTestSupport.request(database))
        } throws: { error in
            error as? CatalogError
                == CatalogError(
                    .refused, "shared definition \"users\" (versions 1, 2) differs between the bundle and this store; nothing was changed",
                    remedy: .chooseSharedVersion)
        }
        #expect(try BundleTestSupport.state(refusing) == before)
        #expect(try BundleTestSupport.databases(startingWith: database).isEmpty)

        let keeping = try clashing()
        let kept = try BundleTestSupport.importBundle(
            bundle, into: keeping, BundleTestSupport.request(BundleTestSupport.newDatabaseName(), choice: .keepTarget))
        #expect(kept.plan.shared.map(\.action) == [.add, .keepTarget])
        #expect(try keeping.store.sharedVersions(named: "users").map(\.sha256) == refusing.store.sharedVersions(named: "users").map(\.sha256))
        #expect(
            try keeping.store.attachments().map { "\($0.definition) \($0.pinnedVersion ?? 0) \($0.syncedVersion ?? 0)" } == [
                "permissions 0 1", "users 0 0",
            ])

        let adopting = try clashing()
        let target = BundleTestSupport.newDatabaseName()
        let adopted = try BundleTestSupport.importBundle(bundle, into: adopting, BundleTestSupport.request(target, choice: .adoptBundle))
        #expect(adopted.plan.shared.map(\.action) == [.add, .adoptBundle])
        #expect(adopted.plan.steps.contains("UPDATE _metadata.mappings_table SET shared_version = 3 WHERE shared_name = 'users'"))
        let versions = try adopting.store.sharedVersions(named: "users")
        let bundled = try source.catalog.store.sharedVersions(named: "users")
        #expect(versions.count == 3 && versions[2].body == bundled[1].body && versions[2].note?.contains("adopted from") == true)
        #expect(try adopting.store.attachments().map { "\($0.definition) \($0.syncedVersion ?? 0)" } == ["permissions 1", "users 3"])
        let copy = try TestWorkspace.cluster().connect(database: target)
        #expect(
            try copy.query("SELECT shared_version FROM _metadata.mappings_table WHERE shared_name = 'users'").records.first?.int("shared_version")
                == 3)
        #expect(try !adopting.drift(ProjectSelection(names: ["copy"])).hasDrift)
    }

    @Test("the CLI prints the plan first; --plan changes nothing; the import prints the verification")
    func cli() throws {
        let bundle = try Self.exported.get()
        let catalog = try TestEnvironment.catalog()
        let cluster = try TestWorkspace.cluster()
        let database = BundleTestSupport.newDatabaseName()
        let arguments = ["import", bundle, "--as", "copy", "--dsn", cluster.url(database: database), "--create-database"]
        let environment = ["PG_BINDIR": cluster.binDirectory]
        let planned = try CLIRun.run(arguments + ["--plan"], store: catalog.store.location.path, environment: environment)
        #expect(planned.status == 0, "\(planned.output)")
        #expect(planned.stdout.contains("CREATE DATABASE \"\(database)_importing_") && planned.stdout.contains("pg_restore --single-transaction"))
        #expect(planned.stdout.contains("shared definition users: add: new in this store: add versions 1-2, attach (synced at version 2)"))
        #expect(planned.stdout.contains("register project \"copy\" as postgresql://postgres:****@127.0.0.1:"))
        #expect(!planned.stdout.contains(cluster.password))
        #expect(try BundleTestSupport.databases(startingWith: database).isEmpty && catalog.store.projects().isEmpty)

        let run = try CLIRun.run(arguments, store: catalog.store.location.path, environment: environment)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.stdout.contains("metadata  _metadata.mappings_table") && run.stdout.contains("imported copy into \(database)"))
        #expect(!run.stdout.contains("failed") && !run.stdout.contains(cluster.password))
        #expect(try catalog.store.projects().map(\.name) == ["copy"])
    }
}
