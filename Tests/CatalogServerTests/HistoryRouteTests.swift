import CatalogCore
import CatalogServer
import CatalogStore
import CatalogTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /api/v1/history` answers with the audit log, here from a store kept in PostgreSQL.
@Suite struct HistoryRouteTests {
    @Test func historyAnswersFromARegistry() async throws {
        let registry = try TestWorkspace.database(prefix: "registry").url
        let location = StoreLocation(registry: registry, localPath: try TestWorkspace.temporaryDirectory().appendingPathComponent("registry").path)
        let catalog = try Catalog(location: location)
        let time = Date(timeIntervalSince1970: 1_800_000_000)
        try catalog.store.audit([
            AuditEntry(at: time, actor: "ann", action: "project.add", target: "billing", result: "ok"),
            AuditEntry(at: time.addingTimeInterval(60), actor: "bob", action: "project.add", target: "shop", result: "ok"),
            AuditEntry(at: time.addingTimeInterval(120), actor: "ann", action: "project.update", target: "billing", result: "ok", detail: "tags"),
        ])
        let configuration = ServerConfiguration(port: 0, token: ServerFleet.token, store: location, queryTimeout: 5, logger: LogCapture().logger())
        try await CatalogApplication(configuration).application.test(.router) { client in
            let all = try await client.get("/api/v1/history")
            #expect(all.status == .ok)
            let entries = try JSON.parse(all.text)["entries"]?.array ?? []
            #expect(entries.compactMap { $0["target"]?.string } == ["billing", "shop", "billing"])
            #expect(entries.first?["detail"]?.string == "tags")
            #expect(entries.first?["at"]?.string == "2027-01-15T08:02:00Z")
            let billing = try JSON.parse(try await client.get("/api/v1/history?project=billing&since=2027-01-15T08:01:00Z").text)
            #expect(billing["entries"]?.array?.count == 1)
            #expect(try JSON.parse(try await client.get("/api/v1/history?limit=1").text)["entries"]?.array?.count == 1)
            #expect(try await client.get("/api/v1/history?since=yesterday").status == .badRequest)
            #expect(try await client.get("/api/v1/history?limit=0").status == .badRequest)
            #expect(!all.text.contains(try TestWorkspace.cluster().password))
        }
    }
}
