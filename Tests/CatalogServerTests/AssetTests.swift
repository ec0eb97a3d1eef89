import CatalogCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CatalogServer

/// The OpenAPI document and the web page are the files under `Sources/CatalogServer/Resources/`,
/// served byte for byte from the resource bundle, and a bundle without them stops the server at start.
@Suite struct AssetTests {
    /// `Sources/CatalogServer/Resources/` in this checkout.
    static let resources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/CatalogServer/Resources")

    @Test func everyAssetIsItsResourceFileByteForByte() async throws {
        let fleet = try ServerFleet.make([])
        let assets: [(path: String, file: String, type: String)] = [
            ("/openapi.json", "openapi.json", "application/json; charset=utf-8"),
            ("/", "index.html", "text/html; charset=utf-8"),
            ("/assets/app.js", "app.js", "text/javascript; charset=utf-8"),
            ("/assets/app.css", "app.css", "text/css; charset=utf-8"),
        ]
        try await fleet.application().application.test(.router) { client in
            for asset in assets {
                let file = try Data(contentsOf: Self.resources.appendingPathComponent(asset.file))
                let response = try await client.get(asset.path, token: nil)
                #expect(response.status == .ok, "\(asset.path)")
                #expect(response.headers[.contentType] == asset.type, "\(asset.path)")
                #expect(Data(buffer: response.body) == file, "\(asset.path) is not \(asset.file)")
            }
            for page in assets.dropFirst() {
                let response = try await client.get(page.path, token: nil)
                #expect(response.headers[.cacheControl] == "no-cache")
                #expect(response.headers[.contentSecurityPolicy] == WebPageRoutes.contentSecurityPolicy)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
        }
    }

    @Test func aBundleWithoutTheAssetsIsRefusedInOneLine() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-assets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let bundle = try #require(Bundle(path: empty.path))
        let error = try #require(throws: CatalogError.self) { try ServerAssets(bundle: bundle) }
        #expect(error.message.contains("Resources/openapi.json"))
        #expect(error.message.contains("swift build"))
        #expect(!error.message.contains("\n"))
    }
}
