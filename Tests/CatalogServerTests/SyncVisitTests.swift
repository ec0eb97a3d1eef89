import CatalogCore
import CatalogTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresClient
import Testing

/// `POST /api/v1/sync` plans once and applies once: it does not plan again to tell a changed plan
/// from other errors (a typed `planChanged` says so). Counted in PostgreSQL's own statistics: the
/// scans of `_metadata.mappings_table`, which only a sync plan (and an apply's re-read) makes.
@Suite struct SyncVisitTests {
    /// Scans of `_metadata.mappings_table` in the projects' databases, once PostgreSQL's statistics
    /// have settled: a busy backend flushes them at most once a second, an idle one within 10 s
    /// (PostgreSQL 15's idle flush interval), and one that exits at once; so "settled" is 11 s unchanged.
    static func mappingScans(_ fleet: ServerFleet, projects: [String]) throws -> Int {
        let connections = try projects.map { try fleet.cluster.connect(database: fleet.databases[$0]!) }
        func read() throws -> Int {
            try connections.map { connection in
                try connection.query(
                    """
                    SELECT (coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::int AS scans FROM pg_stat_user_tables
                    WHERE schemaname = '_metadata' AND relname = 'mappings_table'
                    """
                ).records.first?.int("scans") ?? 0
            }.reduce(0, +)
        }
        var last = try read()
        var stableSince = Date()
        let deadline = Date().addingTimeInterval(40)
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.25)
            let now = try read()
            if now != last {
                last = now
                stableSince = Date()
            } else if Date().timeIntervalSince(stableSince) > 11 {
                break
            }
        }
        return last
    }

    @Test("POST /sync reads each project as often as one plan does when nothing is left to apply")
    func postSyncPlansOnce() async throws {
        let fleet = try SharedSyncDriftTests.fleet()
        let projects = ["saas", "shop"]
        // Pooled connections close soon after use, so their backends exit and flush their statistics
        // at once (an idle backend may hold them for 10 s).
        let application = try fleet.application {
            $0.poolIdleTimeout = 0.05
            $0.poolMaintenanceInterval = 0.1
        }
        try await application.application.test(.router) { client in
            // Bring both projects up to date, so the next sync has a plan and nothing to write.
            let first = try JSON.parse(try await client.get("/api/v1/sync/plan").text)
            let firstHash = try #require(first["hash"]?.string)
            #expect(try await client.send(.post, "/api/v1/sync", json: "{\"plan\": \"\(firstHash)\"}").status == .ok)

            let before = try Self.mappingScans(fleet, projects: projects)
            let plan = try JSON.parse(try await client.get("/api/v1/sync/plan").text)
            let hash = try #require(plan["hash"]?.string)
            #expect(plan["changes"]?.array?.allSatisfy { $0["action"]?.string != "create" && $0["action"]?.string != "update" } == true)
            let afterPlan = try Self.mappingScans(fleet, projects: projects)
            let onePlan = afterPlan - before
            #expect(onePlan > 0, "a plan reads the mappings")

            let applied = try await client.send(.post, "/api/v1/sync", json: "{\"plan\": \"\(hash)\"}")
            #expect(applied.status == .ok)
            let afterSync = try Self.mappingScans(fleet, projects: projects)
            #expect(
                afterSync - afterPlan <= onePlan, "POST /sync read the mappings \(afterSync - afterPlan) times; one plan reads them \(onePlan) times")
        }
    }
}
