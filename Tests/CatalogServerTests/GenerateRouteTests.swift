import CatalogCore
import CatalogServer
import CatalogTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("GET /api/v1/projects/{name}/generate/{format}")
struct GenerateRouteTests {
    @Test("answers the same bytes as the CLI, for every format; an unknown format or project is one error")
    func sameBytesAsTheCLI() async throws {
        let fleet = try ServerFleet.make(["crm"])
        // The CLI first: a second process writing the store under a running server is not what this checks.
        var runs: [CodegenFormat: CLIRun] = [:]
        for format in CodegenFormat.allCases {
            runs[format] = try CLIRun.run(["generate", format.rawValue, "--project", "crm"], store: fleet.storePath)
            #expect(runs[format]?.status == 0, "\(runs[format]?.stderr ?? "")")
        }
        let expected = runs
        let app = try fleet.application()
        try await app.application.test(.router) { client in
            for format in CodegenFormat.allCases {
                let response = try await client.get("/api/v1/projects/crm/generate/\(format.rawValue)")
                #expect(response.status == .ok, "\(response.text)")
                #expect(response.text == expected[format]?.stdout)
                #expect(response.headers[.contentDisposition]?.contains("crm.") == true)
                let warnings = expected[format]?.stderr.split(separator: "\n").count ?? -1
                #expect(response.headers[HTTPFields.Element.Name("X-Catalog-Warnings")!] == String(warnings))
            }
            #expect(try await client.get("/api/v1/projects/crm/generate/cobol").status == .badRequest)
            #expect(try await client.get("/api/v1/projects/nope/generate/graphql").status == .notFound)
        }
    }
}
