import CatalogCore
import Foundation
import Hummingbird

/// `/api/v1/projects/{name}/relations…` and `/api/v1/metadata/…`: `catalog describe` (the same JSON
/// as `describe --format json`), `PATCH` on one relation or column (`metadata set`/`unset`; a field
/// given as null is unset), and fleet edits: the plan first, then applying it with its hash, so only
/// what was reviewed is written (a plan that moved is 409).
struct CurationRoutes {
    let backend: CatalogBackend

    /// The body of `POST /api/v1/metadata/plan` and `/apply`.
    struct FleetEdit: Decodable {
        var column: String?
        var table: String?
        var match: String?
        var ignoreCase: Bool?
        var all: Bool?
        var project: [String]?
        var tag: [String]?
        /// Field to new value; null unsets the field.
        var fields: [String: JSONValue]
        var force: Bool?
        /// The reviewed plan's hash (apply only).
        var plan: String?

        enum CodingKeys: String, CodingKey {
            case column, table, match, ignoreCase = "ignore_case", all, project, tag, fields, force, plan
        }
    }

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.get("projects/{name}/relations") { request, context in
            try await describe(context.parameters.require("name"), nil, request)
        }
        routes.get("projects/{name}/relations/{schema}/{table}") { request, context in
            try await describe(context.parameters.require("name"), try Self.relation(context), request)
        }
        routes.patch("projects/{name}/relations/{schema}/{table}") { request, context in
            try await patch(context.parameters.require("name"), try Self.relation(context), request, context)
        }
        routes.patch("projects/{name}/relations/{schema}/{table}/columns/{column}") { request, context in
            var target = try Self.relation(context)
            target.column = try context.parameters.require("column")
            return try await patch(context.parameters.require("name"), target, request, context)
        }
        routes.post("metadata/plan") { request, context in try await fleet(request, context, apply: false) }
        routes.post("metadata/apply") { request, context in try await fleet(request, context, apply: true) }
    }

    static func relation(_ context: CatalogRequestContext) throws -> MetadataTarget {
        MetadataTarget(schema: try context.parameters.require("schema"), table: try context.parameters.require("table"))
    }

    func describe(_ project: String, _ relation: MetadataTarget?, _ request: Request) async throws -> Response {
        let cached = try QueryParameters(request).flag("cached")
        let document = try await backend.fanOut { catalog, options in
            if let relation {
                return DescribeJSON.document(try catalog.describeRelation(project, relation: relation, cached: cached, options: options))
            }
            return DescribeJSON.document(try catalog.describeProject(project, cached: cached, options: options))
        }
        return JSONBody.response(document)
    }

    func patch(_ project: String, _ target: MetadataTarget, _ request: Request, _ context: CatalogRequestContext) async throws -> Response {
        let fields = try await request.decode(as: [String: JSONValue].self, context: context)
        let edit = try MetadataEditRequest.single(
            project: project, target: target, edits: try FieldEdit.validated(patch: fields), action: "metadata set")
        let report = try await backend.fanOut { catalog, options in try catalog.applyMetadataEdit(edit, options: options) }
        return JSONBody.response(CurationJSON.document(report, advice: APIAdvice.words(for:)))
    }

    func fleet(_ request: Request, _ context: CatalogRequestContext, apply: Bool) async throws -> Response {
        let body = try await request.decode(as: FleetEdit.self, context: context)
        let selector: MetadataSelector
        guard let match = MatchMode(rawValue: body.match ?? "exact") else {
            throw APIError(.badRequest, code: "bad_input", message: "'match' is exact, contains, prefix or regex")
        }
        let ignoreCase = body.ignoreCase ?? false
        if let column = body.column {
            selector = .columns(try SearchQuery(.column, name: column, match: match, ignoreCase: ignoreCase), table: body.table)
        } else if let table = body.table {
            selector = .tables(try SearchQuery(.table, name: table, match: match, ignoreCase: ignoreCase))
        } else {
            throw APIError(.badRequest, code: "bad_input", message: "give 'column' or 'table': the name of the columns or relations to edit")
        }
        let selection = ProjectSelection(names: body.project ?? [], all: body.all ?? false, tags: body.tag ?? [], strictTags: true)
        try await backend.requireRegistered(selection.names)
        let edit = try MetadataEditRequest.fleet(
            selection, selector: selector, edits: try FieldEdit.validated(patch: body.fields), force: body.force ?? false, action: "metadata set")
        if apply {
            guard let plan = body.plan else {
                throw APIError(.badRequest, code: "bad_input", message: "give 'plan': the hash POST /api/v1/metadata/plan answered")
            }
            let report = try await backend.fanOut { catalog, options in try catalog.applyMetadataEdit(edit, expectPlan: plan, options: options) }
            return JSONBody.response(CurationJSON.document(report, advice: APIAdvice.words(for:)))
        }
        let report = try await backend.fanOut { catalog, options in try catalog.planMetadataEdit(edit, options: options) }
        return JSONBody.response(CurationJSON.document(report.plan, failures: report.failures, advice: APIAdvice.words(for:)))
    }
}
