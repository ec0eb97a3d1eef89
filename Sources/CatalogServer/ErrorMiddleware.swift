import CatalogCore
import CatalogStore
import Hummingbird
import Logging

/// Turns every error into `{"error": {"code", "message"}}` with the right status, so clients never
/// see Hummingbird's own error format or an empty 500. The log keeps the detail.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = CatalogRequestContext
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let allowed = error.status == .notFound ? routes.methods(matching: request.uri.path) : []
            if !allowed.isEmpty {
                return try APIError(
                    .methodNotAllowed, code: "method_not_allowed",
                    message: "\(request.uri.path) does not take \(request.method.rawValue); it takes \(allowed.joined(separator: ", "))",
                    headers: [.allow: allowed.joined(separator: ", ")]
                ).response(from: request, context: context)
            }
            return try Self.translate(error, limit: context.bodyLimit).response(from: request, context: context)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            // NIO's "too many bytes" from collecting a chunked body past the context's limit.
            return try APIError.bodyTooLarge(limit: context.bodyLimit).response(from: request, context: context)
        } catch let error as CatalogError where error.remedy == .store(.retryWhenStoreIsBack) {
            return try Self.registryUnavailable(error, context: context).response(from: request, context: context)
        } catch let error as StoreError where error.remedy == .retryWhenStoreIsBack {
            return try Self.registryUnavailable(CatalogError.wrap(error), context: context).response(from: request, context: context)
        } catch let error as CatalogError {
            let status = Self.status(for: error.code)
            if status.code >= 500 { context.logger.error("request failed", metadata: ["error": "\(error.message)"]) }
            return try APIError(
                status, code: status == .internalServerError ? "internal" : error.code.rawValue, message: APIAdvice.message(for: error)
            )
            .response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return try APIError(.internalServerError, code: "internal", message: "the server could not answer; its log has the detail")
                .response(from: request, context: context)
        }
    }

    /// The answer while the registry cannot be reached: 503 with one line, and the detail in the log.
    static func registryUnavailable(_ error: CatalogError, context: Context) -> APIError {
        context.logger.warning("the registry is unreachable", metadata: ["error": "\(error.message)"])
        return APIError(.serviceUnavailable, code: "registry_unavailable", message: APIAdvice.registryUnavailable)
    }

    /// The status for a library error's code: an ordinary refusal is never a 500.
    static func status(for code: CatalogError.Code) -> HTTPResponse.Status {
        switch code {
        case .notFound: .notFound
        case .alreadyExists, .conflict, .planChanged: .conflict
        case .refused, .badInput: .unprocessableContent
        case .unreachable, .timedOut: .serviceUnavailable
        case .failed: .internalServerError
        }
    }

    /// Hummingbird's own errors (unknown route, body too large, bad method) in the API's format.
    static func translate(_ error: HTTPError, limit: Int) -> APIError {
        switch error.status {
        case .notFound:
            return APIError(.notFound, code: "not_found", message: "no such route; GET /openapi.json lists them", headers: error.headers)
        case .contentTooLarge:
            return .bodyTooLarge(limit: limit)
        default:
            let message = error.body ?? error.status.reasonPhrase
            let code = error.status.code < 500 ? "bad_request" : "internal"
            return APIError(error.status, code: code, message: message, headers: error.headers)
        }
    }
}
