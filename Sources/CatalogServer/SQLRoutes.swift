import CatalogCore
import Hummingbird

/// `POST /api/v1/sql`: the CLI's `catalog sql`, read-only, over the federated relations. The
/// answer has the shape of `catalog sql --format json` (`rows` and `failures`).
struct SQLRoutes {
    let backend: CatalogBackend

    /// The body `POST /api/v1/sql` takes.
    struct Question: Decodable {
        var sql: String
        var project: [String]?
        var tag: [String]?
        var cached: Bool?
        var live: Bool?
    }

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.post("sql") { request, context in try await run(request, context) }
    }

    func run(_ request: Request, _ context: CatalogRequestContext) async throws -> Response {
        let question = try await request.decode(as: Question.self, context: context)
        let selection = ProjectSelection(names: question.project ?? [], tags: question.tag ?? [])
        // The statement is checked before projects are resolved: 404 first for an unknown name.
        try await backend.requireRegistered(selection.names)
        let cached = question.cached ?? false
        let backend = backend
        // The statement is stopped once it has run as long as the whole request may take: by
        // then the request has answered 504, and this frees the thread the statement held.
        let sqlTimeout = backend.configuration.queryTimeout
        let result: FederatedSQLResult
        do {
            result = try await backend.withDeadline {
                if cached {
                    return try await backend.blocking { catalog in
                        try catalog.federatedSQL(question.sql, in: selection, cached: true, sqlTimeout: sqlTimeout)
                    }
                }
                return try await backend.fanOut { catalog, options in
                    try catalog.federatedSQL(
                        question.sql, in: selection, cached: false, live: question.live ?? false, options: options, sqlTimeout: sqlTimeout)
                }
            }
        } catch let error as CatalogError {
            throw APIError.badRequest(error.message, code: "invalid_sql")
        }
        if !cached { backend.metrics.recordOutcomes(sources: result.sources, failures: result.failures) }
        return JSONBody.response(SQLJSON.document(result, advice: APIAdvice.words(for:)))
    }
}
