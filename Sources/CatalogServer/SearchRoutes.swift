import CatalogCore
import Foundation
import Hummingbird

/// `GET /api/v1/search/columns` and `/search/tables`: the CLI's `find-column` and `find-table`,
/// in the CLI's JSON shape. Fresh by default: one revision query per server at request time, then
/// the index answers for the projects their server confirms unchanged and the rest are read (each
/// source's `freshness` says which). `live=true` reads every project; `cached=true` only the index.
struct SearchRoutes {
    let backend: CatalogBackend

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.get("search/columns") { request, _ in try await search(.column, request) }
        routes.get("search/tables") { request, _ in try await search(.table, request) }
    }

    func search(_ target: SearchQuery.Target, _ request: Request) async throws -> Response {
        let parameters = QueryParameters(request)
        let name = try parameters.required("name", example: target == .column ? "email" : "users")
        let match: MatchMode = try parameters.choice("match", default: .exact)
        let query: SearchQuery
        do {
            query = try SearchQuery(target, name: name, match: match, ignoreCase: try parameters.flag("ignore_case"))
            if try parameters.flag("cached") { try query.checkCachedEvaluation() }
        } catch let error as CatalogError {
            throw APIError.badRequest(APIAdvice.message(for: error), code: match == .regex ? "invalid_regex" : "bad_request")
        }
        let selection = ProjectSelection(names: parameters.all("project"), tags: parameters.all("tag"))
        let cached = try parameters.flag("cached")
        let live = try parameters.flag("live")
        let result: SearchResult
        if cached {
            result = try await backend.blocking { catalog in try catalog.search(query, in: selection, cached: true) }
        } else {
            result = try await backend.fanOut { catalog, options in
                try catalog.search(query, in: selection, cached: false, live: live, options: options)
            }
            backend.metrics.recordOutcomes(sources: result.sources, failures: result.failures)
        }
        return JSONBody.response(SearchJSON.document(result, target: target, advice: APIAdvice.words(for:)))
    }
}
