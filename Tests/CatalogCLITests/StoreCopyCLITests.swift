import CatalogCore
import CatalogStore
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@Suite("catalog store copy")
struct StoreCopyCLITests {
    @Test("store copy fills an empty registry, says the counts match, and refuses a second copy in one line")
    func copyAndRefuse() throws {
        let path = try TestWorkspace.temporaryDirectory().appendingPathComponent("catalog.sqlite").path
        let add = try CLIRun.run(["project", "add", "billing", "--dsn", "host=pg1 dbname=billing"], store: path)
        #expect(add.status == 0, "\(add.output)")
        let registry = try TestWorkspace.database(prefix: "registry").url
        let home = try TestWorkspace.temporaryDirectory().path
        let copy = try CLIRun.run(["store", "copy", "--from", path, "--to", registry], environment: ["HOME": home])
        #expect(copy.status == 0, "\(copy.output)")
        let rows = copy.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.contains(["project", "1", "1"]))
        #expect(rows.contains(["audit_log", "1", "1"]))
        #expect(copy.stdout.contains("every table's row count matches"))
        #expect(!copy.output.contains(try TestWorkspace.cluster().password))

        let list = try CLIRun.run(["project", "list", "--format", "csv"], store: registry, environment: ["HOME": home])
        #expect(list.status == 0, "\(list.output)")
        #expect(list.stdout.contains("billing"))

        let again = try CLIRun.run(["store", "copy", "--from", path, "--to", registry], environment: ["HOME": home])
        #expect(again.status == 2)
        #expect(again.stdout.isEmpty)
        #expect(again.stderr.contains("is not empty"))
        #expect(again.stderr.split(separator: "\n").count == 1)
        #expect(!again.stderr.contains(try TestWorkspace.cluster().password))
    }

    /// Which way a killed copy goes.
    enum Direction: String, Sendable, CaseIterable, CustomStringConvertible {
        case toPostgres = "SQLite to PostgreSQL"
        case toSQLite = "PostgreSQL to SQLite"
        var description: String { rawValue }
    }

    /// Where a copy is killed: at once, once its target shows writes that are not committed yet, or
    /// after a share of the time a whole copy takes.
    enum KillPoint: CustomStringConvertible {
        case atOnce
        case whileLoading
        case after(Double)
        var description: String {
            switch self {
            case .atOnce: "at once"
            case .whileLoading: "while loading"
            case .after(let share): "after \(Int(share * 100))% of a copy"
            }
        }
    }

    @Test(
        "a copy killed with SIGKILL at any point leaves an empty target (or a whole one), and the next copy fills it",
        arguments: Direction.allCases)
    func killedCopy(_ direction: Direction) throws {
        let directory = try TestWorkspace.temporaryDirectory()
        let environment = ["XDG_DATA_HOME": directory.appendingPathComponent("data").path]
        let sqlite = directory.appendingPathComponent("source.sqlite").path
        try LintFleet.make(at: sqlite, divergent: true)
        let source: String
        if direction == .toPostgres {
            source = sqlite
        } else {
            source = try TestWorkspace.database(prefix: "registry").url
            _ = try StoreCopy.run(
                from: StoreLocation(path: sqlite, isExplicit: true), to: StoreLocation.resolve(option: source, environment: environment))
        }
        let expected = try StoreLocation.resolve(option: source, environment: environment).openStore(.readOnly).rowCounts()
        #expect(expected.values.reduce(0, +) > 500)

        var targets = 0
        /// A new, empty target of the direction's kind: a registry database, or an SQLite file that
        /// already holds the store's schema (so any write to its WAL file is the copy's load).
        func target() throws -> String {
            targets += 1
            guard direction == .toPostgres else {
                let path = directory.appendingPathComponent("target-\(targets).sqlite").path
                _ = try StoreLocation(path: path, isExplicit: true).openStore()
                return path
            }
            return try TestWorkspace.database(prefix: "registry").url
        }
        func counts(_ target: String) throws -> [String: Int] {
            try StoreLocation.resolve(option: target, environment: environment).openStore().rowCounts()
        }
        let started = Date()
        let whole = try CLIRun.run(["store", "copy", "--from", source, "--to", try target()], environment: environment)
        #expect(whole.status == 0, "\(whole.output)")
        let seconds = Date().timeIntervalSince(started)

        var emptyAfterKill = 0
        for point in [KillPoint.atOnce, .whileLoading, .after(0.2), .after(0.4), .after(0.6), .after(0.8)] {
            let to = try target()
            let copy = Process()
            copy.executableURL = URL(fileURLWithPath: CLIRun.binary)
            copy.arguments = ["store", "copy", "--from", source, "--to", to]
            copy.environment = ProcessInfo.processInfo.environment.merging(environment.merging(["CATALOG_STORE": ""]) { _, new in new }) { _, new in
                new
            }
            copy.standardOutput = FileHandle.nullDevice
            copy.standardError = FileHandle.nullDevice
            try copy.run()
            switch point {
            case .atOnce: break
            case .whileLoading: try Self.waitForLoad(into: to, of: copy, upTo: seconds * 4)
            case .after(let share): usleep(useconds_t(seconds * share * 1_000_000))
            }
            kill(copy.processIdentifier, SIGKILL)
            copy.waitUntilExit()
            let left = try counts(to)
            let rows = left.values.reduce(0, +)
            #expect(rows == 0 || left == expected, "killed \(point): \(left)")
            let again = try CLIRun.run(["store", "copy", "--from", source, "--to", to], environment: environment)
            if rows == 0 {
                emptyAfterKill += 1
                #expect(again.status == 0, "killed \(point): \(again.output)")
                #expect(try counts(to) == expected, "killed \(point)")
            } else {
                #expect(again.status == 2 && again.stderr.contains("is not empty") && again.stderr.split(separator: "\n").count == 1)
            }
            #expect(!again.output.contains(try TestWorkspace.cluster().password))
        }
        #expect(emptyAfterKill >= 2, "at least the kill at once and the kill while loading leave the target empty")
    }

    /// Waits until the copy into `target` has written rows it has not committed: a transaction of
    /// the registry's with an INSERT running or done, or the SQLite target's WAL file growing.
    static func waitForLoad(into target: String, of copy: Process, upTo seconds: Double) throws {
        let cluster = try TestWorkspace.cluster()
        let database = StoreLocation.isRegistry(target) ? try ConnectionString(target).databaseName : nil
        let admin = try cluster.connect()
        let loading = try TestWorkspace.wait(upTo: seconds, every: 0.002) {
            guard copy.isRunning else { return true }
            if let database {
                let found = try admin.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND backend_xid IS NOT NULL AND query LIKE 'INSERT INTO %'", [database])
                return found.rows.first?.first == "1"
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: target + "-wal")[.size] as? NSNumber)?.intValue ?? 0
            return size > 0
        }
        #expect(loading && copy.isRunning, "the copy was seen loading before it ended")
    }
}
