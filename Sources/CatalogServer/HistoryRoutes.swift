import CatalogCore
import CatalogStore
import Foundation
import Hummingbird

/// `/api/v1/history`: the audit log, newest first, as `catalog history` shows it.
struct HistoryRoutes {
    let backend: CatalogBackend

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.get("history") { request, _ in try await history(request) }
    }

    func history(_ request: Request) async throws -> Response {
        let parameters = QueryParameters(request)
        let project = parameters.values.get("project").flatMap { $0.isEmpty ? nil : $0 }
        let limit = try parameters.integer("limit", minimum: 1).map { min($0, 10_000) } ?? 100
        let since = try parameters.values.get("since").map { text in
            guard let date = ISO8601DateFormatter().date(from: text) else {
                throw APIError.badRequest("the 'since' parameter must be an ISO 8601 time such as 2026-01-31T08:00:00Z, not '\(text)'")
            }
            return date
        }
        let entries = try await backend.blocking { catalog in try catalog.history(project: project, since: since, limit: limit) }
        return JSONBody.response(
            .object([
                (
                    "entries",
                    .array(
                        entries.map { entry in
                            .object([
                                ("at", .timestamp(entry.at)), ("actor", .string(entry.actor)), ("replica", .text(entry.replica)),
                                ("action", .string(entry.action)),
                                ("target", .text(entry.target)), ("result", .string(entry.result)), ("detail", .text(entry.detail)),
                            ])
                        })
                )
            ]))
    }
}
