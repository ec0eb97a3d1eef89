import CatalogCore
import CatalogSchema
import CatalogStore
import CatalogTestSupport
import Foundation
import GRDB
import Testing

@Suite("The local store")
struct StoreTests {
    @Test("a new store is one 0600 file, in WAL mode, with foreign keys on and every migration recorded")
    func createsStore() throws {
        let directory = try TestWorkspace.temporaryDirectory()
        let path = directory.appendingPathComponent("catalog.sqlite").path
        let store = try Store(path: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let (journal, foreignKeys) = try store.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(journal == "wal")
        #expect(foreignKeys == 1)
        #expect(try store.appliedMigrations() == CatalogSchema.sqlite().map(\.identifier))
        // An open compares the ledger with the identifiers read from the file names alone.
        #expect(CatalogSchema.sqliteIdentifiers() == CatalogSchema.sqlite().map(\.identifier))
    }

    @Test("a search by column name reads the covering index, and its rows come in SQLite's byte order")
    func columnSearchReadsTheCoveringIndex() throws {
        let store = try Store(path: try TestWorkspace.temporaryDirectory().appendingPathComponent("c.sqlite").path)
        // Registered out of name order, so ids do not follow names.
        for name in ["zeta", "Beta", "alpha"] { try store.insert(Project(name: name, dsn: "dbname=\(name)")) }
        func column(_ schema: String?, _ table: String, _ name: String) -> IndexedColumn {
            IndexedColumn(
                schema: schema, table: table, kind: "r", name: name, type: "text", graphqlField: nil, label: nil, description: nil,
                isNullable: nil, validationRules: nil, position: 1)
        }
        let columns = [
            column("public", "users", "email"), column(nil, "users", "email"), column("Billing", "Ünits", "email"),
            column("Billing", "units", "email"), column("public", "users", "id"),
        ]
        try store.applyIndexUpdates(
            ["zeta", "Beta", "alpha"].map { project in
                .replace(project: project, revision: 1, incarnation: "1/\(project)", metadataVersion: 2, tables: [], columns: columns)
            }, at: Date(timeIntervalSince1970: 0))
        let found = try store.indexedColumns(projects: ["zeta", "Beta", "alpha"], filter: .exact("email"))
        let spelled = found.map { "\($0.project) \($0.schema ?? "-") \($0.table)" }
        // Bytes: upper case before lower case, "Ü" after every ASCII letter, a missing schema first.
        let oneProject = ["- users", "Billing units", "Billing Ünits", "public users"]
        #expect(spelled == ["Beta", "alpha", "zeta"].flatMap { project in oneProject.map { "\(project) \($0)" } })
        #expect(try store.indexedColumns(projects: ["alpha"], filter: .exact("email")).count == 4)
        #expect(try store.indexedColumns(projects: [], filter: .exact("email")).isEmpty)
        let search = """
            SELECT project_id, pg_schema, table_name, relation_kind, pg_column, pg_type, graphql_field, label, description,
                   is_nullable, validation_rules, position
            FROM index_column WHERE pg_column = 'email'
            """
        let plan = try store.read { db in try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(search)").map { $0["detail"] as String } }
        #expect(plan.contains { $0.contains("COVERING INDEX index_column_search") }, "\(plan)")
    }

    @Test("opening an up-to-date store again changes nothing")
    func reopens() throws {
        let path = try TestWorkspace.temporaryDirectory().appendingPathComponent("c.sqlite").path
        let first = try Store(path: path)
        try first.insert(Project(name: "kept", dsn: "dbname=kept"))
        let second = try Store(path: path)
        #expect(try second.projects().map(\.name) == ["kept"])
    }

    @Test("an older store is upgraded in place, keeping its rows")
    func upgradesOlderStore() throws {
        let path = try TestWorkspace.temporaryDirectory().appendingPathComponent("old.sqlite").path
        let first = try #require(CatalogSchema.sqlite().first)
        let queue = try DatabaseQueue(path: path)
        var migrator = DatabaseMigrator()
        migrator.registerMigration(first.identifier) { db in try db.execute(sql: first.sql) }
        try migrator.migrate(queue)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO project (name, dsn, created_at) VALUES ('old', 'dbname=old', '2026-01-01 00:00:00.000')")
        }
        try queue.close()
        let store = try Store(path: path)
        #expect(try store.appliedMigrations() == CatalogSchema.sqlite().map(\.identifier))
        #expect(try store.projects().map(\.name) == ["old"])
    }

    @Test("a store written by a newer catalog is refused, and left as it was")
    func refusesNewerStore() throws {
        let path = try TestWorkspace.temporaryDirectory().appendingPathComponent("new.sqlite").path
        _ = try Store(path: path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999_from_the_future')") }
        try queue.close()
        #expect {
            try Store(path: path)
        } throws: { error in
            "\(error)".contains("newer version of catalog")
        }
        let check = try DatabaseQueue(path: path)
        #expect(try check.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations") } == CatalogSchema.sqlite().count + 1)
    }

    @Test("a store path in a missing directory the user named is refused, and nothing is created")
    func refusesMissingDirectory() throws {
        let missing = try TestWorkspace.temporaryDirectory().appendingPathComponent("no/such/dir")
        #expect {
            try Store(path: missing.appendingPathComponent("c.sqlite").path)
        } throws: { error in
            "\(error)".contains("does not exist") && "\(error)".contains("mkdir -p")
        }
        #expect(!FileManager.default.fileExists(atPath: missing.path))
    }

    @Test("the default location is created when missing")
    func createsDefaultDirectory() throws {
        let home = try TestWorkspace.temporaryDirectory()
        let location = StoreLocation.resolve(option: nil, environment: ["XDG_DATA_HOME": home.appendingPathComponent("data").path])
        #expect(!location.isExplicit)
        let store = try Store(location: location)
        #expect(FileManager.default.fileExists(atPath: store.location.path))
        #expect(store.location.path.hasSuffix("data/catalog/catalog.sqlite"))
    }

    @Test("--store wins over CATALOG_STORE, which wins over the data directory")
    func locationPrecedence() {
        let environment = ["CATALOG_STORE": "/env/c.sqlite", "XDG_DATA_HOME": "/xdg"]
        #expect(StoreLocation.resolve(option: "/opt/c.sqlite", environment: environment).path == "/opt/c.sqlite")
        #expect(StoreLocation.resolve(option: nil, environment: environment).path == "/env/c.sqlite")
        #expect(StoreLocation.resolve(option: nil, environment: ["XDG_DATA_HOME": "/xdg"]).path == "/xdg/catalog/catalog.sqlite")
    }

    @Test("a file that is not a store is refused with a clear message")
    func refusesNonStore() throws {
        let path = try TestWorkspace.temporaryDirectory().appendingPathComponent("notes.txt").path
        try String(repeating: "not sqlite at all\n", count: 100).write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try Store(path: path)
        } throws: { error in
            "\(error)".contains("not a catalog store")
        }
    }

    @Test("a read-only store file is refused with a clear message, for a user who cannot write it")
    func refusesReadOnlyStore() throws {
        let directory = try TestWorkspace.temporaryDirectory()
        let path = directory.appendingPathComponent("ro.sqlite").path
        try Store(path: path).insert(Project(name: "kept", dsn: "dbname=kept"))
        // Root ignores permissions, so the write is attempted by the unprivileged `nobody` user.
        chown(directory.path, 65534, 65534)
        chown(path, 65534, 65534)
        chmod(path, 0o444)
        let run = try CLIRun.run(["project", "add", "other", "--dsn", "dbname=other"], store: path, user: "nobody")
        #expect(run.status == 2)
        #expect(run.stderr.contains("read-only"))
        #expect(run.stderr.split(separator: "\n").count == 1)
        chmod(path, 0o600)
        #expect(try Store(path: path).projects().map(\.name) == ["kept"])
    }
}
