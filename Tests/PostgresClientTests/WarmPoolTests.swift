import CatalogCore
import CatalogTestSupport
import Foundation
import PostgresClient
import Synchronization
import Testing

/// The warm pool under the fan-out engine: reuse, the per-server bound, idle expiry, release and
/// holds, registry changes, and broken connections replaced.
@Suite struct WarmPoolTests {
    /// `count` fresh databases, as fan-out tasks that ask each for its name.
    static func tasks(_ count: Int) throws -> [FanOutTask] {
        let cluster = try TestWorkspace.cluster()
        return try (0..<count).map { index in
            let name = "pool_\(index)_\(UUID().uuidString.prefix(6).lowercased())"
            try cluster.createDatabase(name)
            return FanOutTask(key: "p\(index)", connection: cluster.connectionString(database: name), query: Query("SELECT current_database() AS db"))
        }
    }

    static func allOK(_ results: [FanOutResult]) -> Bool {
        results.allSatisfy { if case .ok = $0.outcome { true } else { false } }
    }

    /// Backends connected to the pooled databases now, as the server sees them.
    static func backends(_ tasks: [FanOutTask]) throws -> Int {
        let names = tasks.map { $0.connection.databaseName! }
        let admin = try TestWorkspace.cluster().connect()
        let result = try admin.query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = ANY($1::text[])", [PostgresArray.literal(names)])
        return result.records.first?.int("n") ?? -1
    }

    @Test func connectionsAreReusedAcrossFanOuts() throws {
        let tasks = try Self.tasks(3)
        let pool = WarmPool()
        let engine = FanOut(concurrency: 8, timeout: 5, pool: pool)
        #expect(Self.allOK(engine.runBlocking(tasks)))
        #expect(Self.allOK(engine.runBlocking(tasks)))
        let second = engine.runBlocking(tasks)
        #expect(
            second.map { if case .ok(let answers) = $0.outcome { answers[0].records[0]["db"] } else { nil } }
                == tasks.map { $0.connection.databaseName })
        #expect(pool.statistics.opened == 3)
        #expect(pool.statistics.reused == 6)
        #expect(pool.statistics.idle == 3)
        #expect(try Self.backends(tasks) == 3)
    }

    @Test func theBoundPerServerIsNeverExceeded() throws {
        let tasks = try Self.tasks(6)
        let pool = WarmPool(perServerLimit: 2)
        let results = FanOut(concurrency: 6, timeout: 10, pool: pool).runBlocking(tasks)
        #expect(Self.allOK(results))
        #expect(pool.statistics.open <= 2)
        #expect(pool.statistics.waits > 0)
        #expect(try Self.backends(tasks) <= 2)
    }

    /// Runs `engine` over `tasks` on `fanOuts` threads of their own at once, `rounds` times each.
    static func concurrently(_ engine: FanOut, _ tasks: [FanOutTask], fanOuts: Int, rounds: Int) -> [FanOutResult] {
        let results = Mutex<[FanOutResult]>([])
        let group = DispatchGroup()
        for _ in 0..<fanOuts {
            group.enter()
            Thread {
                for _ in 0..<rounds {
                    let answers = engine.runBlocking(tasks)
                    results.withLock { $0 += answers }
                }
                group.leave()
            }.start()
        }
        group.wait()
        return results.withLock { $0 }
    }

    @Test func concurrentFanOutsHandConnectionsOnInsteadOfReopening() throws {
        let tasks = try Self.tasks(12)
        let pool = WarmPool(perProjectLimit: 1)
        let results = Self.concurrently(FanOut(concurrency: 64, timeout: 10, pool: pool), tasks, fanOuts: 3, rounds: 3)
        #expect(results.count == 12 * 9)
        #expect(Self.allOK(results))
        #expect(pool.statistics.opened == 12)
        #expect(pool.statistics.open == 12)
        #expect(try Self.backends(tasks) == 12)
    }

    @Test func aFleetAsLargeAsTheBoundNeverReopensConnections() throws {
        let tasks = try Self.tasks(8)
        let pool = WarmPool(perServerLimit: 8)
        let results = Self.concurrently(FanOut(concurrency: 64, timeout: 10, pool: pool), tasks, fanOuts: 2, rounds: 3)
        #expect(Self.allOK(results))
        #expect(pool.statistics.opened == 8)
        #expect(pool.statistics.closed == 0)
        #expect(pool.statistics.open == 8)
    }

    @Test func aHigherPerProjectLimitLetsFanOutsRunSideBySide() throws {
        let cluster = try TestWorkspace.cluster()
        let name = "pool_side_\(UUID().uuidString.prefix(6).lowercased())"
        try cluster.createDatabase(name)
        let slow = [
            FanOutTask(
                key: "p", connection: cluster.connectionString(database: name),
                query: Query("SELECT pg_backend_pid() AS pid, pg_sleep(0.3)"))
        ]
        let pool = WarmPool(perProjectLimit: 2)
        let results = Self.concurrently(FanOut(timeout: 10, pool: pool), slow, fanOuts: 2, rounds: 1)
        let backends = Set(results.compactMap { if case .ok(let answers) = $0.outcome { answers[0].records.first?["pid"] } else { nil } })
        #expect(backends.count == 2)
        #expect(pool.statistics.opened == 2)
        #expect(pool.statistics.waits == 0)
    }

    @Test func idleConnectionsAreClosedAfterTheTimeout() throws {
        let tasks = try Self.tasks(3)
        let pool = WarmPool(idleTimeout: 0.2)
        #expect(Self.allOK(FanOut(timeout: 5, pool: pool).runBlocking(tasks)))
        #expect(pool.closeIdle() == 0)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(pool.closeIdle() == 3)
        #expect(pool.statistics.open == 0)
        #expect(try Self.waitFor(0, tasks))
    }

    @Test func releaseLetsGoAndTheNextFanOutReconnects() throws {
        let tasks = try Self.tasks(2)
        let pool = WarmPool()
        let engine = FanOut(timeout: 5, pool: pool)
        #expect(Self.allOK(engine.runBlocking(tasks)))
        pool.release("p0")
        #expect(pool.statistics.open == 1)
        #expect(try Self.waitFor(1, tasks))
        #expect(Self.allOK(engine.runBlocking(tasks)))
        #expect(pool.statistics.opened == 3)
    }

    @Test func aHeldProjectIsNotReconnectedUntilTheHoldEnds() throws {
        let tasks = try Self.tasks(2)
        let pool = WarmPool()
        let engine = FanOut(timeout: 5, pool: pool)
        pool.release("p0", holdFor: 60)
        let held = engine.runBlocking(tasks)
        guard case .failed(let error) = held[0].outcome else {
            Issue.record("p0 should fail while held")
            return
        }
        #expect(error.message.contains("on hold"))
        guard case .ok = held[1].outcome else {
            Issue.record("p1 should answer")
            return
        }
        pool.release("p0", holdFor: 0.01, now: WarmPool.now() - 1)
        #expect(Self.allOK(engine.runBlocking(tasks)))
    }

    @Test func removedOrChangedProjectsAreClosed() throws {
        let tasks = try Self.tasks(3)
        let pool = WarmPool()
        #expect(Self.allOK(FanOut(timeout: 5, pool: pool).runBlocking(tasks)))
        pool.retain(registered: [(tasks[0].key, tasks[0].connection.raw), (tasks[1].key, "postgresql://elsewhere/db")])
        #expect(pool.statistics.open == 1)
        #expect(try Self.waitFor(1, tasks))
    }

    @Test func aBrokenPooledConnectionIsReplacedTransparently() throws {
        let tasks = try Self.tasks(3)
        let pool = WarmPool()
        let engine = FanOut(timeout: 5, pool: pool)
        #expect(Self.allOK(engine.runBlocking(tasks)))
        let admin = try TestWorkspace.cluster().connect()
        try admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [tasks[1].connection.databaseName!])
        Thread.sleep(forTimeInterval: 0.1)
        #expect(Self.allOK(engine.runBlocking(tasks)))
        #expect(pool.statistics.opened == 4)
        #expect(pool.statistics.closed == 1)
    }

    @Test func pooledConnectionsPrepareEachStatementOnce() throws {
        let tasks = try Self.tasks(1)
        let pool = WarmPool()
        let engine = FanOut(timeout: 5, pool: pool)
        let listing = Query("SELECT string_agg(name, ',' ORDER BY name) AS names FROM pg_prepared_statements")
        let conversation = FanOutTask(key: "p0", connection: tasks[0].connection) { results in
            results.isEmpty ? Query("SELECT $1::int + 1 AS two", [1]) : results.count == 1 ? listing : nil
        }
        func names(_ results: [FanOutResult]) -> [String] {
            guard case .ok(let answers) = results[0].outcome else { return ["failed: \(results[0].outcome)"] }
            return (answers[1].records.first?["names"] ?? "").split(separator: ",").map(String.init)
        }
        let first = names(engine.runBlocking([conversation]))
        let second = names(engine.runBlocking([conversation]))
        #expect(first.count == 2)
        #expect(first.allSatisfy { $0.hasPrefix("catalog_") })
        #expect(second == first)
        #expect(pool.statistics.opened == 1)
    }

    @Test func aStatementTheServerForgotIsPreparedAgain() throws {
        let tasks = try Self.tasks(1)
        let pool = WarmPool()
        let engine = FanOut(timeout: 5, pool: pool)
        let question = Query("SELECT $1::text AS echo", ["hello"])
        let ask = FanOutTask(key: "p0", connection: tasks[0].connection, query: question)
        let forget = FanOutTask(key: "p0", connection: tasks[0].connection) { results in
            results.isEmpty ? Query("SELECT 1") : results.count == 1 ? Query("DEALLOCATE ALL") : nil
        }
        #expect(Self.allOK(engine.runBlocking([ask])))
        #expect(Self.allOK(engine.runBlocking([forget])))
        let again = engine.runBlocking([ask])
        guard case .ok(let answers) = again[0].outcome else {
            Issue.record("\(again[0].outcome)")
            return
        }
        #expect(answers[0].records.first?["echo"] == "hello")
        #expect(pool.statistics.opened == 1)
    }

    @Test func aFailingStatementLeavesThePooledConnectionUsable() throws {
        let tasks = try Self.tasks(1)
        let pool = WarmPool()
        let engine = FanOut(timeout: 5, pool: pool)
        let missing = FanOutTask(key: "p0", connection: tasks[0].connection, query: Query("SELECT * FROM no_such_table"))
        let failed = engine.runBlocking([missing])
        guard case .failed(let error) = failed[0].outcome else {
            Issue.record("\(failed[0].outcome)")
            return
        }
        #expect(error.sqlState == "42P01")
        #expect(pool.statistics.idle == 1)
        #expect(Self.allOK(engine.runBlocking(tasks)))
        #expect(pool.statistics.opened == 1)
    }

    @Test func aStepThatFailsHalfwayKeepsWhatItPrepared() throws {
        let tasks = try Self.tasks(1)
        let pool = WarmPool()
        let engine = FanOut(timeout: 5, pool: pool)
        let first = Query("SELECT $1::int AS one", [1])
        let last = Query("SELECT $1::int AS three", [3])
        let halfway = FanOutTask(key: "p0", connection: tasks[0].connection) { results in
            results.isEmpty ? [first, Query("SELECT * FROM no_such_table"), last] : []
        }
        let whole = FanOutTask(key: "p0", connection: tasks[0].connection) { results in results.isEmpty ? [first, last] : [] }
        let failed = engine.runBlocking([halfway])
        guard case .failed(let error) = failed[0].outcome else {
            Issue.record("\(failed[0].outcome)")
            return
        }
        #expect(error.sqlState == "42P01")
        let again = engine.runBlocking([whole])
        guard case .ok(let answers) = again[0].outcome else {
            Issue.record("\(again[0].outcome)")
            return
        }
        #expect(answers.map { $0.records.first?["one"] ?? $0.records.first?["three"] } == ["1", "3"])
        #expect(pool.statistics.opened == 1)
    }

    @Test func withoutAPoolEveryConnectionIsClosed() throws {
        let tasks = try Self.tasks(2)
        #expect(Self.allOK(FanOut(timeout: 5).runBlocking(tasks)))
        #expect(try Self.waitFor(0, tasks))
    }

    /// Backends go away a moment after the client closes; waits up to two seconds for `count`.
    static func waitFor(_ count: Int, _ tasks: [FanOutTask]) throws -> Bool {
        try TestWorkspace.wait(upTo: 2, every: 0.05) { try backends(tasks) == count }
    }
}
