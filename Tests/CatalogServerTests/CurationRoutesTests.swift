import CatalogCore
import CatalogServer
import CatalogSupport
import CatalogTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresClient
import Testing

/// Describing and curating over HTTP: the same JSON as `describe --format json`, PATCH on one
/// relation or column, and fleet edits as a plan first and then an apply with the plan's hash.
@Suite struct CurationRoutesTests {
    static func label(_ fleet: ServerFleet, _ project: String, table: String, column: String) throws -> String? {
        try fleet.cluster.connect(database: fleet.databases[project]!).query(
            "SELECT c.label FROM _metadata.mappings_column c JOIN _metadata.mappings_table t ON t.id = c.table_id WHERE t.table_name = $1 AND c.pg_column = $2",
            [table, column]
        ).records.first?["label"]
    }

    @Test(arguments: StoreKind.allCases) func relationsAreDescribedWithTheCLIsJSON(_ store: StoreKind) async throws {
        let fleet = try ServerFleet.make(["saas"], store: store)
        try await fleet.application().application.test(.router) { client in
            let list = try JSON.parse(try await client.get("/api/v1/projects/saas/relations").text)
            #expect(list["relations"]?.array?.contains { $0["table"]?.string == "users" && $0["columns"] == .number(6) } == true)
            let answered = try await client.get("/api/v1/projects/saas/relations/public/users").text
            #expect(answered == (try fleet.cli(["describe", "saas", "public.users", "--format", "json"])))
            #expect(try await client.get("/api/v1/projects/nope/relations").status == .notFound)
            #expect(try await client.get("/api/v1/projects/saas/relations/public/nope").status == .notFound)
        }
    }

    @Test(arguments: StoreKind.allCases) func patchEditsOneColumnAndBadValuesAreRefused(_ store: StoreKind) async throws {
        let fleet = try ServerFleet.make(["saas"], store: store)
        try await fleet.application().application.test(.router) { client in
            let uri = "/api/v1/projects/saas/relations/public/users/columns/email"
            let done = try await client.send(.patch, uri, json: #"{"label": "Email address"}"#)
            #expect(done.status == .ok, "\(done.text)")
            #expect(try Self.label(fleet, "saas", table: "users", column: "email") == "Email address")
            let bad = try await client.send(.patch, uri, json: #"{"validation_rules": "[1]"}"#)
            #expect(bad.status == .unprocessableContent && bad.errorCode == "bad_input", "\(bad.text)")
            let name = try await client.send(.patch, "/api/v1/projects/saas/relations/public/users", json: #"{"graphql_type": "no way"}"#)
            #expect(name.status == .unprocessableContent && name.errorMessage?.contains("not a valid GraphQL name") == true)
            let column = try await client.send(.patch, "/api/v1/projects/saas/relations/public/users/columns/nope", json: #"{"label": "x"}"#)
            #expect(column.status == .notFound && column.errorMessage?.contains("GET /api/v1/projects/saas/relations/public/users") == true)
            let unset = try await client.send(.patch, uri, json: #"{"label": null}"#)
            #expect(unset.status == .ok)
            #expect(try Self.label(fleet, "saas", table: "users", column: "email") == nil)
        }
    }

    @Test func fleetEditsApplyOnlyTheReviewedPlan() async throws {
        let fleet = try ServerFleet.make(["saas", "shop"])
        try await fleet.application().application.test(.router) { client in
            let body = #"{"column": "email", "all": true, "fields": {"label": "Email address"}}"#
            let plan = try await client.send(.post, "/api/v1/metadata/plan", json: body)
            let hash = try #require(plan.object["hash"] as? String)
            #expect((plan.object["changes"] as? Int) == 3)
            try fleet.cluster.connect(database: fleet.databases["shop"]!).query(
                "UPDATE _metadata.mappings_column SET label = 'Mail' WHERE pg_column = 'email'")
            let stale = try await client.send(.post, "/api/v1/metadata/apply", json: body.dropLast() + #", "plan": "\#(hash)"}"#)
            #expect(stale.status == .conflict && stale.errorCode == "plan_changed", "\(stale.text)")
            #expect(try Self.label(fleet, "saas", table: "users", column: "email") == nil)
            let fresh = try #require(try await client.send(.post, "/api/v1/metadata/plan", json: body).object["hash"] as? String)
            let applied = try await client.send(.post, "/api/v1/metadata/apply", json: body.dropLast() + #", "plan": "\#(fresh)"}"#)
            #expect(applied.status == .ok, "\(applied.text)")
            #expect(try Self.label(fleet, "saas", table: "users", column: "email") == "Email address")
            #expect(try Self.label(fleet, "shop", table: "users", column: "email") == "Mail")
        }
    }
}
