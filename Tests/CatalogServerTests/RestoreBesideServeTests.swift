import CatalogCore
import CatalogServer
import CatalogTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A restore while `catalog serve` runs on the same store: the serve pool's session is named, with
/// the release endpoint that lets it go.
@Suite struct RestoreBesideServeTests {
    @Test func aRestoreBlockedByServesPoolNamesItAndTheReleaseEndpoint() async throws {
        let fleet = try ServerFleet.make(["shop"])
        let app = try fleet.application()
        try await app.application.test(.router) { client in
            let created = try await client.send(.post, "/api/v1/backups", json: #"{"projects": ["shop"]}"#)
            #expect(created.status == .created)
            let backup = try #require(try fleet.catalog.store.backups(projects: ["shop"]).first?.id)
            let search = try await client.get("/api/v1/search/columns?name=email&project=shop&live=true")
            #expect(search.status == .ok)
            #expect(app.pool.statistics.open == 1)

            let options = RestoreOptions(connectTimeout: 5)
            let plan = try fleet.catalog.planRestore(project: "shop", backupID: backup, options: options)
            #expect {
                try fleet.catalog.restore(plan, options: options)
            } throws: { error in
                let text = "\(error)"
                return text.contains("application_name: 'catalog serve' 1")
                    && text.contains("POST /api/v1/projects/shop/release?hold_seconds=")
                    && (error as? CatalogError)?.remedy == .terminateOtherSessions
            }

            let released = try await client.send(.post, "/api/v1/projects/shop/release?hold_seconds=60")
            #expect(released.status == .ok)
            let retried = try fleet.catalog.planRestore(project: "shop", backupID: backup, options: options)
            #expect(retried.otherSessions == 0)
            _ = try fleet.catalog.restore(retried, options: options)
        }
    }

    @Test func aFanOutTimeoutNamesServesOwnFlag() async throws {
        let hanging = try SilentServer()
        let fleet = try ServerFleet.make([])
        _ = try fleet.catalog.addProject(name: "hangs", dsn: "postgresql://app:pw@127.0.0.1:\(hanging.port)/db")
        try await fleet.application { $0.queryTimeout = 1 }.application.test(.router) { client in
            let response = try await client.get("/api/v1/search/columns?name=email")
            let failures = response.object["failures"] as? [[String: Any]] ?? []
            let message = try #require(failures.first?["error"] as? String)
            #expect(message.contains("--query-timeout"), "\(message)")
        }
    }
}
