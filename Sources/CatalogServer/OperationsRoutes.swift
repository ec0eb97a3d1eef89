import CatalogCore
import Hummingbird

/// The routes that need no credential: `/healthz` for load balancers, `/metrics` for Prometheus,
/// and `/openapi.json` for clients. None of them shows a project's name, DSN or data.
struct OperationsRoutes {
    let backend: CatalogBackend
    let assets: ServerAssets

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.get("healthz") { _, context in try await health(context) }
        routes.get("metrics") { _, _ in await metrics() }
        routes.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: ResponseBody(byteBuffer: assets.openAPI))
        }
    }

    func health(_ context: CatalogRequestContext) async throws -> Response {
        do {
            _ = try await backend.blocking { catalog in try catalog.checkStore() }
        } catch {
            context.logger.error("health check failed", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, code: "unavailable", message: "the store cannot be read; the server's log has the detail")
        }
        return JSONBody.response(.object([("status", .string("ok"))]))
    }

    func metrics() async -> Response {
        let operations = try? await backend.blocking { catalog in try catalog.operationsSnapshot() }
        if let operations { backend.metrics.record(operations) }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: backend.metrics.render())))
    }
}
