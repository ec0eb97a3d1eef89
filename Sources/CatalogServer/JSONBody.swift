import CatalogCore
import Foundation
import Hummingbird

/// Turns JSON values into responses, byte for byte as the CLI prints them (pretty, sorted keys).
enum JSONBody {
    /// A response carrying `value` as JSON.
    static func response(_ value: OrderedJSON, status: HTTPResponse.Status = .ok) -> Response {
        response(text: value.rendered, status: status)
    }

    /// A response carrying `text`, JSON already rendered.
    static func response(text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
