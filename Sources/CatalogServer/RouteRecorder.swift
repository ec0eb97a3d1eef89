import Hummingbird
import Synchronization

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

    /// Orders by path, then method, for stable listings.
    public static func < (lhs: APIRoute, rhs: APIRoute) -> Bool { (lhs.path, lhs.method) < (rhs.path, rhs.method) }

    /// `GET /healthz`.
    public var description: String { "\(method) \(path)" }
}

/// Registers handlers on a router group and records each route, so a test can hold the routes
/// actually served against `/openapi.json`.
struct RouteRecorder {
    typealias Handler = @Sendable (Request, CatalogRequestContext) async throws -> Response
    let group: RouterGroup<CatalogRequestContext>
    let prefix: String
    let table: RouteTable

    func get(_ path: String, _ handler: @escaping Handler) { add(.get, path, handler) }
    func post(_ path: String, _ handler: @escaping Handler) { add(.post, path, handler) }
    func delete(_ path: String, _ handler: @escaping Handler) { add(.delete, path, handler) }

    private func add(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        let full = [prefix, path].filter { !$0.isEmpty }.joined(separator: "/")
        table.record(APIRoute(method: method.rawValue, path: "/" + full))
        group.on(RouterPath(path), method: method, use: handler)
    }
}

/// The routes recorded while the router was built.
final class RouteTable: Sendable {
    private let routes = Mutex<[APIRoute]>([])

    func record(_ route: APIRoute) { routes.withLock { $0.append(route) } }

    var all: [APIRoute] { routes.withLock { $0.sorted() } }

    /// The methods served on a concrete path such as `/api/v1/projects/billing`, for 405's `Allow`.
    func methods(matching path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return all.filter { route in
            let template = route.path.split(separator: "/", omittingEmptySubsequences: true)
            return template.count == segments.count
                && zip(template, segments).allSatisfy { pattern, segment in pattern.hasPrefix("{") || pattern == segment }
        }.map(\.method)
    }
}
