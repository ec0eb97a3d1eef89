import CatalogCore
import Hummingbird

/// `GET /api/v1/drift`: where `_metadata` and the real tables disagree, and where projects' copies
/// of shared definitions moved; the JSON of `catalog drift --format json`.
struct DriftRoutes {
    let backend: CatalogBackend

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.get("drift") { request, _ in try await drift(request) }
    }

    func drift(_ request: Request) async throws -> Response {
        let parameters = QueryParameters(request)
        let selection = ProjectSelection(names: parameters.all("project"), tags: parameters.all("tag"))
        let report = try await backend.fanOut { catalog, options in try catalog.drift(selection, options: options) }
        backend.metrics.recordOutcomes(sources: [], failures: report.failures)
        return JSONBody.response(DriftJSON.document(report, advice: APIAdvice.words(for:)))
    }
}
