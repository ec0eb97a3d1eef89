import CatalogCore
import CatalogServer
import CatalogTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Two replicas on one store: one leads the background index refresh (reads and writes what
/// changed, fenced by its lease's epoch); the other only asks the servers, and answers a project
/// that changed at request time until the leader's copy reaches its memory.
@Suite struct IndexRefreshLeaderTests {
    @Test func oneReplicaLeadsAndTheOtherSeesItsWritesThroughTheChangeVersion() async throws {
        let fleet = try ServerFleet.make()
        let interval = 1.0
        let first = try fleet.application { $0.refreshInterval = interval }
        let second = try fleet.application { $0.refreshInterval = interval }
        try await first.application.test(.router) { firstClient in
            try await second.application.test(.router) { secondClient in
                try await FreshServeTests.waitForCheck(first)
                try await FreshServeTests.waitForCheck(second)
                // Exactly one leads (give the follower's first renewal time to run and lose).
                try await Task.sleep(for: .milliseconds(500))
                #expect([first.leadsIndexRefresh, second.leadsIndexRefresh].filter { $0 }.count == 1)
                let (follower, followerApp) = first.leadsIndexRefresh ? (secondClient, second) : (firstClient, first)

                try fleet.sample.connect("shop").query("INSERT INTO _metadata.mappings_table (table_name) VALUES ('audit_trail')")
                try fleet.sample.connect("shop").query(
                    "INSERT INTO _metadata.mappings_column (table_id, pg_column) SELECT id, 'email' FROM _metadata.mappings_table WHERE table_name = 'audit_trail'"
                )
                let committed = Date()
                // Every answer of the follower after the commit has the new row: from memory once the
                // leader's copy arrived, at request time while its own check had found it changed.
                // The bound is generous: this asserts that it happens, and CI runs a hundred suites at once
                // on two cores (it once took over 6 s there; about 3 s alone).
                var fromMemory = false
                while Date().timeIntervalSince(committed) < interval * 2 + 14, !fromMemory {
                    // Timed from before the request: the check began at (answer time - age) >= (asked - age).
                    let asked = Date()
                    let answer = try await follower.get(FreshServeTests.search)
                    let checked = answer.object["checked"] as? String
                    let age = (answer.object["age_ms"] as? Int).map { Double($0) / 1000 } ?? 0
                    let checkStartedAfterCommit = checked == "background" && asked.timeIntervalSince(committed) > age
                    if checked == "request" || checkStartedAfterCommit {
                        #expect(FreshServeTests.tables(answer, project: "shop").contains("audit_trail"), "\(answer.text)")
                    }
                    fromMemory = checkStartedAfterCommit && FreshServeTests.tables(answer, project: "shop").contains("audit_trail")
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(fromMemory, "the follower never answered the new row from memory")
                #expect(followerApp.memory.snapshot.checkedAt != nil)
                let live = try await follower.get(FreshServeTests.search + "&live=true")
                let last = try await follower.get(FreshServeTests.search)
                #expect(try FreshServeTests.matches(last.text) == FreshServeTests.matches(live.text))
            }
        }
    }
}
