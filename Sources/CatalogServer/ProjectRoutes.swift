import CatalogCore
import CatalogStore
import CatalogSupport
import Foundation
import Hummingbird

/// `/api/v1/projects`: list (optionally checking each live), show, add (on allowed servers only,
/// see `ProjectServerPolicy`) and remove, plus letting go of a project's pooled connections before
/// a restore. DSNs are always shown masked.
struct ProjectRoutes {
    let backend: CatalogBackend

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.get("projects") { request, _ in try await list(request) }
        routes.post("projects") { request, context in try await add(request, context) }
        routes.get("projects/{name}") { _, context in try await show(context.parameters.require("name")) }
        routes.patch("projects/{name}") { request, context in try await update(context.parameters.require("name"), request, context) }
        routes.delete("projects/{name}") { _, context in try await remove(context.parameters.require("name")) }
        routes.post("projects/{name}/release") { request, context in
            try await release(context.parameters.require("name"), request)
        }
    }

    func list(_ request: Request) async throws -> Response {
        let parameters = QueryParameters(request)
        let tags = parameters.all("tag")
        if try parameters.flag("check") {
            _ = try await backend.fanOut { catalog, options -> Int in
                guard try !catalog.listProjects(tags: tags).isEmpty else { return 0 }
                let probes = try catalog.probe(ProjectSelection(all: true, tags: tags), options: options)
                return probes.count
            }
        }
        let projects = try await backend.blocking { catalog in try Self.described(catalog, catalog.listProjects(tags: tags)) }
        return JSONBody.response(.object([("projects", .array(projects))]))
    }

    func show(_ name: String) async throws -> Response {
        let project = try await backend.blocking { catalog in try Self.described(catalog, [catalog.project(named: name)]) }
        return JSONBody.response(project[0])
    }

    /// The body `POST /api/v1/projects` takes: `dsn` registers an existing database; `server` (and no
    /// `dsn`) creates one, as `project create` does.
    struct NewProject: Decodable {
        var name: String
        var dsn: String?
        var tags: [String]?
        var server: String?
        var database: String?
        var owner: String?
        var encoding: String?
        var locale: String?
        var attach: [String]?
        var createTables: Bool?

        enum CodingKeys: String, CodingKey {
            case name, dsn, tags, server, database, owner, encoding, locale, attach
            case createTables = "create_tables"
        }
    }

    func add(_ request: Request, _ context: CatalogRequestContext) async throws -> Response {
        let body = try await request.decode(as: NewProject.self, context: context)
        guard let dsn = body.dsn else {
            guard let server = body.server else { throw APIError.badRequest("give dsn to register a database, or server to create one") }
            return try await LifecycleRoutes(backend: backend).create(body, server: server)
        }
        let exists = try await backend.blocking { catalog in try catalog.listProjects().contains { $0.name == body.name } }
        if exists {
            throw APIError(
                .conflict, code: "conflict",
                message: "project \"\(body.name)\" is already registered; pick another name, or DELETE /api/v1/projects/\(body.name) first")
        }
        // Before anything connects: only servers the operator allowed, never the serve host's own.
        let registered = try await backend.blocking { catalog in try catalog.listProjects().map(\.dsn) }
        try backend.serverPolicy.check(dsn, registered: registered)
        let added: [OrderedJSON]
        do {
            added = try await backend.blocking { catalog in
                try Self.described(catalog, [catalog.addProject(name: body.name, dsn: dsn, tags: body.tags ?? [])])
            }
        } catch let error as CatalogError {
            throw APIError.badRequest(SecretScrubber.scrub(error.message, dsn: dsn))
        }
        return JSONBody.response(added[0], status: .created)
    }

    /// The body `PATCH /api/v1/projects/{name}` takes: tags to add and to remove (a new DSN stays the CLI's).
    struct ProjectTagChange: Decodable {
        var addTags: [String]?
        var removeTags: [String]?

        enum CodingKeys: String, CodingKey {
            case addTags = "add_tags"
            case removeTags = "remove_tags"
        }
    }

    /// Adds and removes a project's tags in one transaction, as `project update --tag/--untag` does; answers the project.
    func update(_ name: String, _ request: Request, _ context: CatalogRequestContext) async throws -> Response {
        let body = try await request.decode(as: ProjectTagChange.self, context: context)
        let changed = try await backend.blocking { catalog in
            let change = try catalog.updateProject(name: name, addTags: body.addTags ?? [], removeTags: body.removeTags ?? [])
            return try Self.described(catalog, [change.after])
        }
        return JSONBody.response(changed[0])
    }

    func remove(_ name: String) async throws -> Response {
        try await backend.blocking { catalog in try catalog.removeProject(named: name) }
        let pool = backend.pool
        await OwnThread.run { pool.release(name) }
        return Response(status: .noContent)
    }

    func release(_ name: String, _ request: Request) async throws -> Response {
        // The library's own lookup: an unknown name is its not-found error, which ErrorMiddleware makes a 404.
        _ = try await backend.blocking { catalog in try catalog.project(named: name) }
        let seconds = try QueryParameters(request).seconds("hold_seconds", maximum: 3600)
        let pool = backend.pool
        await OwnThread.run { pool.release(name, holdFor: seconds) }
        return JSONBody.response(.object([("project", .string(name)), ("released", .bool(true)), ("hold_seconds", .double(seconds))]))
    }

    /// Projects with their index freshness and last backup, read in one go.
    static func described(_ catalog: Catalog, _ projects: [Project]) throws -> [OrderedJSON] {
        let states = try catalog.indexStates()
        let newest = try catalog.newestBackups(of: projects.map(\.name))
        let now = Date()
        return projects.map { project in
            ProjectJSON.object(project, extras: .init(index: states[project.name], lastBackupAt: newest[project.name]), now: now)
        }
    }
}
