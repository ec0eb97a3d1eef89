import CatalogCore
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

/// The warm pool under the fan-out engine: reuse, the per-server bound, idle expiry, release and
/// holds, registry changes, and broken connections replaced.
@Suite struct WarmPoolTests {
    /// `count` fresh databases, as fan-out tasks that ask each for its name.
    static func tasks(_ count: Int) throws -> [FanOutTask] {
        let cluster = try ServerTestEnvironment.cluster()
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
        let admin = try ServerTestEnvironment.cluster().connect()
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
        #expect(second.map { if case .ok(let answers) = $0.outcome { answers[0].records[0]["db"] } else { nil } } == tasks.map { $0.connection.databaseName })
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
        guard case .failed(let error) = held[0].outcome else { Issue.record("p0 should fail while held"); return }
        #expect(error.message.contains("on hold"))
        guard case .ok = held[1].outcome else { Issue.record("p1 should answer"); return }
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
        let admin = try ServerTestEnvironment.cluster().connect()
        try admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [tasks[1].connection.databaseName!])
        Thread.sleep(forTimeInterval: 0.1)
        #expect(Self.allOK(engine.runBlocking(tasks)))
        #expect(pool.statistics.opened == 4)
        #expect(pool.statistics.closed == 1)
    }

    @Test func withoutAPoolEveryConnectionIsClosed() throws {
        let tasks = try Self.tasks(2)
        #expect(Self.allOK(FanOut(timeout: 5).runBlocking(tasks)))
        #expect(try Self.waitFor(0, tasks))
    }

    /// Backends go away a moment after the client closes; waits up to two seconds for `count`.
    static func waitFor(_ count: Int, _ tasks: [FanOutTask]) throws -> Bool {
        for _ in 0..<40 {
            if try backends(tasks) == count { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }
}
