import CatalogCore
import Foundation
import Hummingbird

/// `POST /api/v1/projects` with `server` (create) and `POST /api/v1/projects/{name}/clone`: the same
/// planners and executors as `project create` and `project clone`, on servers `--allow-hosts` allows only.
/// Both destroy nothing, so they act at once, as the CLI does without `--plan`.
struct LifecycleRoutes {
    let backend: CatalogBackend

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.post("projects/{name}/clone") { request, context in
            try await clone(context.parameters.require("name"), request, context)
        }
    }

    /// Creates a database on `server` and registers it; answers 201 with the project.
    func create(_ body: ProjectRoutes.NewProject, server: String) async throws -> Response {
        try await checkServer(server)
        let request = CreateRequest(
            name: body.name, serverDSN: server, database: body.database, owner: body.owner, encoding: body.encoding, locale: body.locale,
            attach: body.attach ?? [], createTables: body.createTables ?? false, tags: body.tags ?? [])
        let created = try await scrubbed(server) {
            try await backend.blocking { catalog in
                let plan = try catalog.planCreate(request)
                _ = try catalog.create(plan, request: request)
                return try ProjectRoutes.described(catalog, [catalog.project(named: plan.project)])
            }
        }
        return JSONBody.response(created[0], status: .created)
    }

    /// The body `POST /api/v1/projects/{name}/clone` takes.
    struct NewClone: Decodable {
        var name: String
        var server: String?
        var database: String?
        var schemaOnly: Bool?
        var snapshot: Bool?
        var tags: [String]?

        enum CodingKeys: String, CodingKey {
            case name, server, database, snapshot, tags
            case schemaOnly = "schema_only"
        }
    }

    func clone(_ source: String, _ request: Request, _ context: CatalogRequestContext) async throws -> Response {
        let body = try await request.decode(as: NewClone.self, context: context)
        try await backend.requireRegistered([source])
        if let server = body.server { try await checkServer(server) }
        let cloneRequest = CloneRequest(
            source: source, name: body.name, serverDSN: body.server, database: body.database, schemaOnly: body.schemaOnly ?? false,
            snapshot: body.snapshot ?? false, tags: body.tags ?? [])
        let cloned = try await scrubbed(body.server) {
            try await backend.blocking { catalog in
                let plan = try catalog.planClone(cloneRequest)
                _ = try catalog.clone(plan, request: cloneRequest)
                return try ProjectRoutes.described(catalog, [catalog.project(named: plan.project)])
            }
        }
        return JSONBody.response(cloned[0], status: .created)
    }

    /// Only servers the operator allowed (`--allow-hosts`, or one that already holds a project), before anything connects.
    private func checkServer(_ server: String) async throws {
        let registered = try await backend.blocking { catalog in try catalog.listProjects().map(\.dsn) }
        try backend.serverPolicy.check(server, registered: registered)
    }

    /// Errors keep their code and remedy, with anything of `dsn` that could be secret removed.
    private func scrubbed<T>(_ dsn: String?, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as CatalogError {
            guard let dsn else { throw error }
            throw CatalogError(error.code, SecretScrubber.scrub(error.message, dsn: dsn), facts: error.facts, remedy: error.remedy)
        }
    }
}
