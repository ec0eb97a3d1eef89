import Foundation
import Hummingbird
import Logging

/// Logs one structured record per request and feeds the request metrics. It logs the route
/// pattern and path only, never the query string, headers or body, so tokens and cookies stay out.
struct RequestObserverMiddleware: RouterMiddleware {
    typealias Context = CatalogRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let route = context.endpointPath ?? "NotFound"
        metrics.recordRequest(method: request.method.rawValue, route: route, status: response.status.code, seconds: seconds)
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)",
                "path": "\(request.uri.path)",
                "route": "\(route)",
                "status": "\(response.status.code)",
                "ms": "\(String(format: "%.1f", seconds * 1000))",
            ])
        return response
    }
}
