import Hummingbird

/// Refuses bodies over the limit with 413: at once when `Content-Length` says so, and while
/// reading (through the context's `maxUploadSize`) when the body is chunked.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = CatalogRequestContext
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.bodyLimit = limit
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw APIError.bodyTooLarge(limit: limit)
        }
        return try await next(request, context)
    }
}
