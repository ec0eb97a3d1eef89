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

/// `…/rename`, `…/archive` (plan, then the hash it was shown) and `…/unarchive`, against real PostgreSQL.
@Suite struct LifecycleChangeRoutesTests {
    static func post(_ client: some TestClientProtocol, _ path: String, _ body: [String: Any]) async throws -> TestResponse {
        try await LifecycleRoutesTests.post(client, path, body)
    }

    static func databases(_ fleet: ServerFleet, like prefix: String) throws -> Set<String> {
        Set(
            try fleet.cluster.connect().query("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [prefix]).records.compactMap {
                $0["datname"]
            })
    }

    @Test func renamesArchivesAndUnarchivesShowingThePlanFirst() async throws {
        let fleet = try ServerFleet.make(["saas"])
        let name = "life_\(UUID().uuidString.prefix(8).lowercased())"
        let renamed = "\(name)_r"
        try await fleet.application().application.test(.router) { client in
            #expect(try await Self.post(client, "/api/v1/projects", ["name": name, "server": fleet.cluster.url()]).status == .created)

            // Rename: the plan alone changes nothing; then the registry and the database together.
            let planned = try await Self.post(client, "/api/v1/projects/\(name)/rename", ["name": renamed, "database": true, "plan_only": true])
            #expect(planned.status == .ok && planned.object["done"] as? Bool == false, "\(planned.text)")
            #expect((planned.object["steps"] as? [String])?.contains { $0.hasPrefix("ALTER DATABASE \"\(name)_db\" RENAME") } == true)
            #expect(try Self.databases(fleet, like: name) == ["\(name)_db"])
            let refused = try await Self.post(client, "/api/v1/projects/\(name)/rename", ["name": renamed, "terminate_connections": true])
            #expect(refused.status == .badRequest, "\(refused.text)")
            let done = try await Self.post(client, "/api/v1/projects/\(name)/rename", ["name": renamed, "database": true])
            #expect(done.status == .ok && done.object["done"] as? Bool == true, "\(done.text)")
            #expect((done.object["project"] as? [String: Any])?["name"] as? String == renamed)
            #expect(try Self.databases(fleet, like: name) == ["\(renamed)_db"])
            #expect(try await Self.post(client, "/api/v1/projects/\(name)/rename", ["name": "other"]).status == .notFound)

            // Archive: the plan and its hash first; a stale hash is 409 and drops nothing; the shown hash acts.
            let plan = try await Self.post(client, "/api/v1/projects/\(renamed)/archive", [:])
            let hash = try #require(plan.object["hash"] as? String)
            #expect(plan.status == .ok && plan.object["done"] as? Bool == false)
            #expect((plan.object["steps"] as? [String])?.contains("DROP DATABASE \"\(renamed)_db\"") == true)
            let stale = try await Self.post(client, "/api/v1/projects/\(renamed)/archive", ["plan": "0000000000000000"])
            #expect(stale.status == .conflict && stale.errorCode == "plan_changed", "\(stale.text)")
            #expect(try Self.databases(fleet, like: name) == ["\(renamed)_db"])
            let archived = try await Self.post(client, "/api/v1/projects/\(renamed)/archive", ["plan": hash])
            #expect(archived.status == .ok && archived.object["done"] as? Bool == true, "\(archived.text)")
            #expect((archived.object["sha256"] as? String)?.count == 64 && archived.object["backup_id"] is Int)
            #expect(try Self.databases(fleet, like: name).isEmpty)
            let list = try await client.get("/api/v1/archived")
            let entry = try #require((list.object["archived"] as? [[String: Any]])?.first, "\(list.text)")
            #expect(entry["name"] as? String == renamed && entry["database"] as? String == "\(renamed)_db", "\(list.text)")

            // Unarchive: another server only if --allow-hosts allows it; the plan alone; then back.
            let elsewhere = try await Self.post(
                client, "/api/v1/projects/\(renamed)/unarchive", ["server": "postgresql://u:pw@db.example/postgres"])
            #expect(elsewhere.status == .forbidden && !elsewhere.text.contains("pw@"), "\(elsewhere.text)")
            let steps = try await Self.post(client, "/api/v1/projects/\(renamed)/unarchive", ["plan_only": true])
            #expect(steps.status == .ok && steps.object["done"] as? Bool == false, "\(steps.text)")
            #expect(try Self.databases(fleet, like: name).isEmpty)
            let back = try await Self.post(client, "/api/v1/projects/\(renamed)/unarchive", [:])
            #expect(back.status == .ok && back.object["done"] as? Bool == true, "\(back.text)")
            #expect(try Self.databases(fleet, like: name) == ["\(renamed)_db"])
            #expect(try await Self.post(client, "/api/v1/projects/\(renamed)/unarchive", [:]).status == .notFound)
        }
        #expect(try Set(fleet.catalog.listProjects().map(\.name)) == ["saas", renamed])
        #expect(try fleet.catalog.archivedProjects().isEmpty)
    }
}
