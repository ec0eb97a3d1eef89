import CatalogCore
import Foundation
import Hummingbird

/// `/api/v1/sync`: the plan (a read: `GET /sync/plan`, the JSON of `catalog sync --plan --format json`
/// with the projects that could not be read), and applying it (`POST /sync` with the plan's hash, so
/// only what was reviewed is written; a plan that moved since is 409).
struct SyncRoutes {
    let backend: CatalogBackend

    /// The body `POST /api/v1/sync` takes.
    struct Apply: Decodable {
        var plan: String
        var project: [String]?
        var tag: [String]?
        var definition: [String]?
        var force: Bool?
    }

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.get("sync/plan") { request, _ in try await plan(request) }
        routes.post("sync") { request, context in try await apply(request, context) }
    }

    func plan(_ request: Request) async throws -> Response {
        let parameters = QueryParameters(request)
        let selection = ProjectSelection(names: parameters.all("project"), tags: parameters.all("tag"))
        let definitions = parameters.all("definition")
        let force = try parameters.flag("force")
        let report = try await backend.fanOut { catalog, options in
            try catalog.planSync(selection, definitions: definitions, force: force, options: options)
        }
        return JSONBody.response(
            .object([
                ("hash", .string(report.plan.hash)), ("changes", .array(report.plan.projects.flatMap(SyncJSON.rows))),
                ("failures", .array(report.failures.map { SearchJSON.failure($0, advice: APIAdvice.words(for:)) })),
            ]))
    }

    func apply(_ request: Request, _ context: CatalogRequestContext) async throws -> Response {
        let body = try await request.decode(as: Apply.self, context: context)
        let selection = ProjectSelection(names: body.project ?? [], tags: body.tag ?? [])
        let definitions = body.definition ?? []
        let force = body.force ?? false
        let report: SyncReport
        do {
            // One plan (checked against the reviewed hash) and one apply: each project is visited twice.
            report = try await backend.fanOut { catalog, options in
                try catalog.sync(selection, definitions: definitions, force: force, expectPlan: body.plan, options: options)
            }
        } catch let error as CatalogError where error.code == .planChanged {
            let current = error.facts["current"] ?? "?"
            throw APIError(
                .conflict, code: "plan_changed",
                message: "the plan changed since it was shown (expected \(body.plan), now \(current)); GET /api/v1/sync/plan again and review it")
        }
        let results: [OrderedJSON] = report.results.map { result in
            .object([
                ("project", .string(result.project)), ("status", .string(result.outcome.label)), ("error", .text(result.outcome.reason)),
                ("written", .strings(result.plans.filter { $0.action == .create || $0.action == .update }.map(\.definition))),
            ])
        }
        return JSONBody.response(
            .object([
                ("hash", .string(report.plan.hash)), ("results", .array(results)),
                ("failures", .array(report.failures.map { SearchJSON.failure($0, advice: APIAdvice.words(for:)) })),
            ]))
    }
}
