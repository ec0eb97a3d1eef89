import CatalogCore
import CatalogServer
import CatalogTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /api/v1/projects` with `server` creates a database; `POST /api/v1/projects/{name}/clone` copies
/// one; both only on servers the operator allowed.
@Suite struct LifecycleRoutesTests {
    static func post(_ client: some TestClientProtocol, _ path: String, _ body: [String: Any]) async throws -> TestResponse {
        let text = String(data: try JSONSerialization.data(withJSONObject: body), encoding: .utf8)!
        return try await client.send(.post, path, json: text)
    }

    @Test func createsAndClonesOnAllowedServersOnly() async throws {
        let fleet = try ServerFleet.make(["saas"])
        let name = "api_\(UUID().uuidString.prefix(8).lowercased())"
        try await fleet.application().application.test(.router) { client in
            let created = try await Self.post(client, "/api/v1/projects", ["name": name, "server": fleet.cluster.url(), "tags": ["api"]])
            #expect(created.status == .created, "\(created.text)")
            #expect(created.text.contains(name) && !created.text.contains(fleet.cluster.password))

            let cloned = try await Self.post(client, "/api/v1/projects/\(name)/clone", ["name": "\(name)_copy"])
            #expect(cloned.status == .created, "\(cloned.text)")

            let elsewhere = try await Self.post(client, "/api/v1/projects", ["name": "\(name)_x", "server": "postgresql://u:pw@db.example/postgres"])
            #expect(elsewhere.status == .forbidden && elsewhere.errorCode == "server_not_allowed" && !elsewhere.text.contains("pw@"))
            let cloneElsewhere = try await Self.post(
                client, "/api/v1/projects/\(name)/clone", ["name": "\(name)_y", "server": "postgresql://u:pw@db.example/postgres"])
            #expect(cloneElsewhere.status == .forbidden)

            let taken = try await Self.post(
                client, "/api/v1/projects", ["name": "\(name)_z", "server": fleet.cluster.url(), "database": "\(name)_db"])
            #expect(taken.status == .conflict, "\(taken.text)")
            let neither = try await Self.post(client, "/api/v1/projects", ["name": "\(name)_n"])
            #expect(neither.status == .badRequest)
        }
        #expect(try Set(fleet.catalog.listProjects().map(\.name)) == ["saas", name, "\(name)_copy"])
        #expect(try fleet.catalog.cloneOrigin(of: "\(name)_copy")?.source == name)
    }
}
