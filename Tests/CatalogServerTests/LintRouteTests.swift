import CatalogCore
import CatalogServer
import CatalogStore
import CatalogSupport
import CatalogTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /api/v1/lint` answers with the JSON of `catalog lint --format json`, from the index.
@Suite struct LintRouteTests {
    @Test func lintAnswersLikeTheCLI() async throws {
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("lint.sqlite").path
        try LintFleet.make(at: store, divergent: true)
        let configuration = ServerConfiguration(
            port: 0, token: ServerFleet.token, store: StoreLocation(path: store, isExplicit: true), queryTimeout: 5,
            logger: LogCapture().logger())
        let outcome = try ChildProcess(
            TestWorkspace.catalogBinary, ["lint", "--store", store, "--format", "json"], environment: ["CATALOG_STORE": ""]
        ).run()
        let command = try JSON.parse(outcome.stdout)
        try await CatalogApplication(configuration).application.test(.router) { client in
            let response = try await client.get("/api/v1/lint")
            #expect(response.status == .ok)
            let answer = try JSON.parse(response.text)
            #expect(answer["findings"] == command["findings"])
            #expect(answer["summary"] == command["summary"])
            #expect((answer["findings"]?.array?.count ?? 0) > 30)
            let eu = try JSON.parse(try await client.get("/api/v1/lint?tag=eu").text)
            #expect(eu["projects"]?.array?.count == 10)
            #expect(try await client.get("/api/v1/lint?project=nope").status == .notFound)
            #expect(try await client.get("/api/v1/lint?tag=nope").status == .notFound)
        }
    }
}
