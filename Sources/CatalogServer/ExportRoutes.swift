import CatalogCore
import CatalogStore
import Foundation
import Hummingbird

/// `POST /api/v1/projects/{name}/export`: `catalog export` as a download. The bundle is written
/// beside the store (`exports/`, recorded in the store's export history like the CLI's), then
/// streamed from disk in chunks, never held in memory whole. A POST, so a cross-site `<img>` or
/// link cannot start one, and a browser's write must pass the origin check.
struct ExportRoutes {
    let backend: CatalogBackend

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.post("projects/{name}/export") { request, context in try await export(context.parameters.require("name"), request, context) }
    }

    func export(_ name: String, _ request: Request, _ context: CatalogRequestContext) async throws -> Response {
        let metadataOnly = try QueryParameters(request).flag("metadata_only")
        let directory = URL(fileURLWithPath: backend.configuration.store.directory).appendingPathComponent("exports")
        let stamp = Date().formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: false).timeSeparator(.omitted).dateSeparator(.omitted))
        // A random suffix keeps two exports of one project within the same second apart.
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let file = directory.appendingPathComponent("\(name)-\(stamp)-\(suffix)\(metadataOnly ? "-metadata" : "").catalog").path
        let options = ExportOptions(
            metadataOnly: metadataOnly, connectTimeout: Int(backend.configuration.queryTimeout.rounded(.up)),
            catalogVersion: backend.configuration.catalogVersion)
        let record: ExportRecord
        do {
            record = try await backend.blocking { catalog in
                _ = try OutputTarget.directory(directory.path, store: catalog.store.location, flag: "exports directory")
                return try catalog.export(project: name, to: file, options: options).record
            }
        } catch let error as CatalogError where error.code != .notFound {
            // An unknown project is the library's own 404 (ErrorMiddleware); anything else is the export failing.
            context.logger.warning("export failed", metadata: ["project": "\(name)", "error": "\(error.message)"])
            throw APIError(.badGateway, code: "export_failed", message: APIAdvice.message(for: error))
        }
        let body = try await FileIO().loadFile(path: record.file, context: context)
        let download = (record.file as NSString).lastPathComponent
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/zip", .contentDisposition: "attachment; filename=\"\(download)\"",
                .cacheControl: "no-store", HTTPFields.Element.Name("X-Catalog-Bundle-SHA256")!: record.sha256,
            ],
            body: body)
    }
}
