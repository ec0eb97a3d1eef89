import CatalogCore
import CatalogServer
import CatalogSupport
import CatalogTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresClient
import Testing

/// Shared definitions, sync (plan, then apply with the plan's hash) and drift over HTTP, with the CLI's JSON.
@Suite struct SharedSyncDriftTests {
    /// A fleet with `users` taken from shop and attached to saas and shop.
    static func fleet() throws -> ServerFleet {
        let fleet = try ServerFleet.make()
        try fleet.catalog.addShared(name: "users", from: "shop:public.users")
        _ = try fleet.catalog.attachShared("users", to: ProjectSelection(names: ["saas", "shop"]))
        return fleet
    }

    func cli(_ arguments: [String], store: String) throws -> JSON {
        let outcome = try ChildProcess(
            TestWorkspace.catalogBinary, arguments + ["--store", store, "--format", "json"],
            environment: ["CATALOG_STORE": ""]
        ).run()
        return try JSON.parse(outcome.stdout)
    }

    @Test func sharedDefinitionsListAttachedAndBehind() async throws {
        let fleet = try Self.fleet()
        try await fleet.application().application.test(.router) { client in
            let list = try JSON.parse(try await client.get("/api/v1/shared").text)
            let users = try #require(list["definitions"]?.array?.first)
            #expect(users["name"]?.string == "users")
            #expect(users["table"]?.string == "public.users")
            #expect(users["attached"] == .array([.string("saas"), .string("shop")]))
            #expect(users["behind"] == .array([.string("saas"), .string("shop")]))

            let shown = try JSON.parse(try await client.get("/api/v1/shared/users").text)
            #expect(shown["version"] == .number(1))
            #expect(shown["definition"]?["table"]?.string == "users")
            #expect((shown["definition"]?["columns"]?.array?.count ?? 0) > 2)

            #expect(try await client.get("/api/v1/shared/nope").status == .notFound)
            #expect(try await client.get("/api/v1/shared/users?version=7").status == .notFound)
            #expect(try await client.get("/api/v1/shared/users?version=0").status == .badRequest)
        }
    }

    @Test func syncPlansLikeTheCLIAndAppliesOnlyTheReviewedPlan() async throws {
        let fleet = try Self.fleet()
        try await fleet.application().application.test(.router) { client in
            let plan = try JSON.parse(try await client.get("/api/v1/sync/plan").text)
            let command = try cli(["sync", "--plan"], store: fleet.storePath)
            #expect(plan["hash"] == command["hash"])
            #expect(plan["changes"] == command["changes"])
            #expect(plan["failures"] == .array([]))
            let hash = try #require(plan["hash"]?.string)

            let stale = try await client.send(.post, "/api/v1/sync", json: #"{"plan": "0000000000000000"}"#)
            #expect(stale.status == .conflict)
            #expect(stale.errorCode == "plan_changed")
            #expect(try fleet.catalog.listShared().first?.behind == ["saas", "shop"])
            #expect(try await client.send(.post, "/api/v1/sync", json: "{}").status == .badRequest)
            #expect(try await client.send(.post, "/api/v1/sync", json: #"{"plan": "x", "definition": ["nope"]}"#).status == .notFound)

            let applied = try JSON.parse(try await client.send(.post, "/api/v1/sync", json: "{\"plan\": \"\(hash)\"}").text)
            #expect(applied["hash"]?.string == hash)
            let results = applied["results"]?.array ?? []
            #expect(results.compactMap { $0["project"]?.string } == ["saas", "shop"])
            let conflicted = Set((plan["changes"]?.array ?? []).filter { $0["action"]?.string == "conflict" }.compactMap { $0["project"]?.string })
            #expect(conflicted.count < 2)
            for result in results {
                let project = result["project"]?.string ?? ""
                #expect(result["status"]?.string == (conflicted.contains(project) ? "skipped" : "ok"), "\(project)")
            }
            let after = try JSON.parse(try await client.get("/api/v1/shared").text)
            #expect(after["definitions"]?.array?.first?["behind"] == .array(conflicted.sorted().map(JSON.string)))
        }
    }

    @Test func driftAnswersLikeTheCLI() async throws {
        let fleet = try Self.fleet()
        let admin = try fleet.cluster.connect(database: fleet.databases["crm"]!)
        try admin.execute(script: "CREATE TABLE public.unmapped_extra (id int)")
        try await fleet.application().application.test(.router) { client in
            let response = try await client.get("/api/v1/drift")
            #expect(response.status == .ok)
            let drift = try JSON.parse(response.text)
            let command = try cli(["drift"], store: fleet.storePath)
            #expect(drift["drift"] == .bool(true))
            // The same items; each front end words what to do next in its own terms, after the same detail.
            func withoutRemedy(_ items: JSON?) -> [[String: String]] {
                (items?.array ?? []).map { item in
                    ["project", "layer", "kind", "object", "detail"].reduce(into: [:]) { fields, key in
                        fields[key] = key == "detail" ? item[key]?.string?.components(separatedBy: "; ").first : item[key]?.string
                    }
                }
            }
            #expect(withoutRemedy(drift["items"]) == withoutRemedy(command["items"]))
            #expect(drift["items"]?.array?.count == command["items"]?.array?.count)
            #expect(command["items"]?.array?.contains { $0["detail"]?.string?.contains("run 'catalog sync --project shop'") == true } == true)
            #expect(drift["items"]?.array?.contains { $0["detail"]?.string?.contains("GET /api/v1/sync/plan?project=shop") == true } == true)
            #expect(
                drift["items"]?.array?.contains { $0["object"]?.string == "public.unmapped_extra" && $0["kind"]?.string == "unmapped_table" } == true)
            let crmOnly = try JSON.parse(try await client.get("/api/v1/drift?project=crm").text)
            #expect(crmOnly["items"]?.array?.allSatisfy { $0["project"]?.string == "crm" } == true)
            #expect(try await client.get("/api/v1/drift?project=nope").status == .notFound)
        }
    }
}
