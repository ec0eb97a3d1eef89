import CatalogCore
import CatalogServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Credentials: the bearer token, the session cookie, the Origin check, and what stays secret.
@Suite struct AuthTests {
    @Test func missingOrWrongTokenIs401AndLeaksNothing() async throws {
        let fleet = try ServerFleet.make(["saas"])
        let app = try fleet.application()
        let password = fleet.cluster.password
        try await app.application.test(.router) { client in
            for token in [nil, "wrong", ServerFleet.token + "x", String(ServerFleet.token.dropLast())] as [String?] {
                let response = try await client.get("/api/v1/projects", token: token)
                #expect(response.status == .unauthorized)
                #expect(response.errorCode == "unauthorized")
                #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"catalog\"")
                #expect(!response.text.contains(ServerFleet.token))
                #expect(!response.text.contains(password))
                #expect(!response.text.contains("saas"))
            }
            let search = try await client.get("/api/v1/search/columns?name=email", token: "wrong")
            #expect(search.status == .unauthorized)
            let cookie = try await client.get("/api/v1/projects", token: nil, headers: [.cookie: "catalog_session=forged"])
            #expect(cookie.status == .unauthorized)
        }
        #expect(!fleet.logs.text.contains(ServerFleet.token))
        #expect(!fleet.logs.text.contains(password))
    }

    @Test func theRightTokenIsAccepted() async throws {
        let fleet = try ServerFleet.make(["saas"])
        try await fleet.application().application.test(.router) { client in
            let response = try await client.get("/api/v1/projects")
            #expect(response.status == .ok)
            let projects = response.object["projects"] as? [[String: Any]] ?? []
            #expect(projects.map { $0["name"] as? String } == ["saas"])
            #expect(!response.text.contains(fleet.cluster.password))
        }
    }

    @Test func publicRoutesNeedNoCredential() async throws {
        let fleet = try ServerFleet.make([])
        try await fleet.application().application.test(.router) { client in
            for path in ["/healthz", "/metrics", "/openapi.json", "/", "/assets/app.js", "/assets/app.css"] {
                let response = try await client.get(path, token: nil)
                #expect(response.status == .ok, "\(path)")
            }
        }
    }

    @Test func signInExchangesTheTokenForAStrictHttpOnlyCookie() async throws {
        let fleet = try ServerFleet.make(["saas"])
        try await fleet.application().application.test(.router) { client in
            let crossSite = try await client.send(
                .post, "/api/v1/session", json: "{\"token\": \"\(ServerFleet.token)\"}", token: nil,
                headers: [.origin: "http://evil.example"])
            #expect(crossSite.status == .forbidden)
            #expect(crossSite.headers[.setCookie] == nil)
            let refused = try await client.send(.post, "/api/v1/session", json: #"{"token": "nope"}"#, token: nil)
            #expect(refused.status == .unauthorized)
            #expect(refused.headers[.setCookie] == nil)

            let signedIn = try await client.send(
                .post, "/api/v1/session", json: "{\"token\": \"\(ServerFleet.token)\"}", token: nil,
                headers: [.origin: "http://localhost"])
            #expect(signedIn.status == .ok)
            let setCookie = try #require(signedIn.headers[.setCookie])
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.contains("SameSite=Strict"))
            #expect(!setCookie.contains(ServerFleet.token))
            let session = try #require(setCookie.split(separator: ";").first.map(String.init))

            let read = try await client.get("/api/v1/projects", token: nil, headers: [.cookie: session])
            #expect(read.status == .ok)

            let signedOut = try await client.send(.delete, "/api/v1/session", token: nil, headers: [.cookie: session, .origin: "http://localhost"])
            #expect(signedOut.status == .noContent)
            let afterwards = try await client.get("/api/v1/projects", token: nil, headers: [.cookie: session])
            #expect(afterwards.status == .unauthorized)
        }
    }

    @Test func cookieWritesMustComeFromThisOrigin() async throws {
        let fleet = try ServerFleet.make(["saas"])
        try await fleet.application().application.test(.router) { client in
            let signedIn = try await client.send(.post, "/api/v1/session", json: "{\"token\": \"\(ServerFleet.token)\"}", token: nil)
            let session = try #require(signedIn.headers[.setCookie]?.split(separator: ";").first.map(String.init))
            let body = "{\"name\": \"extra\", \"dsn\": \"\(fleet.cluster.url(database: "extra"))\"}"

            let noOrigin = try await client.send(.post, "/api/v1/projects", json: body, token: nil, headers: [.cookie: session])
            #expect(noOrigin.status == .forbidden)
            #expect(noOrigin.errorCode == "forbidden_origin")
            let foreign = try await client.send(
                .post, "/api/v1/projects", json: body, token: nil,
                headers: [.cookie: session, .origin: "http://evil.example"])
            #expect(foreign.status == .forbidden)
            let bearerForeign = try await client.send(.post, "/api/v1/projects", json: body, headers: [.origin: "http://evil.example"])
            #expect(bearerForeign.status == .forbidden)
            let sameOrigin = try await client.send(
                .post, "/api/v1/projects", json: body, token: nil,
                headers: [.cookie: session, .origin: "http://localhost"])
            #expect(sameOrigin.status == .created)
        }
        #expect(try fleet.catalog.listProjects().map(\.name) == ["extra", "saas"])
    }

    @Test func onlyInsecureNoAuthAsksForNoCredential() async throws {
        let fleet = try ServerFleet.make(["saas"])
        #expect(throws: CatalogError.self) { try fleet.application(token: nil) }
        try await fleet.application(token: nil, { $0.insecureNoAuth = true }).application.test(.router) { client in
            let response = try await client.get("/api/v1/projects", token: nil)
            #expect(response.status == .ok)
        }
    }
}
