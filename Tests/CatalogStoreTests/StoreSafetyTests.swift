import CatalogCore
import CatalogSchema
import CatalogStore
import CatalogTestSupport
import Foundation
import GRDB
import Synchronization
import Testing

/// The store's file is catalog's alone, private, and safe to open from many processes and from a
/// user who may only read it (issue 12, items 4 and 13; issue 13, "Store open").
@Suite("The store's file")
struct StoreSafetyTests {
    /// The names of a database file's tables and its journal mode, read without changing it.
    static func shape(_ path: String) throws -> (tables: [String], journal: String?) {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try queue.read { db in
            (
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
                try String.fetchOne(db, sql: "PRAGMA journal_mode")
            )
        }
    }

    @Test("another program's SQLite file is refused with one line, and left exactly as it was")
    func refusesForeignDatabase() throws {
        let directory = try TestWorkspace.temporaryDirectory()
        let path = directory.appendingPathComponent("app.sqlite").path
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')") }
        try queue.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect {
            try Store(path: path)
        } throws: { error in
            "\(error)".contains("another program") && !"\(error)".contains("\n")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try Self.shape(path).tables == ["notes"])
        #expect(try Self.shape(path).journal == "delete")

        let run = try CLIRun.run(["project", "list"], store: path)
        #expect(run.status == 2)
        #expect(run.stderr.contains("another program"))
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(try Self.shape(path).tables == ["notes"])
    }

    @Test("another program's SQLite file in WAL mode is refused too, for reads and writes")
    func refusesForeignWALDatabase() throws {
        let path = try TestWorkspace.temporaryDirectory().appendingPathComponent("wal.sqlite").path
        let pool = try DatabasePool(path: path)
        try pool.write { db in try db.execute(sql: "CREATE TABLE events (at TEXT)") }
        try pool.close()
        for access in [StoreAccess.readWrite, .readOnly] {
            #expect {
                try Store(path: path, access: access)
            } throws: { error in
                "\(error)".contains("another program")
            }
        }
        #expect(try Self.shape(path).tables == ["events"])
    }

    @Test("a removed project's DSN is gone from the file and its WAL, while the store stays open")
    func removedDSNLeavesNoTrace() throws {
        let path = try TestWorkspace.temporaryDirectory().appendingPathComponent("c.sqlite").path
        let catalog = try Catalog(location: StoreLocation(path: path, isExplicit: true))
        let secret = "pw-7f3a9c-never-kept"
        _ = try catalog.addProject(name: "gone", dsn: "postgresql://owner:\(secret)@127.0.0.1:1/gone")
        _ = try catalog.addProject(name: "kept", dsn: "postgresql://owner@127.0.0.1:1/kept")
        try catalog.removeProject(named: "gone")
        for file in [path, path + "-wal"] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file)")
        }
        #expect(try catalog.listProjects().map(\.name) == ["kept"])
    }

    @Test("an empty store file made beforehand becomes 0600, and so does its WAL")
    func emptyFileBecomesPrivate() throws {
        let path = try TestWorkspace.temporaryDirectory().appendingPathComponent("touched.sqlite").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644]))
        let store = try Store(path: path)
        try store.insert(Project(name: "p", dsn: "dbname=p"))
        for file in [path, path + "-wal"] {
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600, "\(file)")
        }
    }

    @Test("twenty catalog processes started at once on a missing store all succeed, round after round")
    func concurrentCreation() throws {
        // One round loses the race only sometimes; five rounds lost it every time before the fix.
        for round in 0..<5 {
            let path = try TestWorkspace.temporaryDirectory().appendingPathComponent("raced-\(round).sqlite").path
            let processes = (0..<20).map { index in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: CLIRun.binary)
                process.arguments =
                    index.isMultiple(of: 2)
                    ? ["project", "list", "--store", path]
                    : ["project", "add", "p\(index)", "--dsn", "dbname=p\(index)", "--store", path]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = Pipe()
                return process
            }
            for process in processes { try process.run() }
            for process in processes {
                let errors = (process.standardError as? Pipe)?.fileHandleForReading.readDataToEndOfFile() ?? Data()
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "round \(round): \(String(decoding: errors, as: UTF8.self))")
            }
            let store = try Store(path: path)
            #expect(try store.appliedMigrations() == CatalogSchema.sqlite().map(\.identifier))
            #expect(try store.projects().count == 10)
        }
    }

    @Test("opening an up-to-date store takes no write lock: two readers open while a writer holds it")
    func openWhileWriterHoldsTheStore() throws {
        let path = try TestWorkspace.temporaryDirectory().appendingPathComponent("busy.sqlite").path
        // A store in use: its WAL is not empty (an empty one makes GRDB write when a pool opens).
        let inUse = try Store(path: path)
        try inUse.insert(Project(name: "p", dsn: "dbname=p"))
        let started = Date()
        let opened = Mutex<[Result<[String], any Error>]>([])
        let writer = try DatabaseQueue(path: path)
        try writer.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: "UPDATE project SET status = 'ok'")
                DispatchQueue.concurrentPerform(iterations: 2) { index in
                    let result = Result { try Store(path: path, access: index == 0 ? .readWrite : .readOnly).projects().map(\.name) }
                    opened.withLock { $0.append(result) }
                }
                return .rollback
            }
        }
        // The busy timeout is 10 s: a store open that waited for the writer would take that long and fail.
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(opened.withLock { $0.count } == 2)
        for result in opened.withLock({ $0 }) {
            #expect(try result.get() == ["p"])
        }
        #expect(try inUse.projects().map(\.name) == ["p"])
    }

    @Test("a store the user may only read still answers read-only commands; a write fails with one line")
    func readOnlyStoreIsReadable() throws {
        let directory = try TestWorkspace.temporaryDirectory()
        let path = directory.appendingPathComponent("shared.sqlite").path
        _ = try Catalog(location: StoreLocation(path: path, isExplicit: true)).addProject(name: "kept", dsn: "dbname=kept")
        // Owned by root, readable by all, in a directory `nobody` cannot write: no -shm can be made.
        chmod(path, 0o644)
        chmod(directory.path, 0o755)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let list = try CLIRun.run(["project", "list", "--format", "csv"], store: path, user: "nobody")
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("kept"))
        // An empty -wal left by an earlier reader holds no change: the file is still read whole.
        #expect(FileManager.default.createFile(atPath: path + "-wal", contents: nil, attributes: [.posixPermissions: 0o644]))
        let show = try CLIRun.run(["project", "show", "kept"], store: path, user: "nobody")
        #expect(show.status == 0, "\(show.stderr)")
        let sql = try CLIRun.run(["sql", "--cached", "select count(*) as n from projects", "--format", "csv"], store: path, user: "nobody")
        // Exit 1 only because "kept" was never indexed (no database here); the store was read.
        #expect(sql.stdout == "n\n0\n", "\(sql.stderr)")
        #expect(sql.stderr.contains("not in the local index"))
        let find = try CLIRun.run(["find-column", "email", "--cached", "--format", "csv"], store: path, user: "nobody")
        #expect(find.stdout.hasPrefix("project,schema,table,column"), "\(find.stderr)")
        #expect(find.stderr.contains("not in the local index"), "\(find.stderr)")
        let add = try CLIRun.run(["project", "add", "other", "--dsn", "dbname=other"], store: path, user: "nobody")
        #expect(add.status == 2)
        #expect(add.stderr.split(separator: "\n").count == 1)
        #expect(try Store(path: path).projects().map(\.name) == ["kept"])
    }

    @Test("catalog sql in the CLI stops a runaway statement at --timeout, with one line")
    func cliSQLTimeout() throws {
        let path = try TestWorkspace.temporaryDirectory().appendingPathComponent("c.sqlite").path
        _ = try Store(path: path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRun.binary)
        process.arguments = [
            "sql", "--cached", "--timeout", "0.5", "--store", path,
            "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n",
        ]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let started = Date()
        try process.run()
        // A statement without a limit would run for ever: stop it here rather than hang the suite.
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus != 0)
        #expect(stderr.contains("ran longer than 0.5 s"))
        #expect(stderr.split(separator: "\n").count == 1)
        #expect(Date().timeIntervalSince(started) < 15)
    }
    /// POSIX locks belong to the process: closing any descriptor of the file drops every lock the
    /// process holds on it, SQLite's included. A second `Store` opened in the same process (what
    /// `catalog serve` does beside the tests' own) must not do that, or another process that
    /// closes its connection takes itself for the last one, checkpoints and removes the WAL under
    /// the open connections, which then read garbage ("not an SQLite database").
    @Test("a second store opened in one process keeps the first one's locks: another process that reads and exits leaves the WAL alone")
    func secondOpenKeepsLocks() throws {
        let path = try TestWorkspace.temporaryDirectory().appendingPathComponent("catalog.sqlite").path
        let first = try Store(path: path)
        try first.write { db in try db.execute(sql: "CREATE TABLE IF NOT EXISTS scratch (n INTEGER); INSERT INTO scratch VALUES (1)") }
        _ = try first.projects()
        let second = try Store(path: path)
        _ = try second.projects()
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        let run = try CLIRun.run(["project", "add", "other", "--dsn", "dbname=other"], store: path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: path + "-wal"), "another process checkpointed and removed the WAL of open connections")
        try first.write { db in try db.execute(sql: "INSERT INTO scratch VALUES (2)") }
        #expect(try second.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM scratch") } == 2)
        #expect(try first.projects().map(\.name) == ["other"])
    }
}
