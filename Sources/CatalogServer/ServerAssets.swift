import CatalogCore
import Foundation
import NIOCore

/// The files `catalog serve` sends as they are: the OpenAPI document and the web page's HTML,
/// script and style sheet. They live in `Sources/CatalogServer/Resources/`, ship in the target's
/// resource bundle and are read once per process, when the first application is built; a missing
/// file stops the server at start rather than at the first request.
struct ServerAssets: Sendable {
    /// `openapi.json`: the OpenAPI 3 description of every route, written by hand next to the
    /// routes. The OpenAPI tests hold the two together.
    let openAPI: ByteBuffer
    /// `index.html`: the page, a shell whose data all comes from the `/api/v1` routes.
    let html: ByteBuffer
    /// `app.js`: the page's behaviour. It only inserts data with `textContent`, never as HTML.
    let script: ByteBuffer
    /// `app.css`: the page's look.
    let style: ByteBuffer

    /// The bundled files, read on first use.
    static let bundled = Result { try ServerAssets(bundle: .module) }

    /// Reads every asset from `bundle`'s `Resources` folder.
    init(bundle: Bundle) throws {
        func read(_ name: String) throws -> ByteBuffer {
            guard let url = bundle.url(forResource: name, withExtension: nil, subdirectory: "Resources"),
                let data = FileManager.default.contents(atPath: url.path)
            else {
                throw CatalogError(.failed, "catalog's resource bundle is missing Resources/\(name) for the server; rebuild with 'swift build'")
            }
            return ByteBuffer(bytes: data)
        }
        openAPI = try read("openapi.json")
        html = try read("index.html")
        script = try read("app.js")
        style = try read("app.css")
    }
}
