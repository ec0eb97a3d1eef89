import Hummingbird

/// The cross-site write check: browsers send `Origin` on every non-GET request, so a write from
/// another site's page shows a foreign origin. A page session must always present its origin;
/// scripts with the bearer token usually send none.
enum OriginCheck {
    static func verify(_ request: Request, credential: Credential) throws {
        guard ![.get, .head, .options].contains(request.method) else { return }
        guard let origin = request.headers[.origin] else {
            if case .session = credential { throw APIError.foreignOrigin }
            return
        }
        guard let host = request.head.authority,
            origin == "http://\(host)" || origin == "https://\(host)"
        else {
            throw APIError.foreignOrigin
        }
    }
}

/// The origin check alone, for the sign-in exchange: it needs no credential (it takes the token in
/// its body), but another site's page must not be able to sign a browser in or out.
struct OriginMiddleware: RouterMiddleware {
    typealias Context = CatalogRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try OriginCheck.verify(request, credential: .none)
        return try await next(request, context)
    }
}
