import CatalogCore
import Foundation
import Hummingbird

/// `/api/v1/shared`: the shared definitions, with the projects attached to each and those behind,
/// and one definition (any version) as the definition file's JSON.
struct SharedRoutes {
    let backend: CatalogBackend

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.get("shared") { _, _ in try await list() }
        routes.get("shared/{name}") { request, context in try await show(context.parameters.require("name"), request) }
    }

    func list() async throws -> Response {
        let summaries = try await backend.blocking { catalog in try catalog.listShared() }
        return JSONBody.response(
            .object([
                (
                    "definitions",
                    .array(
                        summaries.map { summary in
                            .object([
                                ("name", .string(summary.name)), ("version", .int(summary.currentVersion)), ("table", .string(summary.table)),
                                ("attached", .strings(summary.attached)), ("behind", .strings(summary.behind)),
                            ])
                        })
                )
            ]))
    }

    func show(_ name: String, _ request: Request) async throws -> Response {
        let version = try QueryParameters(request).integer("version", minimum: 1)
        let history = try await backend.blocking { catalog -> [SharedVersion] in
            guard try catalog.listShared().contains(where: { $0.name == name }) else { return [] }
            return try catalog.sharedHistory(name)
        }
        guard !history.isEmpty else {
            throw APIError(.notFound, code: "not_found", message: "shared definition \"\(name)\" does not exist; GET /api/v1/shared lists them")
        }
        guard let shown = version.map({ wanted in history.first { $0.version == wanted } }) ?? history.last else {
            throw APIError(
                .notFound, code: "not_found",
                message: "shared definition \"\(name)\" has no version \(version ?? 0); it has versions 1 to \(history.count)")
        }
        let definition = try JSONValue(json: DefinitionFile.json(shown.definition))
        return JSONBody.response(
            .object([
                ("name", .string(shown.name)), ("version", .int(shown.version)), ("versions", .int(history.count)),
                ("author", .string(shown.author)), ("note", .text(shown.note)), ("created_at", .timestamp(shown.createdAt)),
                ("definition", OrderedJSON(definition)),
            ]))
    }
}
