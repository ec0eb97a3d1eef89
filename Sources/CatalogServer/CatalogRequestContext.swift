import Hummingbird

/// The typed context every route sees: the body limit in force and how the caller signed in.
public struct CatalogRequestContext: RequestContext {
    /// Hummingbird's per-request storage (logger, route parameters, endpoint path).
    public var coreContext: CoreRequestContextStorage
    /// The largest body this request may send; set from the configuration by `BodyLimitMiddleware`.
    public var bodyLimit = 64 * 1024
    /// How the caller proved who they are; set by `AuthMiddleware` on `/api` routes.
    public var credential: Credential = .none

    /// Makes a context for one request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// Hummingbird collects bodies up to this size and answers 413 beyond it.
    public var maxUploadSize: Int { bodyLimit }
}

/// How a request was authenticated.
public enum Credential: Sendable, Equatable {
    /// Not checked (public routes), or the server runs without a token on loopback.
    case none
    /// `Authorization: Bearer …` matched the server's token.
    case bearer
    /// The web page's session cookie matched a live session.
    case session(String)
}
