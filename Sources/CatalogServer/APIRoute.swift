import Hummingbird

/// One route the server answers, as OpenAPI names it: a method and a path template such as
/// `/api/v1/projects/{name}`.
public struct APIRoute: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The HTTP method, upper-case.
    public var method: String
    /// The path template, with `{parameter}` captures.
    public var path: String

    /// A route from its method and path template.
    public init(method: String, path: String) {
        self.method = method
        self.path = path
    }

    /// A route as Hummingbird's `router.routes` lists it; its path prints captures as `{name}`.
    init<Context>(_ route: Router<Context>.RouteDescription) {
        self.init(method: route.method.rawValue, path: route.path.description)
    }

    /// Orders by path, then method, for stable listings.
    public static func < (lhs: APIRoute, rhs: APIRoute) -> Bool { (lhs.path, lhs.method) < (rhs.path, rhs.method) }

    /// `GET /healthz`.
    public var description: String { "\(method) \(path)" }
}
