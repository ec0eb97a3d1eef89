import CatalogCore
import CatalogStore
import CatalogTestSupport
import Foundation
import GRDB
import Testing

/// `catalog store copy` in both directions, and what it refuses.
@Suite("Copying a store between SQLite and PostgreSQL")
struct StoreCopyTests {
    static let time = Date(timeIntervalSince1970: 1_800_000_000)

    static func sqlite() throws -> StoreLocation {
        StoreLocation(path: try TestWorkspace.temporaryDirectory().appendingPathComponent("catalog.sqlite").path, isExplicit: true)
    }

    static func registry() throws -> StoreLocation {
        let database = try TestWorkspace.database(prefix: "registry")
        return StoreLocation(registry: database.url, localPath: try TestWorkspace.temporaryDirectory().appendingPathComponent("registry").path)
    }

    static func entry(_ action: String) -> AuditEntry {
        AuditEntry(at: time, actor: "copy", action: action, target: "a", result: "ok")
    }

    /// A store with rows in most tables, written through the protocol.
    static func fill(_ store: any CatalogStoring, dsn: String = "host=pg1 dbname=a") throws {
        try store.insert(Project(name: "a", dsn: dsn, tags: ["prod", "eu"], createdAt: time))
        try store.insert(Project(name: "b", dsn: "host=pg1 dbname=b", createdAt: time))
        try store.record(ProjectObservation(status: .ok, serverVersion: "15.4", metadataVersion: 4, at: time), forProject: "a")
        let column = IndexedColumn(
            schema: "public", table: "users", kind: "r", name: "email", type: "text", graphqlField: "email", label: "E-mail",
            description: "where we write", isNullable: false, validationRules: "{}", position: 2)
        let table = IndexedTable(
            schema: "public", name: "users", kind: "r", graphqlType: "User", label: nil, description: nil, isShared: true, sharedName: "user",
            sharedVersion: 1)
        try store.applyIndexUpdates(
            [.replace(project: "a", revision: 7, incarnation: "1/a", metadataVersion: 4, tables: [table], columns: [column])], at: time)
        _ = try store.appendSharedVersion(
            name: "user", body: "{}", sha256: "h1", author: "me", note: "first", expectedPrevious: nil, audit: entry("shared.add"))
        try store.attach(definition: "user", projects: ["a"], pinnedVersion: 1, audit: entry("shared.attach"))
        let backup = try store.insertBackup(
            BackupRecord(
                project: "a", databaseName: "a", file: "/backups/a.dump", sizeBytes: 10, sha256: String(repeating: "a", count: 64),
                createdAt: time, durationSeconds: 1.25, serverVersion: "15.4", catalogVersion: "1.0", server: "pg1:5432", lineage: "1/a"))
        try store.recordVerification(backupID: backup.id!, ok: true, at: time)
        try store.insertSchedule(
            ScheduleRecord(
                name: "nightly", kind: "backup", selectionKind: "all", selectionValue: nil, cron: "0 3 * * *", everySeconds: nil, createdAt: time),
            audit: entry("schedule.add"))
        _ = try store.openIncident(kind: "failure", project: "a", schedule: "nightly", what: "refused", at: time)
    }

    /// What a person sees of a store, to compare two stores.
    static func view(_ store: any CatalogStoring) throws -> String {
        [
            "\(try store.projects())", "\(try store.indexedColumns(projects: ["a", "b"], filter: .all))",
            "\(try store.indexedTables(projects: ["a"], filter: .all).map(\.table))", "\(try store.sharedVersions())",
            "\(try store.attachments())", "\(try store.backups())", "\(try store.auditLog())", "\(try store.schedules())",
            "\(try store.incidents(openOnly: false, limit: 10))", "\(try store.indexStates().sorted { $0.key < $1.key })",
        ].joined(separator: "\n")
    }

    @Test("SQLite to PostgreSQL and back: every row arrives, counts are verified per table, ids keep counting")
    func bothDirections() throws {
        let first = try Self.sqlite()
        let original = try first.openStore()
        try Self.fill(original)

        let registry = try Self.registry()
        let there = try StoreCopy.run(from: first, to: registry)
        #expect(there.tables.map(\.name) == StoreTable.all.map(\.name))
        #expect(there.tables.allSatisfy { $0.sourceRows == $0.targetRows })
        #expect(there.tables.first { $0.name == "project" }?.sourceRows == 2)
        #expect(there.tables.first { $0.name == "index_column" }?.targetRows == 1)
        #expect(there.rows > 10)
        let copied = try registry.openStore()
        #expect(try Self.view(copied) == Self.view(original))
        // The registry's ids move on past the copied ones.
        let c = try copied.insert(Project(name: "c", dsn: "host=pg1 dbname=c", createdAt: Self.time))
        #expect(c.id == 3)

        let back = try Self.sqlite()
        let report = try StoreCopy.run(from: registry, to: back)
        #expect(report.tables.first { $0.name == "project" }?.targetRows == 3)
        #expect(try Self.view(back.openStore()) == Self.view(copied))
    }

    @Test("a target that holds anything is refused in one line, and left as it was")
    func refusesNonEmptyTarget() throws {
        let source = try Self.sqlite()
        try Self.fill(source.openStore())
        let registry = try Self.registry()
        try registry.openStore().audit(Self.entry("something"))
        let error = try #require(throws: CatalogError.self) { try StoreCopy.run(from: source, to: registry) }
        #expect(error.code == .refused)
        #expect(error.message.contains("is not empty (1 in audit_log)"))
        #expect(!error.message.contains("\n"))
        #expect(try registry.openStore().rowCounts().values.reduce(0, +) == 1)

        let sqliteTarget = try Self.sqlite()
        try sqliteTarget.openStore().insert(Project(name: "x", dsn: "dbname=x"))
        #expect(throws: CatalogError.self) { try StoreCopy.run(from: registry, to: sqliteTarget) }
        #expect(try sqliteTarget.openStore().projects().map(\.name) == ["x"])
        #expect(throws: CatalogError.self) { try StoreCopy.run(from: source, to: source) }
    }

    @Test("a copy that fails part-way leaves the target empty; a password is refused before anything is written")
    func failedCopyLeavesTargetEmpty() throws {
        // A value SQLite keeps but PostgreSQL's integer refuses: the schedules fail after the projects went in.
        let source = try Self.sqlite()
        let store = try Store(location: source)
        try Self.fill(store)
        try store.write { db in try db.execute(sql: "UPDATE schedule SET keep_last = 1099511627776") }
        let registry = try Self.registry()
        #expect(throws: CatalogError.self) { try StoreCopy.run(from: source, to: registry) }
        #expect(try registry.openStore().rowCounts().values.reduce(0, +) == 0)

        let secret = try Self.sqlite()
        try Self.fill(secret.openStore(), dsn: "postgresql://app:s3cret@pg1/a")
        let target = try Self.registry()
        let error = try #require(throws: CatalogError.self) { try StoreCopy.run(from: secret, to: target) }
        #expect(error.message.contains("passfile"))
        #expect(!error.message.contains("s3cret"))
        #expect(try target.openStore().rowCounts().values.reduce(0, +) == 0)
    }
}
