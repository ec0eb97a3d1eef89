import CatalogStore
import CatalogTestSupport
import Foundation
import Testing

/// One way to get a fresh, empty store. A PostgreSQL-backed store adds one line to `all`.
struct StoreImplementation: Sendable, CustomTestStringConvertible {
    var name: String
    var make: @Sendable () throws -> any CatalogStoring

    var testDescription: String { name }

    static let all: [StoreImplementation] = [
        StoreImplementation(name: "SQLite") {
            try Store(path: TestWorkspace.temporaryDirectory().appendingPathComponent("contract.sqlite").path)
        },
        StoreImplementation(name: "PostgreSQL") {
            let registry = try TestWorkspace.database(prefix: "registry").url
            let local = try TestWorkspace.temporaryDirectory().appendingPathComponent("registry").path
            return try PostgresStore(location: StoreLocation(registry: registry, localPath: local))
        },
    ]
}

/// One part of the contract, written once over `any CatalogStoring`.
struct StoreContract: Sendable, CustomTestStringConvertible {
    var name: String
    var check: @Sendable (any CatalogStoring) throws -> Void

    var testDescription: String { name }

    static let all: [StoreContract] = [
        StoreContract(name: "migrations", check: migrations),
        StoreContract(name: "registry", check: registry),
        StoreContract(name: "index", check: index),
        StoreContract(name: "index name filters", check: indexNameFilters),
        StoreContract(name: "shared definitions and attachments", check: sharedAndAttachments),
        StoreContract(name: "backups and set-aside databases", check: backups),
        StoreContract(name: "exports and audit", check: exportsAndAudit),
        StoreContract(name: "catalog sql", check: federatedSQL),
        StoreContract(name: "lifecycle intents", check: lifecycleIntents),
        StoreContract(name: "history", check: history),
        StoreContract(name: "whole-store copy", check: copy),
        StoreContract(name: "change version", check: changeVersion),
        StoreContract(name: "leader leases", check: leaderLeases),
        StoreContract(name: "index writes fenced by the index-refresh lease", check: fencedIndexWrites),
        StoreContract(name: "web sessions", check: webSessions),
        StoreContract(name: "audit replica", check: auditReplica),
    ]

    /// Every committed write moves the change version, and reads do not: what `serve`'s memory polls.
    static func changeVersion(_ store: any CatalogStoring) throws {
        let start = try store.changeVersion()
        _ = try store.projects()
        _ = try store.indexStates()
        #expect(try store.changeVersion() == start)
        try store.insert(Project(name: "shop", dsn: "dbname=shop_db", createdAt: time))
        let added = try store.changeVersion()
        #expect(added > start)
        try store.applyIndexUpdates(
            [.replace(project: "shop", revision: 1, incarnation: nil, metadataVersion: 4, tables: [], columns: [], types: nil)], at: time)
        let indexed = try store.changeVersion()
        #expect(indexed > added)
        #expect(try store.changeVersion() == indexed)
        try store.deleteProject(named: "shop")
        #expect(try store.changeVersion() > indexed)
    }

    /// A fixed time with whole seconds: stores may keep dates to the millisecond only.
    static let time = Date(timeIntervalSince1970: 1_800_000_000)

    static func entry(_ action: String, target: String? = nil) -> AuditEntry {
        AuditEntry(at: time, actor: "contract", action: action, target: target, result: "ok")
    }

    static func code(_ body: () throws -> Void) -> StoreError.Code? {
        do { try body() } catch let error as StoreError { return error.code } catch { return nil }
        return nil
    }

    /// Archive and rename --database record their step first; the transaction that ends it forgets it.
    static func lifecycleIntents(_ store: any CatalogStoring) throws {
        struct Refused: Error {}
        try store.insert(Project(name: "shop", dsn: "dbname=shop_db", createdAt: time))
        let rename = LifecycleIntent(
            operation: "rename", project: "shop", server: "h:5432", dsn: "dbname=shop_db", databaseName: "shop_db", incarnation: "16384/abc",
            newName: "store", newDatabase: "store_db", token: "t1", startedAt: time)
        try store.insertLifecycleIntent(rename)
        #expect(try store.lifecycleIntents(project: "shop") == [rename])
        #expect(try store.lifecycleIntents(project: "store") == [rename])
        #expect(try store.lifecycleIntents(project: "other").isEmpty)
        var second = rename
        second.token = "t2"
        #expect(code { try store.insertLifecycleIntent(second) } == .conflict)
        // A rename that does not commit keeps the record; one that commits forgets it in the same transaction.
        #expect(throws: Refused.self) {
            try store.renameProject(
                from: "shop", to: "store", dsn: "dbname=store_db", intent: "t1", audit: entry("project.rename", target: "shop"),
                beforeCommit: { throw Refused() })
        }
        #expect(try store.lifecycleIntents(project: nil) == [rename] && store.project(named: "shop") != nil)
        try store.renameProject(
            from: "shop", to: "store", dsn: "dbname=store_db", intent: "t1", audit: entry("project.rename", target: "shop"), beforeCommit: {})
        #expect(try store.lifecycleIntents(project: nil).isEmpty && store.project(named: "store")?.dsn == "dbname=store_db")
        let archive = LifecycleIntent(
            operation: "archive", project: "store", server: "h:5432", dsn: "dbname=store_db", databaseName: "store_db",
            incarnation: "16384/abc", backupID: nil, sha256: "00", verifyDatabase: "store_db_verifying", token: "t3", startedAt: time)
        try store.insertLifecycleIntent(archive)
        #expect(try store.lifecycleIntents(project: nil) == [archive])
        try store.deleteLifecycleIntent(token: "t3")
        #expect(try store.lifecycleIntents(project: nil).isEmpty)
    }

    static func migrations(_ store: any CatalogStoring) throws {
        let applied = try store.appliedMigrations()
        #expect(!applied.isEmpty)
        #expect(applied == applied.sorted())
    }

    static func registry(_ store: any CatalogStoring) throws {
        #expect(try store.projects().isEmpty)
        let beta = try store.insert(Project(name: "beta", dsn: "dbname=beta", tags: ["prod", "eu"], createdAt: time))
        #expect(beta.id != nil)
        try store.insert(Project(name: "alpha", dsn: "dbname=alpha", createdAt: time))
        #expect(try store.projects().map(\.name) == ["alpha", "beta"])
        #expect(try store.project(named: "beta")?.tags == ["eu", "prod"])
        #expect(try store.project(named: "beta")?.createdAt == time)
        #expect(try store.project(named: "gamma") == nil)

        // A taken name is refused with its code, and the registered project is left as it was.
        #expect(code { try store.insert(Project(name: "beta", dsn: "dbname=other")) } == .alreadyExists)
        #expect(try store.project(named: "beta")?.dsn == "dbname=beta")
        #expect(try store.projects().count == 2)

        try store.record(ProjectObservation(status: .ok, serverVersion: "15.4", metadataVersion: 3, at: time), forProject: "beta")
        try store.record([(project: "alpha", observation: ProjectObservation(status: .failed, message: "refused", at: time))])
        #expect(try store.project(named: "beta")?.status == .ok)
        #expect(try store.project(named: "beta")?.serverVersion == "15.4")
        #expect(try store.project(named: "beta")?.lastReachedAt == time)
        #expect(try store.project(named: "alpha")?.status == .failed)
        #expect(try store.project(named: "alpha")?.statusMessage == "refused")

        // Removing a tag the project lacks changes nothing, not even the tags added with it.
        #expect(throws: StoreError.self) {
            try store.updateProject(named: "beta", dsn: nil, addTags: ["new"], removeTags: ["absent"], audit: entry("project.update"))
        }
        #expect(try store.project(named: "beta")?.tags == ["eu", "prod"])
        let updated = try store.updateProject(
            named: "beta", dsn: "dbname=beta2", addTags: ["new"], removeTags: ["eu"],
            audit: entry("project.update", target: "beta"))
        #expect(updated.id == beta.id)
        #expect(updated.dsn == "dbname=beta2")
        #expect(updated.tags == ["new", "prod"])
        #expect(updated.status == .unknown)
        #expect(updated.serverVersion == nil)
        #expect(try store.project(named: "beta") == updated)
        #expect(throws: StoreError.self) {
            try store.updateProject(named: "gamma", dsn: nil, addTags: [], removeTags: [], audit: entry("project.update"))
        }

        #expect(try store.deleteProject(named: "alpha"))
        #expect(try !store.deleteProject(named: "alpha"))
        #expect(try store.projects().map(\.name) == ["beta"])
    }

    static func column(_ name: String, table: String = "users") -> IndexedColumn {
        IndexedColumn(
            schema: "public", table: table, kind: "r", name: name, type: "text", graphqlField: name,
            label: "Label of \(name)", description: nil, isNullable: true, validationRules: nil, position: 1)
    }

    static func table(_ name: String) -> IndexedTable {
        IndexedTable(
            schema: "public", name: name, kind: "r", graphqlType: name.capitalized, label: nil, description: "about \(name)",
            isShared: false, sharedName: nil, sharedVersion: nil)
    }

    static func replace(_ project: String, revision: Int64, tables: [IndexedTable], columns: [IndexedColumn]) -> IndexUpdate {
        .replace(project: project, revision: revision, incarnation: "1/\(project)", metadataVersion: 2, tables: tables, columns: columns)
    }

    static func index(_ store: any CatalogStoring) throws {
        try store.insert(Project(name: "one", dsn: "dbname=one"))
        try store.insert(Project(name: "two", dsn: "dbname=two"))
        #expect(try store.indexStates().isEmpty)

        try store.applyIndexUpdates(
            [
                replace("one", revision: 7, tables: [table("users"), table("orders")], columns: [column("email"), column("id")]),
                replace("two", revision: 1, tables: [table("users")], columns: [column("email")]),
            ], at: time)
        let states = try store.indexStates()
        #expect(states.keys.sorted() == ["one", "two"])
        #expect(states["one"]?.revision == 7)
        #expect(states["one"]?.incarnation == "1/one")
        #expect(states["one"]?.metadataVersion == 2)
        #expect(states["one"]?.fetchedAt == time)

        var expected = [column("email"), column("id")]
        for index in expected.indices { expected[index].project = "one" }
        #expect(try store.indexedColumns(projects: ["one"], filter: .all) == expected)
        #expect(try store.indexedTables(projects: ["one"], filter: .all).map(\.table) == [table("orders"), table("users")])
        #expect(try store.indexedColumns(projects: ["one", "two"], filter: .all).map(\.project) == ["one", "one", "two"])
        // Coded for lint: the same columns (without GraphQL field and position), in any order, texts kept once.
        let coded = try store.codedColumns(projects: ["one", "two"])
        let spelled = (0..<coded.count).map { index in
            let column = coded.column(index)
            return "\(column.project) \(column.schema ?? "-") \(column.table) \(column.name) \(column.type ?? "-") \(column.kind ?? "-") "
                + "\(column.label ?? "-") \(column.description ?? "-") \(column.isNullable.map { "\($0)" } ?? "-") \(column.validationRules ?? "-")"
        }
        let indexed = try store.indexedColumns(projects: ["one", "two"], filter: .all).map { column in
            "\(column.project) \(column.schema ?? "-") \(column.table) \(column.name) \(column.type ?? "-") \(column.kind ?? "-") "
                + "\(column.label ?? "-") \(column.description ?? "-") \(column.isNullable.map { "\($0)" } ?? "-") \(column.validationRules ?? "-")"
        }
        #expect(spelled.sorted() == indexed.sorted())
        #expect(Set(coded.texts).count == coded.texts.count, "each text once")
        #expect(coded.code(of: "email").map { code in coded.name.filter { $0 == code }.count } == 2)
        #expect(try store.codedColumns(projects: ["two"]).count == 1)
        #expect(try store.codedColumns(projects: []).count == 0)

        // A replacement replaces; a confirmation keeps the rows and moves the time.
        try store.applyIndexUpdates([replace("one", revision: 8, tables: [table("users")], columns: [column("name")])], at: time)
        #expect(try store.indexedColumns(projects: ["one"], filter: .all).map(\.name) == ["name"])
        #expect(try store.indexStates()["one"]?.revision == 8)
        let later = time.addingTimeInterval(60)
        try store.applyIndexUpdates([.confirm(project: "one"), .confirm(project: "unregistered")], at: later)
        #expect(try store.indexStates()["one"]?.fetchedAt == later)
        #expect(try store.indexStates()["one"]?.revision == 8)
        #expect(try store.indexedColumns(projects: ["one"], filter: .all).map(\.name) == ["name"])

        try store.recordIndexCtypes([(project: "one", ctype: "en_US.UTF-8")])
        #expect(try store.indexStates()["one"]?.ctype == "en_US.UTF-8")

        // A copy keeps the user-defined types and partition flags it was given; one without types says so.
        #expect(try store.indexStates()["one"]?.hasTypes == false)
        #expect(try store.indexedTypes(project: "one") == nil)
        var partition = table("users_2026")
        partition.isPartition = true
        try store.applyIndexUpdates(
            [
                .replace(
                    project: "one", revision: 8, incarnation: "1/one", metadataVersion: 2, tables: [table("users"), partition], columns: [],
                    types: #"[{"key": "mood"}]"#)
            ], at: time)
        #expect(try store.indexStates()["one"]?.hasTypes == true)
        #expect(try store.indexedTypes(project: "one") == #"[{"key": "mood"}]"#)
        #expect(try store.indexedTables(projects: ["one"], filter: .all).map(\.table.isPartition) == [nil, true])

        try store.invalidateIndex(project: "one")
        #expect(try store.indexStates()["one"] == nil)
        #expect(try store.indexedColumns(projects: ["one"], filter: .all).isEmpty)
        #expect(try store.indexedColumns(projects: ["two"], filter: .all).count == 1)

        // A new connection string forgets the old database's index; removing the project forgets it too.
        try store.updateProject(named: "two", dsn: "dbname=elsewhere", addTags: [], removeTags: [], audit: entry("project.update"))
        #expect(try store.indexStates()["two"] == nil)
        try store.applyIndexUpdates([replace("two", revision: 1, tables: [table("users")], columns: [column("email")])], at: time)
        try store.deleteProject(named: "two")
        try store.insert(Project(name: "two", dsn: "dbname=two"))
        #expect(try store.indexStates()["two"] == nil)
        #expect(try store.indexedTables(projects: ["two"], filter: .all).isEmpty)
    }

    static func indexNameFilters(_ store: any CatalogStoring) throws {
        try store.insert(Project(name: "p", dsn: "dbname=p"))
        let names = ["email", "Email", "e_mail", "e%mail", "user_email", "o'brien", "emails", "émail"]
        try store.applyIndexUpdates([replace("p", revision: 1, tables: names.map(table), columns: names.map { column($0) })], at: time)
        func columns(_ filter: IndexNameFilter) throws -> Set<String> {
            Set(try store.indexedColumns(projects: ["p"], filter: filter).map(\.name))
        }
        func tables(_ filter: IndexNameFilter) throws -> Set<String> {
            Set(try store.indexedTables(projects: ["p"], filter: filter).map(\.table.name))
        }
        let cases: [(IndexNameFilter, Set<String>)] = [
            (.all, Set(names)),
            (.exact("email"), ["email"]),
            (.exact("Email"), ["Email"]),
            (.exact("o'brien"), ["o'brien"]),
            (.exact("email' OR '1'='1"), []),
            (.prefix("email"), ["email", "emails"]),
            (.prefix("e_"), ["e_mail"]),
            (.prefix("e%"), ["e%mail"]),
            (.prefix("é"), ["émail"]),
            (.contains("mail"), ["email", "Email", "e_mail", "e%mail", "user_email", "emails", "émail"]),
            (.contains("_"), ["e_mail", "user_email"]),
            (.contains("%"), ["e%mail"]),
            (.contains("'"), ["o'brien"]),
            (.contains("MAIL"), []),
        ]
        for (filter, expected) in cases {
            #expect(try columns(filter) == expected, "columns, \(filter)")
            #expect(try tables(filter) == expected, "tables, \(filter)")
        }
        #expect(try store.indexedColumns(projects: [], filter: .all).isEmpty)
    }

    static func sharedAndAttachments(_ store: any CatalogStoring) throws {
        try store.insert(Project(name: "a", dsn: "dbname=a"))
        try store.insert(Project(name: "b", dsn: "dbname=b"))
        #expect(try store.sharedVersions().isEmpty)
        #expect(
            try store.appendSharedVersion(
                name: "address", body: "{}", sha256: "h1", author: "me", note: nil,
                expectedPrevious: nil, audit: entry("shared.add")) == 1)
        #expect(
            try store.appendSharedVersion(
                name: "address", body: "{\"v\":2}", sha256: "h2", author: "me", note: "second",
                expectedPrevious: 1, audit: entry("shared.update")) == 2)
        // A writer that saw version 1 is refused: someone else wrote version 2.
        #expect(throws: StoreError.self) {
            try store.appendSharedVersion(
                name: "address", body: "{}", sha256: "h3", author: "me", note: nil,
                expectedPrevious: 1, audit: entry("shared.update"))
        }
        let versions = try store.sharedVersions(named: "address")
        #expect(versions.map(\.version) == [1, 2])
        #expect(versions.last?.body == "{\"v\":2}")
        #expect(versions.last?.note == "second")

        try store.attach(definition: "address", projects: ["a", "b"], pinnedVersion: nil, audit: entry("shared.attach"))
        #expect(try store.attachments(definition: "address").map(\.project) == ["a", "b"])
        #expect(
            code { try store.attach(definition: "address", projects: ["a"], pinnedVersion: nil, audit: entry("shared.attach")) } == .alreadyExists)
        #expect(code { try store.attach(definition: "missing", projects: ["a"], pinnedVersion: nil, audit: entry("shared.attach")) } == .notFound)

        // One transaction: an unknown project leaves the known one unattached.
        try store.insert(Project(name: "c", dsn: "dbname=c"))
        #expect(
            code { try store.attach(definition: "address", projects: ["c", "nobody"], pinnedVersion: 1, audit: entry("shared.attach")) } == .notFound)
        #expect(try store.attachments().map(\.project) == ["a", "b"])

        try store.recordSync(project: "a", definition: "address", version: 2, overrides: "{\"label\":\"x\"}", audit: entry("shared.sync"))
        let synced = try #require(try store.attachments(definition: "address").first { $0.project == "a" })
        #expect(synced.syncedVersion == 2)
        #expect(synced.overrides == "{\"label\":\"x\"}")
        #expect(synced.syncedAt != nil)

        try store.detach(definition: "address", projects: ["b"], audit: entry("shared.detach"))
        #expect(try store.attachments(definition: "address").map(\.project) == ["a"])
        #expect(code { try store.detach(definition: "address", projects: ["b"], audit: entry("shared.detach")) } == .notFound)

        // Archiving needs the attachments the plan showed; then the versions stay and nothing attaches.
        #expect(throws: StoreError.self) { try store.archiveShared(name: "address", expectedAttached: ["a", "b"], audit: entry("shared.remove")) }
        #expect(try store.archivedSharedNames().isEmpty)
        try store.archiveShared(name: "address", expectedAttached: ["a"], audit: entry("shared.remove"))
        #expect(try store.archivedSharedNames() == ["address"])
        #expect(try store.attachments().isEmpty)
        #expect(try store.sharedVersions(named: "address").count == 2)
        #expect(throws: StoreError.self) {
            try store.attach(definition: "address", projects: ["a"], pinnedVersion: nil, audit: entry("shared.attach"))
        }

        // Removing a project removes its attachments.
        _ = try store.appendSharedVersion(
            name: "money", body: "{}", sha256: "m1", author: "me", note: nil, expectedPrevious: nil, audit: entry("shared.add"))
        try store.attach(definition: "money", projects: ["c"], pinnedVersion: 1, audit: entry("shared.attach"))
        #expect(try store.attachments(definition: "money").first?.pinnedVersion == 1)
        try store.deleteProject(named: "c")
        #expect(try store.attachments(definition: "money").isEmpty)
    }

    static func backupRecord(_ project: String, at date: Date) -> BackupRecord {
        BackupRecord(
            project: project, databaseName: project, file: "/backups/\(project)-\(Int(date.timeIntervalSince1970)).dump", sizeBytes: 1234,
            sha256: String(repeating: "a", count: 64),
            createdAt: date, durationSeconds: 1.5, serverVersion: "15.4", catalogVersion: "1.0", server: "localhost:5432",
            lineage: "42/1")
    }

    static func backups(_ store: any CatalogStoring) throws {
        #expect(try store.backups().isEmpty)
        let first = try store.insertBackup(backupRecord("a", at: time))
        let second = try store.insertBackup(backupRecord("a", at: time.addingTimeInterval(10)))
        let other = try store.insertBackup(backupRecord("b", at: time.addingTimeInterval(5)))
        let firstID = try #require(first.id)
        var expected = backupRecord("a", at: time)
        expected.id = firstID
        #expect(first == expected)
        #expect(try store.backup(id: firstID) == expected)
        #expect(try store.backups().map(\.id) == [second.id, other.id, first.id])
        #expect(try store.backups(projects: ["a"]).map(\.id) == [second.id, first.id])

        try store.recordVerification(backupID: firstID, ok: true, at: time.addingTimeInterval(20))
        #expect(try store.backup(id: firstID)?.verifiedOK == true)
        #expect(try store.backup(id: firstID)?.verifiedAt == time.addingTimeInterval(20))
        try store.deleteBackup(id: firstID)
        #expect(try store.backup(id: firstID) == nil)
        #expect(try store.backups(projects: ["a"]).map(\.id) == [second.id])

        let aside = try store.insertSetAside(SetAsideDatabase(project: "a", databaseName: "a_before_restore", backupID: second.id, createdAt: time))
        try store.insertSetAside(
            SetAsideDatabase(project: "b", databaseName: "b_before_restore", backupID: nil, createdAt: time.addingTimeInterval(1)))
        #expect(try store.setAsideDatabases().map(\.databaseName) == ["a_before_restore", "b_before_restore"])
        #expect(try store.setAsideDatabases(projects: ["a"]).map(\.id) == [aside.id])
        try store.markSetAsideDropped(id: try #require(aside.id), at: time)
        #expect(try store.setAsideDatabases().map(\.databaseName) == ["b_before_restore"])

        #expect(try store.teamMigrations().isEmpty)
        let migrations = [
            StoredTeamMigration(
                version: 1000, name: "create", checksum: "c1", upSQL: "CREATE TABLE t (id int);", downSQL: "DROP TABLE t;", file: "001_create.sql"),
            StoredTeamMigration(version: 1001, name: "index", checksum: "c2", upSQL: "CREATE INDEX ON t (id);", downSQL: nil, file: "002_index.sql"),
        ]
        try store.replaceTeamMigrations(migrations, at: time)
        #expect(try store.teamMigrations() == migrations)
        try store.replaceTeamMigrations([migrations[0]], at: time)
        #expect(try store.teamMigrations() == [migrations[0]])
    }

    static func exportsAndAudit(_ store: any CatalogStoring) throws {
        try store.insert(Project(name: "a", dsn: "dbname=a"))
        let record = ExportRecord(
            project: "a", file: "/exports/a.catalog", sizeBytes: 99, sha256: String(repeating: "1", count: 64), metadataOnly: true, formatVersion: 1,
            serverVersion: "15.4", catalogVersion: "1.0", createdAt: time, durationSeconds: 0.5)
        let stored = try store.insertExport(record, audit: entry("bundle.export", target: "a"))
        #expect(stored.id != nil)
        try store.insertExport(
            ExportRecord(
                project: "b", file: "/exports/b.catalog", sizeBytes: 1, sha256: String(repeating: "2", count: 64), metadataOnly: false,
                formatVersion: 1, serverVersion: "15.4", catalogVersion: "1.0", createdAt: time.addingTimeInterval(1),
                durationSeconds: 1), audit: entry("bundle.export", target: "b"))
        #expect(try store.exports(project: "a") == [stored])
        #expect(try store.exports().map(\.project) == ["b", "a"])

        try store.audit(
            AuditEntry(
                at: time.addingTimeInterval(2), actor: "contract", action: "project.check", target: "a", result: "failed", detail: "refused",
                replica: "r1"))
        let log = try store.auditLog()
        #expect(log.map(\.action) == ["project.check", "bundle.export", "bundle.export"])
        #expect(
            log.first
                == AuditEntry(
                    at: time.addingTimeInterval(2), actor: "contract", action: "project.check", target: "a", result: "failed", detail: "refused",
                    replica: "r1"))
        #expect(try store.auditLog(limit: 1).count == 1)

        // A failed change writes no audit entry: the entry is part of the change's transaction.
        #expect(throws: StoreError.self) {
            try store.updateProject(named: "a", dsn: nil, addTags: [], removeTags: ["absent"], audit: entry("project.update"))
        }
        #expect(try store.auditLog().count == 3)
    }

    /// The audit log read back by target and time, newest first.
    static func history(_ store: any CatalogStoring) throws {
        try store.audit([
            AuditEntry(at: time, actor: "ann", action: "project.add", target: "a", result: "ok"),
            AuditEntry(at: time.addingTimeInterval(60), actor: "bob", action: "project.add", target: "b", result: "ok"),
            AuditEntry(at: time.addingTimeInterval(120), actor: "ann", action: "project.update", target: "a", result: "failed", detail: "why"),
        ])
        #expect(try store.auditLog(target: nil, since: nil, limit: 10).map(\.actor) == ["ann", "bob", "ann"])
        #expect(try store.auditLog(target: "a", since: nil, limit: 10).map(\.action) == ["project.update", "project.add"])
        #expect(try store.auditLog(target: nil, since: time.addingTimeInterval(60), limit: 10).map(\.target) == ["a", "b"])
        #expect(try store.auditLog(target: "a", since: time.addingTimeInterval(61), limit: 10).map(\.detail) == ["why"])
        #expect(try store.auditLog(target: "a' OR '1'='1", since: nil, limit: 10).isEmpty)
        #expect(try store.auditLog(target: nil, since: nil, limit: 1).count == 1)
    }

    /// A store's rows read out, loaded into a new store of each kind, and read back the same; a
    /// store that holds rows refuses a load and keeps them.
    static func copy(_ store: any CatalogStoring) throws {
        try store.insert(Project(name: "a", dsn: "dbname=a", tags: ["x"], createdAt: time))
        try store.applyIndexUpdates([replace("a", revision: 2, tables: [table("users")], columns: [column("email")])], at: time)
        try store.insertBackup(backupRecord("a", at: time))
        try store.audit(entry("project.add", target: "a"))
        let contents = try store.contents()
        #expect(contents.rowCounts == (try store.rowCounts()))
        #expect(contents.rowCounts["project"] == 1 && contents.rowCounts["index_column"] == 1 && contents.rowCounts["backup"] == 1)
        for implementation in StoreImplementation.all {
            let target = try implementation.make()
            try target.load(contents)
            #expect(try target.rowCounts() == store.rowCounts(), "into \(implementation.name)")
            #expect(try target.projects() == store.projects(), "into \(implementation.name)")
            #expect(try target.backups() == store.backups(), "into \(implementation.name)")
            #expect(try target.indexedColumns(projects: ["a"], filter: .all) == store.indexedColumns(projects: ["a"], filter: .all))
            #expect(code { try target.load(contents) } == .refused)
            #expect(try target.rowCounts() == store.rowCounts())
        }
        #expect(code { try store.load(contents) } == .refused)
    }

    /// A named lease has one holder until it expires; every new holder gets a larger epoch; leases of
    /// different names are independent; the scheduler's lease is the one named `scheduler`.
    static func leaderLeases(_ store: any CatalogStoring) throws {
        #expect(try store.acquireLease(named: "index-refresh", holder: "a", seconds: 10, at: time) == 1)
        #expect(try store.acquireLease(named: "index-refresh", holder: "b", seconds: 10, at: time.addingTimeInterval(5)) == nil)
        #expect(try store.acquireLease(named: "index-refresh", holder: "a", seconds: 10, at: time.addingTimeInterval(5)) == 1, "renewed")
        #expect(try store.acquireLease(named: "index-refresh", holder: "b", seconds: 10, at: time.addingTimeInterval(14)) == nil)
        #expect(try store.acquireLease(named: "index-refresh", holder: "b", seconds: 10, at: time.addingTimeInterval(15)) == 2, "expired")
        #expect(try store.acquireLease(named: "index-refresh", holder: "a", seconds: 10, at: time.addingTimeInterval(16)) == nil)
        try store.releaseLease(named: "index-refresh", holder: "a")
        #expect(
            try store.acquireLease(named: "index-refresh", holder: "a", seconds: 10, at: time.addingTimeInterval(16)) == nil, "not a's to give up")
        try store.releaseLease(named: "index-refresh", holder: "b")
        #expect(try store.acquireLease(named: "index-refresh", holder: "a", seconds: 10, at: time.addingTimeInterval(16)) == 3, "given up")
        // Another name is another lease.
        #expect(try store.acquireLease(named: "other", holder: "b", seconds: 10, at: time.addingTimeInterval(16)) == 1)
        #expect(try store.acquireSchedulerLease(holder: "s", seconds: 10, at: time) == 1)
        #expect(try store.acquireLease(named: "scheduler", holder: "t", seconds: 10, at: time.addingTimeInterval(1)) == nil)
        try store.releaseSchedulerLease(holder: "s")
        #expect(try store.acquireLease(named: "scheduler", holder: "t", seconds: 10, at: time.addingTimeInterval(1)) == 2)
        #expect(try store.rowCounts()["leader_lease"] == 3)
    }

    /// The index is written only while the `index-refresh` lease still has the writer's epoch.
    static func fencedIndexWrites(_ store: any CatalogStoring) throws {
        try store.insert(Project(name: "one", dsn: "dbname=one"))
        let now = Date()
        let first = try #require(try store.acquireLease(named: "index-refresh", holder: "a", seconds: 60, at: now))
        let update = replace("one", revision: 1, tables: [table("users")], columns: [column("email")])
        #expect(try store.applyIndexUpdates([update], at: now, lease: "index-refresh", epoch: first))
        #expect(try store.indexStates()["one"]?.revision == 1)
        // Another replica takes over: the old leader's write is refused and writes nothing.
        try store.releaseLease(named: "index-refresh", holder: "a")
        let second = try #require(try store.acquireLease(named: "index-refresh", holder: "b", seconds: 60, at: now))
        #expect(second > first)
        let stale = replace("one", revision: 2, tables: [table("users")], columns: [column("name")])
        #expect(try store.applyIndexUpdates([stale], at: now, lease: "index-refresh", epoch: first) == false)
        #expect(try store.indexStates()["one"]?.revision == 1)
        #expect(try store.indexedColumns(projects: ["one"], filter: .all).map(\.name) == ["email"])
        // An expired lease writes nothing either, even with its own epoch.
        #expect(try store.applyIndexUpdates([stale], at: now.addingTimeInterval(61), lease: "index-refresh", epoch: second) == false)
        #expect(try store.applyIndexUpdates([stale], at: now, lease: "index-refresh", epoch: second))
        #expect(try store.indexStates()["one"]?.revision == 2)
    }

    /// Sessions are found by the hash of their identifier until they expire or are closed.
    static func webSessions(_ store: any CatalogStoring) throws {
        let hash = String(repeating: "ab", count: 32)
        try store.openWebSession(idHash: hash, name: "ann", expires: time.addingTimeInterval(60), at: time)
        #expect(try store.webSession(idHash: hash, at: time.addingTimeInterval(59)) == "ann")
        #expect(try store.webSession(idHash: hash, at: time.addingTimeInterval(60)) == nil, "expired")
        #expect(try store.webSession(idHash: String(repeating: "cd", count: 32), at: time) == nil)
        try store.closeWebSession(idHash: hash)
        #expect(try store.webSession(idHash: hash, at: time) == nil, "closed")
        // Opening a session forgets the expired ones; a store copy leaves sessions out.
        try store.openWebSession(idHash: "old", name: "bob", expires: time.addingTimeInterval(1), at: time)
        try store.openWebSession(idHash: "new", name: "cy", expires: time.addingTimeInterval(100), at: time.addingTimeInterval(2))
        #expect(try store.webSession(idHash: "old", at: time) == nil)
        #expect(try store.webSession(idHash: "new", at: time.addingTimeInterval(3)) == "cy")
        #expect(try store.contents().tables.contains { $0.table.name == "web_session" } == false)
    }

    /// An audit entry keeps the replica that wrote it; an entry without one reads back without one.
    static func auditReplica(_ store: any CatalogStoring) throws {
        try store.audit([
            AuditEntry(at: time, actor: "ann", action: "project.add", target: "a", result: "ok", replica: "web-1:8080"),
            AuditEntry(at: time.addingTimeInterval(1), actor: "bob", action: "project.add", target: "b", result: "ok", replica: nil),
        ])
        #expect(try store.auditLog(target: nil, since: nil, limit: 10).map(\.replica) == [nil, "web-1:8080"])
        #expect(try store.auditLog(limit: 10).map(\.replica) == [nil, "web-1:8080"])
        // `catalog sql`'s `audit` relation shows it too.
        try store.insert(Project(name: "a", dsn: "dbname=a"))
        let audit = try store.federatedQuery("SELECT actor, replica FROM audit", projects: ["a"])
        #expect(audit.rows == [[.text("ann"), .text("web-1:8080")]])
    }

    /// `catalog sql` sees the documented relations of the selected projects only, and never writes.
    static func federatedSQL(_ store: any CatalogStoring) throws {
        try store.insert(Project(name: "a", dsn: "dbname=a"))
        try store.insert(Project(name: "b", dsn: "dbname=b"))
        try store.applyIndexUpdates(
            [
                replace("a", revision: 3, tables: [table("users")], columns: [column("email")]),
                replace("b", revision: 1, tables: [table("orders")], columns: [column("total", table: "orders")]),
            ], at: time)
        let answer = try store.federatedQuery("SELECT project, table_name, pg_column FROM columns ORDER BY project", projects: ["a"])
        #expect(answer.columns == ["project", "table_name", "pg_column"])
        #expect(answer.rows == [[.text("a"), .text("users"), .text("email")]])
        let projects = try store.federatedQuery("SELECT project, revision FROM projects ORDER BY project", projects: ["a", "b"], timeout: 10)
        #expect(projects.rows == [[.text("a"), .integer(3)], [.text("b"), .integer(1)]])
        // `audit` holds the selected projects' entries only.
        try store.audit(entry("project.update", target: "a"))
        try store.audit(entry("project.update", target: "b"))
        let audit = try store.federatedQuery("SELECT target, action, actor FROM audit", projects: ["a"])
        #expect(audit.rows == [[.text("a"), .text("project.update"), .text("contract")]])
        #expect(code { _ = try store.federatedQuery("SELECT * FROM audit_log", projects: ["a"]) } == .refused)
        #expect(code { _ = try store.federatedQuery("DELETE FROM columns", projects: ["a"]) } == .refused)
        #expect(code { _ = try store.federatedQuery("SELECT dsn FROM project", projects: ["a"]) } == .refused)
        #expect(try store.indexedColumns(projects: ["a"], filter: .all).count == 1)
    }
}

@Suite("The store contract")
struct StoreContractTests {
    @Test("every store implementation keeps the contract", arguments: StoreImplementation.all, StoreContract.all)
    func contract(_ implementation: StoreImplementation, _ part: StoreContract) throws {
        try part.check(try implementation.make())
    }
}
