import CatalogCore
import CatalogServer
import CatalogStore
import CatalogSupport
import CatalogTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /api/v1/lint` answers with the JSON of `catalog lint --format json`, from the index, with the
/// config `catalog serve --lint-config` read at start, and the CLI's filters as query parameters.
@Suite struct LintRouteTests {
    static func configuration(store: String, lintConfig: LintConfig = LintConfig()) -> ServerConfiguration {
        ServerConfiguration(
            port: 0, token: ServerFleet.token, store: StoreLocation(path: store, isExplicit: true), queryTimeout: 5,
            logger: LogCapture().logger(), lintConfig: lintConfig)
    }

    static func cli(_ arguments: [String], store: String) throws -> JSON {
        let outcome = try ChildProcess(
            TestWorkspace.catalogBinary, ["lint", "--store", store, "--format", "json"] + arguments, environment: ["CATALOG_STORE": ""]
        ).run()
        return try JSON.parse(outcome.stdout)
    }

    @Test func lintAnswersLikeTheCLI() async throws {
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("lint.sqlite").path
        try LintFleet.make(at: store, divergent: true)
        let command = try Self.cli([], store: store)
        try await CatalogApplication(Self.configuration(store: store)).application.test(.router) { client in
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

    @Test("the config given at start, rule and min_severity filter like the CLI; bad values are one-line errors")
    func configAndFilters() async throws {
        let directory = try TestWorkspace.temporaryDirectory()
        let store = directory.appendingPathComponent("lint.sqlite").path
        try LintFleet.make(at: store, divergent: true)
        let configFile = directory.appendingPathComponent("catalog-lint.yaml").path
        try LintFleet.configYAML.write(toFile: configFile, atomically: true, encoding: .utf8)
        let configured = try Self.cli(["--config", configFile], store: store)
        let typesOnly = try Self.cli(["--config", configFile, "--rule", "type-mismatch", "--rule", "naming"], store: store)
        let application = try CatalogApplication(Self.configuration(store: store, lintConfig: try LintConfig.read(path: configFile)))
        try await application.application.test(.router) { client in
            let answer = try JSON.parse(try await client.get("/api/v1/lint").text)
            #expect(answer["findings"] == configured["findings"], "the server lints with its --lint-config")
            #expect(answer["findings"]?.array?.contains { $0["rule"]?.string == "naming" } == true)

            let rules = try JSON.parse(try await client.get("/api/v1/lint?rule=type-mismatch&rule=naming").text)
            #expect(rules["findings"] == typesOnly["findings"])
            let ruleNames = Set(rules["findings"]?.array?.compactMap { $0["rule"]?.string } ?? [])
            #expect(ruleNames == ["type-mismatch", "naming"])

            let errors = try JSON.parse(try await client.get("/api/v1/lint?min_severity=error").text)
            let severities = errors["findings"]?.array?.compactMap { $0["severity"]?.string } ?? []
            #expect(!severities.isEmpty && severities.allSatisfy { $0 == "error" })
            #expect(severities.count < (answer["findings"]?.array?.count ?? 0))
            #expect(errors["summary"]?["warning"] == .number(0))

            for (query, message) in [
                ("min_severity=fatal", "min_severity \"fatal\" is not a severity"), ("rule=no-such-rule", "unknown lint rule \"no-such-rule\""),
            ] {
                let response = try await client.get("/api/v1/lint?\(query)")
                #expect(response.status == .unprocessableContent, "\(query)")
                #expect(response.errorCode == "bad_input", "\(query): \(response.text)")
                let text = response.errorMessage ?? ""
                #expect(text.contains(message), "\(query): \(response.text)")
                #expect(!text.contains("\n"))
            }
            #expect(try await client.get("/api/v1/lint?live=maybe").status == .badRequest)
        }
    }

    @Test("live=true refreshes the index from the databases first")
    func liveRefreshes() async throws {
        let fleet = try ServerFleet.make(["saas", "crm"], scan: true)
        try fleet.sample.connect("saas").query("ALTER TABLE users ADD COLUMN region varchar(10)")
        try fleet.sample.connect("crm").query("ALTER TABLE sales.contacts ADD COLUMN region text")
        _ = try fleet.catalog.scanMetadata(.everything)
        try await fleet.application().application.test(.router) { client in
            let cached = try JSON.parse(try await client.get("/api/v1/lint?rule=type-mismatch").text)
            #expect(cached["live"] == .bool(false))
            #expect(cached["findings"]?.array?.contains { $0["column"]?.string == "region" } != true, "the index has not seen region yet")
            let live = try JSON.parse(try await client.get("/api/v1/lint?rule=type-mismatch&live=true").text)
            #expect(live["live"] == .bool(true))
            #expect(live["failures"]?.array?.isEmpty == true)
            let region = live["findings"]?.array?.first { $0["column"]?.string == "region" }
            #expect(region?["projects"] == .array([.string("crm"), .string("saas")]))
        }
    }
}
