import Hummingbird

/// The typed context every route sees, carrying the body limit in force.
public struct CatalogRequestContext: RequestContext {
    /// Hummingbird's per-request storage (logger, route parameters, endpoint path).
    public var coreContext: CoreRequestContextStorage
    /// The largest body this request may send; set from the configuration by `BodyLimitMiddleware`.
    public var bodyLimit = 64 * 1024

    /// Makes a context for one request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// Hummingbird collects bodies up to this size and answers 413 beyond it.
    public var maxUploadSize: Int { bodyLimit }
}
