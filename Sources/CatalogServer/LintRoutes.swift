import CatalogCore
import Hummingbird

/// `GET /api/v1/lint`: where projects disagree, read from the index (no database is contacted),
/// with the default rules; the JSON of `catalog lint --format json`.
struct LintRoutes {
    let backend: CatalogBackend

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.get("lint") { request, _ in try await lint(request) }
    }

    func lint(_ request: Request) async throws -> Response {
        let parameters = QueryParameters(request)
        let selection = ProjectSelection(names: parameters.all("project"), tags: parameters.all("tag"), strictTags: true)
        let report = try await backend.blocking { catalog in try catalog.lint(LintRequest(selection: selection)) }
        return JSONBody.response(LintJSON.document(report, advice: APIAdvice.words(for:)))
    }
}
