import Hummingbird
import NIOCore

/// `GET /` and its two assets: the web page, served by the server itself from its resource files
/// (no CDN). It needs no credential to load; it shows the sign-in form until the API says the
/// caller is signed in.
struct WebPageRoutes {
    let assets: ServerAssets

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.get("") { _, _ in Self.asset(assets.html, type: "text/html; charset=utf-8") }
        routes.get("assets/app.js") { _, _ in Self.asset(assets.script, type: "text/javascript; charset=utf-8") }
        routes.get("assets/app.css") { _, _ in Self.asset(assets.style, type: "text/css; charset=utf-8") }
    }

    /// The content security policy: only this origin's script, style and API; no framing.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func asset(_ bytes: ByteBuffer, type: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: type, .cacheControl: "no-cache", .contentSecurityPolicy: contentSecurityPolicy,
                .xContentTypeOptions: "nosniff", HTTPFields.Element.Name("Referrer-Policy")!: "no-referrer",
            ],
            body: ResponseBody(byteBuffer: bytes))
    }
}
