import CatalogCore
import Foundation
import Hummingbird

/// An error the API answers with: an HTTP status and `{"error": {"code", "message"}}`.
///
/// The message is written for the person calling the API and never carries a secret; the detail
/// that helps an operator goes to the log instead.
struct APIError: Error, HTTPResponseError, Sendable, Equatable {
    /// The HTTP status.
    var status: HTTPResponse.Status
    /// A stable, machine-readable code such as `not_found` or `invalid_regex`.
    var code: String
    /// One sentence saying what went wrong and what to do next.
    var message: String
    /// Extra response headers, such as `WWW-Authenticate` on a 401.
    var headers: HTTPFields

    /// An error with a status, a code and a message.
    init(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// The JSON error body.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONBody.response(Self.body(code: code, message: message), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    /// `{"error": {"code": …, "message": …}}`.
    static func body(code: String, message: String) -> OrderedJSON {
        .object([("error", .object([("code", .string(code)), ("message", .string(message))]))])
    }
}

extension APIError {
    /// 401: no credential, or a wrong one. Says nothing about which.
    static let unauthorized = APIError(
        .unauthorized, code: "unauthorized",
        message:
            "this request needs a credential: send 'Authorization: Bearer TOKEN' with the token from the server's --token-file, or sign in on the web page",
        headers: [.wwwAuthenticate: "Bearer realm=\"catalog\""])

    /// 404 for a project that is not registered.
    static func unknownProject(_ name: String) -> APIError {
        APIError(.notFound, code: "not_found", message: "project \"\(name)\" is not registered; GET /api/v1/projects lists the registered ones")
    }

    /// 400 for a malformed or missing parameter.
    static func badRequest(_ message: String, code: String = "bad_request") -> APIError {
        APIError(.badRequest, code: code, message: message)
    }

    /// 413 for a body over the limit.
    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "body_too_large", message: "the request body is larger than this server accepts (\(limit) bytes)")
    }

    /// 403 for a write from another site's page.
    static let foreignOrigin = APIError(
        .forbidden, code: "forbidden_origin",
        message: "this write came from a page on another origin; use the catalog web page itself, or call the API without an Origin header")
}
