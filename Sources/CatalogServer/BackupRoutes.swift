import CatalogCore
import CatalogStore
import Foundation
import Hummingbird

/// `/api/v1/backups`: list backups (newest first, with the projects gone too long without one),
/// and take new ones with `pg_dump -Fc` into the store's backup directory.
struct BackupRoutes {
    let backend: CatalogBackend

    /// The body `POST /api/v1/backups` takes: project names, or every project (optionally by tag).
    struct Request: Decodable {
        var projects: [String]?
        var all: Bool?
        var tag: [String]?
    }

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.get("backups") { request, _ in try await list(request) }
        routes.post("backups") { request, context in try await create(request, context) }
    }

    func list(_ request: Hummingbird.Request) async throws -> Response {
        let names = QueryParameters(request).all("project")
        let now = Date()
        let listing = try await backend.blocking { catalog in try catalog.listBackups(projects: names, now: now) }
        return JSONBody.response(
            .object([
                ("backups", .array(listing.backups.map { Self.backup($0, stale: listing.isStale($0)) })),
                (
                    "stale",
                    .array(listing.stale.map { .object([("project", .string($0.project)), ("last_backup_at", .timestamp($0.lastBackupAt))]) })
                ),
            ]))
    }

    func create(_ request: Hummingbird.Request, _ context: CatalogRequestContext) async throws -> Response {
        let body = try await request.decode(as: Request.self, context: context)
        let names = body.projects ?? []
        let all = body.all ?? false
        let tags = body.tag ?? []
        guard all || !names.isEmpty || !tags.isEmpty else {
            throw APIError.badRequest("name the projects to back up (\"projects\": [...]), or pass \"all\": true or \"tag\": [...]")
        }
        guard !(all && !names.isEmpty) else { throw APIError.badRequest("name projects or pass \"all\": true, not both") }
        guard !(names + tags).contains(where: \.isEmpty) else { throw APIError.badRequest("project names and tags are not empty strings") }
        let options = BackupOptions(
            concurrency: 2, connectTimeout: Int(backend.configuration.queryTimeout.rounded(.up)),
            catalogVersion: backend.configuration.catalogVersion)
        let results = try await backend.blocking { catalog in
            try catalog.createBackups(ProjectSelection(names: names, all: all, tags: tags), options: options)
        }
        let rows: [OrderedJSON] = results.map { result in
            .object([
                ("project", .string(result.project)), ("result", .string(result.outcome.label)),
                ("backup", result.backup.map { Self.backup($0, stale: false) } ?? .null), ("error", .text(result.outcome.reason)),
            ])
        }
        let status: HTTPResponse.Status = results.allSatisfy(\.outcome.isOK) ? .created : .init(code: 207, reasonPhrase: "Multi-Status")
        return JSONBody.response(.object([("results", .array(rows))]), status: status)
    }

    static func backup(_ backup: BackupRecord, stale: Bool) -> OrderedJSON {
        .object([
            ("id", backup.id.map { .int(Int($0)) } ?? .null), ("project", .string(backup.project)),
            ("created_at", .timestamp(backup.createdAt)), ("size_bytes", .int(Int(backup.sizeBytes))),
            ("seconds", .double(backup.durationSeconds)), ("sha256", .string(backup.sha256)), ("file", .string(backup.file)),
            ("verified", .string(backup.verifiedOK.map { $0 ? "ok" : "failed" } ?? "never")), ("stale", .bool(stale)),
        ])
    }
}
