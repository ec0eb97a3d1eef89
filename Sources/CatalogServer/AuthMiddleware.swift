import Hummingbird

/// Guards `/api`: a request needs the bearer token or a live session cookie, and a write carrying
/// an `Origin` header must come from this server's own page. Without a configured token (loopback
/// only) no credential is asked for, but the origin check still applies.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = CatalogRequestContext
    let token: String?
    let sessions: SessionStore

    /// The session cookie's name.
    static let cookieName = "catalog_session"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.credential = try authenticate(request)
        try OriginCheck.verify(request, credential: context.credential)
        return try await next(request, context)
    }

    private func authenticate(_ request: Request) throws -> Credential {
        guard let token else { return .none }
        if let header = request.headers[.authorization] {
            let prefix = "bearer "
            guard header.lowercased().hasPrefix(prefix), ConstantTime.equals(String(header.dropFirst(prefix.count)), token) else {
                throw APIError.unauthorized
            }
            return .bearer
        }
        if let session = request.cookies[Self.cookieName]?.value, sessions.isValid(session) {
            return .session(session)
        }
        throw APIError.unauthorized
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
              origin == "http://\(host)" || origin == "https://\(host)" else {
            throw APIError.foreignOrigin
        }
    }
}
