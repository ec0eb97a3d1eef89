import Foundation
import Hummingbird

/// Turns JSON values into responses, byte for byte as the CLI prints them (pretty, sorted keys).
enum JSONBody {
    /// The encoded text, ending in a newline like the CLI's output.
    static func text(_ value: OrderedJSON) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A response carrying `value` as JSON.
    static func response(_ value: OrderedJSON, status: HTTPResponse.Status = .ok) -> Response {
        let text = text(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
