import Hummingbird
import Synchronization

/// Every route the router serves, read from Hummingbird's `router.routes` once all are registered.
/// `ErrorMiddleware` is added before the routes, so that it wraps them all, and asks this table
/// for the methods a path takes when it answers 405.
final class RouteTable: Sendable {
    private let routes = Mutex<[APIRoute]>([])

    /// Takes the routes `router` serves; called once, after the last route is registered.
    func load<Context>(from router: Router<Context>) {
        let served = router.routes.map { APIRoute($0) }.sorted()
        routes.withLock { $0 = served }
    }

    var all: [APIRoute] { routes.withLock { $0 } }

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
