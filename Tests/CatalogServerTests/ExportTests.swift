import CatalogCore
import CatalogServer
import CatalogSupport
import CatalogTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresClient
import Testing

/// `POST /api/v1/projects/{name}/export`: a bundle the CLI can read, streamed as a download.
@Suite struct ExportTests {
    @Test func aProjectDownloadsAsABundleTheCLIAccepts() async throws {
        let fleet = try ServerFleet.make(["shop"])
        try await fleet.application().application.test(.router) { client in
            let response = try await client.send(.post, "/api/v1/projects/shop/export")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/zip")
            let disposition = try #require(response.headers[.contentDisposition])
            #expect(disposition.hasPrefix("attachment; filename=\"shop-"))
            let sha = try #require(response.headers[HTTPFields.Element.Name("X-Catalog-Bundle-SHA256")!])
            let bytes = Array(response.body.readableBytesView)
            #expect(bytes.prefix(4) == [0x50, 0x4B, 0x03, 0x04])
            #expect(!String(decoding: bytes, as: UTF8.self).contains(fleet.cluster.password))

            let file = try TestWorkspace.temporaryDirectory().appendingPathComponent("shop.catalog")
            try Data(bytes).write(to: file)
            let inspected = try ChildProcess(
                TestWorkspace.catalogBinary, ["bundle", "inspect", file.path],
                environment: ["CATALOG_STORE": ""]
            ).run()
            #expect(inspected.status == 0, "\(inspected.output)")
            #expect(inspected.stdout.contains("shop"))
            let record = try #require(try fleet.catalog.store.exports(project: "shop").first)
            #expect(record.sha256 == sha)
            #expect(Int(record.sizeBytes) == bytes.count)
        }
    }

    @Test func twoExportsInTheSameSecondBothSucceed() async throws {
        let fleet = try ServerFleet.make(["crm"])
        try await fleet.application().application.test(.router) { client in
            let first = try await client.send(.post, "/api/v1/projects/crm/export?metadata_only=true")
            let second = try await client.send(.post, "/api/v1/projects/crm/export?metadata_only=true")
            #expect(first.status == .ok)
            #expect(second.status == .ok)
            #expect(first.headers[.contentDisposition] != second.headers[.contentDisposition])
        }
        #expect(try fleet.catalog.store.exports(project: "crm").count == 2)
    }

    @Test func unknownProjectsAndUnreachableServersAreErrors() async throws {
        let fleet = try ServerFleet.make(["saas"])
        let closedPort = try TemporaryCluster.freePort()
        try fleet.catalog.addProject(name: "gone", dsn: "postgresql://app:secret-pw@127.0.0.1:\(closedPort)/db")
        try await fleet.application().application.test(.router) { client in
            #expect(try await client.send(.post, "/api/v1/projects/nope/export").status == .notFound)
            #expect(try await client.send(.post, "/api/v1/projects/saas/export?metadata_only=perhaps").status == .badRequest)
            let unreachable = try await client.send(.post, "/api/v1/projects/gone/export")
            #expect(unreachable.status == .badGateway)
            #expect(unreachable.errorCode == "export_failed")
            #expect(!unreachable.text.contains("secret-pw"))
        }
    }

    @Test func aGETCannotStartAnExportNorACrossSitePost() async throws {
        let fleet = try ServerFleet.make(["crm"])
        try await fleet.application().application.test(.router) { client in
            let image = try await client.get("/api/v1/projects/crm/export?metadata_only=true", token: nil)
            #expect(image.status == .methodNotAllowed)
            let withToken = try await client.get("/api/v1/projects/crm/export?metadata_only=true")
            #expect(withToken.status == .methodNotAllowed)
            #expect(withToken.headers[.allow] == "POST")
            let crossSite = try await client.send(
                .post, "/api/v1/projects/crm/export?metadata_only=true", token: nil,
                headers: [.origin: "http://evil.example"])
            #expect(crossSite.status == .unauthorized)
        }
        #expect(try fleet.catalog.store.exports(project: "crm").isEmpty)
    }
}
