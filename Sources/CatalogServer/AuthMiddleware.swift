import CatalogStore
import Hummingbird

/// Guards `/api`: a request needs the bearer token or a live session cookie, and a write carrying
/// an `Origin` header must come from this server's own page. Without a token (`--insecure-no-auth`,
/// loopback only) no credential is asked for, but the origin check still applies.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = CatalogRequestContext
    let token: String?
    /// Who the bearer token is in audit entries.
    let tokenName: String
    let sessions: SessionStore

    /// The session cookie's name.
    static let cookieName = "catalog_session"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let (credential, actor) = try await authenticate(request)
        try OriginCheck.verify(request, credential: credential)
        // Audit entries the request writes name its caller.
        return try await AuditIdentity.$taskActor.withValue(actor) { try await next(request, context) }
    }

    /// How the request is authenticated, and the name its audit entries record.
    private func authenticate(_ request: Request) async throws -> (Credential, String) {
        guard let token else { return (.none, tokenName) }
        if let header = request.headers[.authorization] {
            let prefix = "bearer "
            guard header.lowercased().hasPrefix(prefix), ConstantTime.equals(String(header.dropFirst(prefix.count)), token) else {
                throw APIError.unauthorized
            }
            return (.bearer, tokenName)
        }
        if let session = request.cookies[Self.cookieName]?.value, let name = try await sessions.name(of: session) {
            return (.session, name)
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
