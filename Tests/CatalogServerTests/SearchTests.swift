import CatalogCore
import CatalogServer
import CatalogSupport
import CatalogTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresClient
import Testing

/// Column and table search over HTTP: the CLI's JSON, byte for byte, live and cached.
@Suite struct SearchTests {
    /// `age_seconds` moves with the clock between the two runs; everything else must match exactly.
    func withoutAges(_ text: String) -> String {
        text.replacing(/"age_seconds" : \d+/, with: "\"age_seconds\" : 0")
    }

    @Test(arguments: StoreKind.allCases) func cachedSearchesAnswerExactlyLikeTheCLI(_ store: StoreKind) async throws {
        let fleet = try ServerFleet.make(store: store)
        try await fleet.application().application.test(.router) { client in
            let live = try await client.get("/api/v1/search/tables?name=users")
            #expect((live.object["failures"] as? [Any])?.isEmpty == true)
            let cases: [(String, [String])] = [
                ("/api/v1/search/columns?name=email&cached=true", ["find-column", "email", "--cached"]),
                (
                    "/api/v1/search/columns?name=EMAIL&match=contains&ignore_case=true&cached=true",
                    ["find-column", "EMAIL", "--match", "contains", "--ignore-case", "--cached"]
                ),
                (
                    "/api/v1/search/columns?name=%5Eid%24&match=regex&tag=prod&cached=true",
                    ["find-column", "^id$", "--match", "regex", "--tag", "prod", "--cached"]
                ),
                ("/api/v1/search/tables?name=users&cached=true", ["find-table", "users", "--cached"]),
                (
                    "/api/v1/search/tables?name=ord&match=prefix&project=shop&cached=true",
                    ["find-table", "ord", "--match", "prefix", "--project", "shop", "--cached"]
                ),
            ]
            for (uri, arguments) in cases {
                let response = try await client.get(uri)
                #expect(response.status == .ok, "\(uri): \(response.text) \(fleet.logs.text.split(separator: "\n").suffix(3))")
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                #expect(withoutAges(response.text) == withoutAges(try fleet.cli(arguments + ["--format", "json"])), "\(uri)")
                #expect(!response.text.contains(fleet.cluster.password))
            }
        }
    }

    @Test(arguments: StoreKind.allCases) func liveSearchesAnswerLikeTheCLI(_ store: StoreKind) async throws {
        let fleet = try ServerFleet.make(store: store)
        try await fleet.application().application.test(.router) { client in
            let response = try await client.get("/api/v1/search/columns?name=email&live=true")
            #expect(response.status == .ok)
            let api = try Self.normalized(response.text)
            let command = try Self.normalized(try fleet.cli(["find-column", "email", "--live", "--format", "json"]))
            #expect(api == command)
            let matches = response.object["matches"] as? [[String: Any]] ?? []
            #expect(Set(matches.compactMap { $0["project"] as? String }) == ["saas", "shop", "crm"])
            #expect((response.object["sources"] as? [[String: Any]])?.allSatisfy { $0["live"] as? Bool == true } == true)
            #expect(try Golden.matches(api, "serve/search-columns-email.json"))
        }
    }

    /// The JSON with each source's time fields fixed, for comparing two live runs.
    static func normalized(_ text: String) throws -> String {
        text.replacing(/"fetched_at" : "[^"]+"/, with: "\"fetched_at\" : \"…\"").replacing(/"age_seconds" : \d+/, with: "\"age_seconds\" : 0")
    }

    @Test func theRevisionQueryKeepsOneConnectionOpenBetweenSearches() async throws {
        let fleet = try ServerFleet.make()
        let app = try fleet.application()
        try await app.application.test(.router) { client in
            // The first search reads every project into the index; the next ones ask the server.
            for _ in 0..<4 {
                let response = try await client.get("/api/v1/search/columns?name=email")
                #expect((response.object["failures"] as? [Any])?.isEmpty == true)
            }
        }
        #expect(app.signalPool.statistics.opened == 1)
        #expect(app.signalPool.statistics.reused == 2)
        // Every project publishes and the index holds its copy: after the first search none is read.
        #expect(app.pool.statistics.opened == 3)
        #expect(app.pool.statistics.reused == 0)
    }

    @Test func liveReadsKeepAFewProjectConnectionsOpenBetweenSearches() async throws {
        let fleet = try ServerFleet.make()
        let app = try fleet.application { $0.poolIdlePerServer = 2 }
        try await app.application.test(.router) { client in
            for _ in 0..<3 {
                let response = try await client.get("/api/v1/search/columns?name=email&live=true")
                #expect((response.object["failures"] as? [Any])?.isEmpty == true)
                #expect(app.pool.statistics.idle == 2)
            }
        }
        let statistics = app.pool.statistics
        #expect(statistics.opened == 5)
        #expect(statistics.reused == 4)
    }

    @Test func aProjectAddedOrRemovedTakesEffectWithoutARestart() async throws {
        let fleet = try ServerFleet.make(["saas"])
        let extra = try TestWorkspace.database(fixture: "shop")
        let app = try fleet.application()
        try await app.application.test(.router) { client in
            let before = try await client.get("/api/v1/search/tables?name=orders")
            #expect((before.object["matches"] as? [Any])?.isEmpty == true)

            let added = try await client.send(
                .post, "/api/v1/projects", json: "{\"name\": \"shop\", \"dsn\": \"\(extra.url)\", \"tags\": [\"prod\"]}")
            #expect(added.status == .created)
            #expect(added.object["dsn"] as? String == extra.url.replacingOccurrences(of: fleet.cluster.password, with: "****"))
            #expect(!added.text.contains(fleet.cluster.password))
            let install = try fleet.catalog.installMetadata(ProjectSelection(names: ["shop"]))
            #expect(install.allSatisfy { $0.outcome == .ok })
            _ = try fleet.catalog.scanMetadata(ProjectSelection(names: ["shop"]))

            let after = try await client.get("/api/v1/search/tables?name=orders")
            let projects = (after.object["matches"] as? [[String: Any]] ?? []).compactMap { $0["project"] as? String }
            #expect(projects.contains("shop"))
            #expect(app.pool.statistics.open == 2)

            let removed = try await client.send(.delete, "/api/v1/projects/shop")
            #expect(removed.status == .noContent)
            #expect(app.pool.statistics.open == 1)
            let gone = try await client.get("/api/v1/search/tables?name=orders")
            #expect((gone.object["matches"] as? [Any])?.isEmpty == true)
            #expect((gone.object["sources"] as? [[String: Any]])?.compactMap { $0["project"] as? String } == ["saas"])
        }
    }
}
