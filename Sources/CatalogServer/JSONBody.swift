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
        response(buffer: ByteBuffer(string: text), status: status)
    }

    /// A response carrying JSON already rendered as bytes.
    static func response(bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        response(buffer: ByteBuffer(bytes: bytes), status: status)
    }

    private static func response(buffer: ByteBuffer, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: buffer))
    }
}
