import CatalogCore
import CatalogServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `/healthz`, `/metrics`, the web page's delivery, and the structured log.
@Suite struct OperationsTests {
    @Test func healthSaysOK() async throws {
        let fleet = try ServerFleet.make([])
        try await fleet.application().application.test(.router) { client in
            let response = try await client.get("/healthz", token: nil)
            #expect(response.status == .ok)
            #expect(response.object["status"] as? String == "ok")
        }
    }

    @Test func metricsCountRequestsLatenciesAndFanOutOutcomes() async throws {
        let fleet = try ServerFleet.make(["saas", "shop"])
        try await fleet.application().application.test(.router) { client in
            _ = try await client.get("/api/v1/search/columns?name=email")
            _ = try await client.get("/api/v1/projects", token: "wrong")
            let response = try await client.get("/metrics", token: nil)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = response.text
            #expect(text.contains(#"catalog_http_requests_total{method="GET",route="/api/v1/search/columns",status="200"} 1"#))
            #expect(text.contains(#"catalog_http_requests_total{method="GET",route="/api/v1/projects",status="401"} 1"#))
            #expect(text.contains(#"catalog_http_request_duration_seconds_count{method="GET",route="/api/v1/search/columns"} 1"#))
            #expect(text.contains(#"catalog_fanout_outcomes_total{project="saas",outcome="ok"} 1"#))
            #expect(text.contains(#"catalog_fanout_outcomes_total{project="shop",outcome="ok"} 1"#))
            #expect(text.contains("catalog_pool_connections_idle 2"))
            #expect(!text.contains(fleet.cluster.password))
        }
    }

    @Test func theLogIsOneJSONObjectPerRequestWithoutSecrets() async throws {
        let fleet = try ServerFleet.make(["saas"])
        try await fleet.application().application.test(.router) { client in
            _ = try await client.get("/api/v1/search/columns?name=email&project=saas")
            _ = try await client.send(.post, "/api/v1/session", json: "{\"token\": \"\(ServerFleet.token)\"}", token: nil)
        }
        let lines = fleet.logs.text.split(separator: "\n").map(String.init)
        let records = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        #expect(records.count == lines.count)
        let search = try #require(records.first { $0["route"] == "/api/v1/search/columns" })
        #expect(search["status"] == "200")
        #expect(search["method"] == "GET")
        #expect(search["path"] == "/api/v1/search/columns")
        #expect(search["ms"] != nil)
        #expect(!fleet.logs.text.contains(ServerFleet.token))
        #expect(!fleet.logs.text.contains(fleet.cluster.password))
        #expect(!fleet.logs.text.contains("name=email"))
    }

    @Test func theWebPageIsServedWithoutCredentialAndWithoutACDN() async throws {
        let fleet = try ServerFleet.make([])
        try await fleet.application().application.test(.router) { client in
            let page = try await client.get("/", token: nil)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(page.text.contains("id=\"sign-in\""))
            #expect(page.text.contains("<script src=\"/assets/app.js\""))
            let script = try await client.get("/assets/app.js", token: nil)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(script.text.contains("/api/v1/search/"))
            for asset in [page.text, script.text, try await client.get("/assets/app.css", token: nil).text] {
                #expect(asset.firstMatch(of: /(src|href)=["']?(https?:)?\/\//) == nil)
                #expect(!asset.contains("@import"))
            }
        }
    }
}
