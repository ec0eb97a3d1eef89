import Hummingbird

/// Guards `/api`: a request needs the bearer token or a live session cookie, and a write carrying
/// an `Origin` header must come from this server's own page. Without a token (`--insecure-no-auth`,
/// loopback only) no credential is asked for, but the origin check still applies.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = CatalogRequestContext
    let token: String?
    let sessions: SessionStore

    /// The session cookie's name.
    static let cookieName = "catalog_session"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try OriginCheck.verify(request, credential: try authenticate(request))
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
            return .session
        }
        throw APIError.unauthorized
    }
}

/// How a request was authenticated.
enum Credential {
    /// Nothing to check: the server runs with `--insecure-no-auth` (loopback only), or the route is the sign-in.
    case none
    /// `Authorization: Bearer …` matched the server's token.
    case bearer
    /// The web page's session cookie matched a live session.
    case session
}
