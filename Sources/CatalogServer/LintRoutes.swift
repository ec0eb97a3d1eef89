import CatalogCore
import Hummingbird

/// `GET /api/v1/lint`: where projects disagree, the JSON of `catalog lint --format json`. It reads
/// the index (no database is contacted) unless `live=true` refreshes it first through the fan-out.
/// The config is the one `catalog serve --lint-config` read at start; a request never names a file.
struct LintRoutes {
    let backend: CatalogBackend
    let config: LintConfig

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.get("lint") { request, _ in try await lint(request) }
    }

    func lint(_ request: Request) async throws -> Response {
        let parameters = QueryParameters(request)
        let selection = ProjectSelection(names: parameters.all("project"), tags: parameters.all("tag"), strictTags: true)
        let live = try parameters.flag("live")
        // Checked before anything is read: an unknown rule or severity is a 422 naming what exists.
        let minimum = try parameters.values.get("min_severity").map { try LintSeverity.named($0, what: "min_severity") }
        let rules = parameters.all("rule")
        for rule in rules { _ = try LintRule.named(rule) }
        let lintRequest = LintRequest(selection: selection, config: config, rules: rules, minimumSeverity: minimum, live: live)
        let report: LintReport
        if live {
            report = try await backend.fanOut { catalog, options in
                var request = lintRequest
                request.options = options
                return try catalog.lint(request)
            }
            backend.metrics.recordOutcomes(sources: report.sources, failures: report.failures)
        } else {
            report = try await backend.blocking { catalog in try catalog.lint(lintRequest) }
        }
        return JSONBody.response(LintJSON.document(report, advice: APIAdvice.words(for:)))
    }
}
