import CatalogCore
import Hummingbird

/// `GET /api/v1/projects/{name}/generate/{format}`: the bytes `catalog generate FORMAT --project NAME`
/// prints, as a download. Warnings travel in `X-Catalog-Warnings` (their count); the CLI prints them.
struct GenerateRoutes {
    let backend: CatalogBackend

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.get("projects/{name}/generate/{format}") { request, context in
            try await generate(context.parameters.require("name"), context.parameters.require("format"), request)
        }
    }

    func generate(_ name: String, _ formatName: String, _ request: Request) async throws -> Response {
        guard let format = CodegenFormat(rawValue: formatName) else {
            let formats = CodegenFormat.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError(.badRequest, code: "bad_request", message: "unknown format \"\(formatName)\"; use one of \(formats)")
        }
        let cached = try QueryParameters(request).flag("cached")
        try await backend.requireRegistered([name])
        let output = try await backend.fanOut { catalog, options in
            try catalog.generate(format, project: name, cached: cached, options: options)
        }
        let extensions = [CodegenFormat.graphql: "graphql", .typescript: "ts", .jsonschema: "schema.json", .openapi: "openapi.yaml"]
        return Response(
            status: .ok,
            headers: [
                .contentType: output.mediaType, .contentDisposition: "attachment; filename=\"\(name).\(extensions[format]!)\"",
                .cacheControl: "no-store", HTTPFields.Element.Name("X-Catalog-Warnings")!: String(output.warnings.count),
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: output.text)))
    }
}
