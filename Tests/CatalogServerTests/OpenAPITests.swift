import CatalogCore
import CatalogServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `/openapi.json` and the router agree: the same routes, and every answer matches its schema.
@Suite struct OpenAPITests {
    /// One request per described operation, keyed `METHOD /path/template`.
    static let samples: [String: (uri: String, body: String?)] = [
        "GET /healthz": ("/healthz", nil),
        "GET /metrics": ("/metrics", nil),
        "GET /openapi.json": ("/openapi.json", nil),
        "GET /": ("/", nil),
        "GET /assets/app.js": ("/assets/app.js", nil),
        "GET /assets/app.css": ("/assets/app.css", nil),
        "POST /api/v1/session": ("/api/v1/session", "{\"token\": \"\(ServerFleet.token)\"}"),
        "DELETE /api/v1/session": ("/api/v1/session", nil),
        "GET /api/v1/projects": ("/api/v1/projects?check=true", nil),
        "POST /api/v1/projects": ("/api/v1/projects", #"{"name": "added", "dsn": "postgresql://app:pw@127.0.0.1:1/added", "tags": ["t"]}"#),
        "GET /api/v1/projects/{name}": ("/api/v1/projects/saas", nil),
        "DELETE /api/v1/projects/{name}": ("/api/v1/projects/added", nil),
        "POST /api/v1/projects/{name}/release": ("/api/v1/projects/crm/release?hold_seconds=0", nil),
        "POST /api/v1/projects/{name}/export": ("/api/v1/projects/crm/export?metadata_only=true", nil),
        "POST /api/v1/projects/{name}/clone": ("/api/v1/projects/crm/clone", #"{"name": "crm_openapi_copy"}"#),
        // After the clone (the keys run sorted): rename it with its database, then archive it and bring it back.
        "POST /api/v1/projects/{name}/rename": ("/api/v1/projects/crm_openapi_copy/rename", #"{"name": "crm_openapi_renamed", "database": true}"#),
        "POST /api/v1/projects/{name}/archive": ("/api/v1/projects/saas/archive", "{}"),
        "POST /api/v1/projects/{name}/unarchive": ("/api/v1/projects/crm_openapi_renamed/unarchive", "{$ARCHIVED}"),
        "GET /api/v1/archived": ("/api/v1/archived", nil),
        "GET /api/v1/search/columns": ("/api/v1/search/columns?name=email", nil),
        "GET /api/v1/search/tables": ("/api/v1/search/tables?name=users&cached=true", nil),
        "POST /api/v1/sql": ("/api/v1/sql", #"{"sql": "select project, count(*) as n from columns group by 1"}"#),
        "GET /api/v1/shared": ("/api/v1/shared", nil),
        "GET /api/v1/shared/{name}": ("/api/v1/shared/users?version=1", nil),
        "GET /api/v1/sync/plan": ("/api/v1/sync/plan?project=saas", nil),
        "POST /api/v1/sync": ("/api/v1/sync", #"{"plan": "$PLAN", "project": ["saas"]}"#),
        "GET /api/v1/drift": ("/api/v1/drift?tag=prod", nil),
        "POST /api/v1/backups": ("/api/v1/backups", #"{"projects": ["shop"]}"#),
        "GET /api/v1/backups": ("/api/v1/backups", nil),
        "GET /api/v1/projects/{name}/generate/{format}": ("/api/v1/projects/crm/generate/openapi", nil),
        "GET /api/v1/projects/{name}/relations": ("/api/v1/projects/saas/relations", nil),
        "GET /api/v1/projects/{name}/relations/{schema}/{table}": ("/api/v1/projects/saas/relations/public/users?cached=true", nil),
        "PATCH /api/v1/projects/{name}": ("/api/v1/projects/saas", #"{"add_tags": ["team"], "remove_tags": []}"#),
        "PATCH /api/v1/projects/{name}/relations/{schema}/{table}": ("/api/v1/projects/saas/relations/public/users", #"{"label": "People"}"#),
        "PATCH /api/v1/projects/{name}/relations/{schema}/{table}/columns/{column}": (
            "/api/v1/projects/saas/relations/public/users/columns/email", #"{"validation_rules": {"format": "email"}, "graphql_field": null}"#
        ),
        "POST /api/v1/metadata/plan": ("/api/v1/metadata/plan", #"{"column": "email", "all": true, "fields": {"description": "Where we write"}}"#),
        "POST /api/v1/metadata/apply": (
            "/api/v1/metadata/apply",
            #"{"column": "email", "project": ["crm"], "fields": {"description": "Where we write"}, "plan": "$METADATA_PLAN"}"#
        ),
        "GET /api/v1/operations": ("/api/v1/operations", nil),
        "GET /api/v1/alerts": ("/api/v1/alerts", nil),
        "GET /api/v1/history": ("/api/v1/history?limit=5", nil),
        "GET /api/v1/lint": ("/api/v1/lint?tag=prod", nil),
    ]

    static func describedRoutes(_ document: JSON) -> Set<APIRoute> {
        var routes = Set<APIRoute>()
        for (path, item) in document["paths"]?.object ?? [:] {
            for method in ["get", "post", "put", "patch", "delete"] where item[method] != nil {
                routes.insert(APIRoute(method: method.uppercased(), path: path))
            }
        }
        return routes
    }

    @Test func everyServedRouteIsDescribedAndEveryDescribedRouteIsServed() async throws {
        let fleet = try ServerFleet.make([])
        let app = try fleet.application()
        let document = try await app.application.test(.router) { client in try JSON.parse(try await client.get("/openapi.json", token: nil).text) }
        #expect(document["openapi"]?.string == "3.0.3")
        let described = Self.describedRoutes(document)
        #expect(
            Set(app.routes) == described,
            "served but not described: \(Set(app.routes).subtracting(described)); described but not served: \(described.subtracting(app.routes))")
        #expect(Set(Self.samples.keys) == Set(described.map(\.description)))
    }

    @Test func everyOperationAnswersAsDescribed() async throws {
        let fleet = try ServerFleet.make()
        try fleet.catalog.addShared(name: "users", from: "shop:public.users")
        _ = try fleet.catalog.attachShared("users", to: ProjectSelection(names: ["saas", "shop"]))
        let app = try fleet.application { $0.allowHosts = ["127.0.0.1:1"] }
        try await app.application.test(.router) { client in
            let document = try JSON.parse(try await client.get("/openapi.json", token: nil).text)
            let validator = SchemaValidator(document: document)
            let order =
                ["POST /api/v1/projects"]
                + Self.samples.keys.sorted().filter { $0 != "POST /api/v1/projects" && $0 != "DELETE /api/v1/projects/{name}" }
                + ["DELETE /api/v1/projects/{name}"]
            for key in order {
                let (uri, template) = Self.samples[key]!
                var body = template
                if body?.contains("$PLAN") == true {
                    let plan = try await client.get("/api/v1/sync/plan?project=saas").object["hash"] as? String
                    body = body?.replacingOccurrences(of: "$PLAN", with: plan ?? "")
                }
                if body?.contains("$METADATA_PLAN") == true {
                    let planBody = #"{"column": "email", "project": ["crm"], "fields": {"description": "Where we write"}}"#
                    let plan = try await client.send(.post, "/api/v1/metadata/plan", json: planBody).object["hash"] as? String
                    body = body?.replacingOccurrences(of: "$METADATA_PLAN", with: plan ?? "")
                }
                if body?.contains("$ARCHIVED") == true {
                    let archive = "/api/v1/projects/crm_openapi_renamed/archive"
                    let plan = try await client.send(.post, archive, json: "{}").object["hash"] as? String
                    let archived = try await client.send(.post, archive, json: #"{"plan": "\#(plan ?? "")"}"#)
                    #expect(archived.status == .ok && archived.object["done"] as? Bool == true, "\(archived.text)")
                    try Self.check(archived, path: "/api/v1/projects/{name}/archive", method: "POST", validator: validator)
                    body = body?.replacingOccurrences(of: "$ARCHIVED", with: "")
                }
                let parts = key.split(separator: " ", maxSplits: 1).map(String.init)
                let response = try await client.send(HTTPRequest.Method(parts[0])!, uri, json: body)
                #expect(response.status.code < 300, "\(key): \(response.status) \(response.text)")
                try Self.check(response, path: parts[1], method: parts[0], validator: validator)
            }
        }
    }

    @Test func errorAnswersAreDescribedToo() async throws {
        let fleet = try ServerFleet.make(["saas"])
        let app = try fleet.application { $0.maxBodyBytes = 256 }
        try await app.application.test(.router) { client in
            let document = try JSON.parse(try await client.get("/openapi.json", token: nil).text)
            let validator = SchemaValidator(document: document)
            let cases: [(String, String, String, String?, String?, Int)] = [
                ("GET", "/api/v1/projects", "/api/v1/projects", nil, nil, 401),
                ("GET", "/api/v1/projects/{name}", "/api/v1/projects/nope", nil, ServerFleet.token, 404),
                ("GET", "/api/v1/search/columns", "/api/v1/search/columns?name=(&match=regex", nil, ServerFleet.token, 400),
                ("POST", "/api/v1/sql", "/api/v1/sql", #"{"sql": "delete from projects"}"#, ServerFleet.token, 400),
                ("POST", "/api/v1/projects", "/api/v1/projects", String(repeating: " ", count: 300) + "{}", ServerFleet.token, 413),
                ("POST", "/api/v1/projects", "/api/v1/projects", #"{"name": "saas", "dsn": "host=x"}"#, ServerFleet.token, 409),
                (
                    "POST", "/api/v1/projects", "/api/v1/projects", #"{"name": "far", "dsn": "postgresql://u:pw@db.example/x"}"#, ServerFleet.token,
                    403
                ),
                ("POST", "/api/v1/session", "/api/v1/session", #"{"token": "wrong"}"#, nil, 401),
                (
                    "POST", "/api/v1/projects/{name}/archive", "/api/v1/projects/saas/archive", #"{"plan": "0000000000000000"}"#, ServerFleet.token,
                    409
                ),
            ]
            for (method, template, uri, body, token, status) in cases {
                let response = try await client.send(HTTPRequest.Method(method)!, uri, json: body, token: token)
                #expect(response.status.code == status, "\(method) \(uri): \(response.text)")
                try Self.check(response, path: template, method: method, validator: validator)
            }
        }
    }

    static func check(
        _ response: TestResponse, path: String, method: String, validator: SchemaValidator,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let described = validator.response(path: path, method: method, status: response.status.code)
        #expect(described.described, "\(method) \(path) answered \(response.status.code), which is not described", sourceLocation: sourceLocation)
        guard let schema = described.schema else { return }
        #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
        let problems = validator.violations(of: try JSON.parse(response.text), against: schema)
        #expect(problems.isEmpty, "\(method) \(path): \(problems)", sourceLocation: sourceLocation)
    }
}
