import CatalogCore
import CatalogServer
import CatalogTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A project server that dies while the service runs: later requests say so, and answer again
/// once it is back, with no restart.
@Suite struct RecoveryTests {
    static func failedProjects(_ response: TestResponse) -> [String] {
        (response.object["failures"] as? [[String: Any]] ?? []).compactMap { $0["project"] as? String }.sorted()
    }

    @Test func aDeadServerIsReportedAndRecoveredWithoutARestart() async throws {
        let cluster = try TemporaryCluster()
        defer { cluster.stop() }
        let fleet = try ServerFleet.make(on: cluster)
        let app = try fleet.application { $0.queryTimeout = 3 }
        try await app.application.test(.router) { client in
            let healthy = try await client.get("/api/v1/search/columns?name=email")
            #expect(healthy.status == .ok)
            #expect(Self.failedProjects(healthy).isEmpty)
            #expect(app.pool.statistics.idle == 3)

            try cluster.pause()
            let down = try await client.get("/api/v1/search/columns?name=email")
            #expect(down.status == .ok)
            #expect(Self.failedProjects(down) == ["crm", "saas", "shop"])
            #expect((down.object["matches"] as? [Any])?.isEmpty == true)
            let reasons = (down.object["failures"] as? [[String: Any]] ?? []).compactMap { $0["error"] as? String }
            #expect(reasons.allSatisfy { !$0.contains(cluster.password) })
            let cachedWhileDown = try await client.get("/api/v1/search/columns?name=email&cached=true")
            #expect(Self.failedProjects(cachedWhileDown).isEmpty)
            #expect((cachedWhileDown.object["matches"] as? [Any])?.isEmpty == false)
            let projects = try await client.get("/api/v1/projects")
            #expect((projects.object["projects"] as? [[String: Any]])?.allSatisfy { $0["reachable"] as? String == "no" } == true)

            try cluster.resume()
            let back = try await client.get("/api/v1/search/columns?name=email")
            #expect(Self.failedProjects(back).isEmpty, "\(back.text)")
            #expect(Set((back.object["matches"] as? [[String: Any]] ?? []).compactMap { $0["project"] as? String }) == ["saas", "shop", "crm"])

            let metrics = try await client.get("/metrics", token: nil).text
            #expect(metrics.contains(#"catalog_fanout_outcomes_total{project="saas",outcome="failed"} 1"#))
            #expect(metrics.contains(#"catalog_fanout_outcomes_total{project="saas",outcome="ok"} 2"#))
        }
    }
}
