import Foundation
import Hummingbird

/// `POST /api/v1/session` exchanges the token for the web page's session cookie (HttpOnly,
/// SameSite=Strict, so scripts cannot read it and other sites cannot send it);
/// `DELETE /api/v1/session` signs out.
struct SessionRoutes {
    let backend: CatalogBackend

    /// The body `POST /api/v1/session` takes.
    struct SignIn: Decodable {
        var token: String
        /// Who signs in, for the audit entries the session's changes write; the token's name when left out.
        var name: String?
    }

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.post("session") { request, context in try await signIn(request, context) }
        routes.delete("session") { request, _ in try await signOut(request) }
    }

    func signIn(_ request: Request, _ context: CatalogRequestContext) async throws -> Response {
        let body = try await request.decode(as: SignIn.self, context: context)
        if let token = backend.configuration.token, !ConstantTime.equals(body.token, token) {
            context.logger.notice("sign-in refused")
            throw APIError.unauthorized
        }
        let name = body.name?.trimmingCharacters(in: .whitespaces) ?? ""
        guard name.count <= 100, !name.contains(where: \.isNewline) else {
            throw APIError.badRequest("the 'name' field must be one line of at most 100 characters")
        }
        let session = try await backend.sessions.open(name: name.isEmpty ? backend.configuration.tokenName : name)
        var response = JSONBody.response(.object([("signed_in", .bool(true))]))
        response.setCookie(
            Cookie(
                name: AuthMiddleware.cookieName, value: session, maxAge: backend.sessions.maxAge,
                path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    func signOut(_ request: Request) async throws -> Response {
        if let session = request.cookies[AuthMiddleware.cookieName]?.value { try await backend.sessions.close(session) }
        var response = Response(status: .noContent)
        response.setCookie(Cookie(name: AuthMiddleware.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }
}
