import CatalogCore
import CatalogStore
import CatalogSupport
import Foundation
import Hummingbird

/// `POST /api/v1/projects` with `server` (create), and `POST /api/v1/projects/{name}/clone`, `…/rename`,
/// `…/archive` and `…/unarchive`: the same planners and executors as the `project` commands, on servers
/// `--allow-hosts` allows only. Clone, rename and unarchive destroy nothing, so they act at once, as the
/// CLI does without `--plan` (`plan_only` answers the steps alone). Archive drops a database: without
/// `plan` it answers the steps and their hash; with the hash it was shown it acts, and a plan that moved
/// since is 409, as sync does.
struct LifecycleRoutes {
    let backend: CatalogBackend

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.post("projects/{name}/clone") { request, context in
            try await clone(context.parameters.require("name"), request, context)
        }
        routes.post("projects/{name}/rename") { request, context in
            try await rename(context.parameters.require("name"), request, context)
        }
        routes.post("projects/{name}/archive") { request, context in
            try await archive(context.parameters.require("name"), request, context)
        }
        routes.post("projects/{name}/unarchive") { request, context in
            try await unarchive(context.parameters.require("name"), request, context)
        }
        routes.get("archived") { _, _ in try await archived() }
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
        var planOnly: Bool?

        enum CodingKeys: String, CodingKey {
            case name, server, database, snapshot, tags
            case schemaOnly = "schema_only"
            case planOnly = "plan_only"
        }
    }

    /// The body `POST /api/v1/projects/{name}/rename` takes.
    struct Rename: Decodable {
        var name: String
        var database: Bool?
        var terminateConnections: Bool?
        var planOnly: Bool?

        enum CodingKeys: String, CodingKey {
            case name, database
            case terminateConnections = "terminate_connections"
            case planOnly = "plan_only"
        }
    }

    /// The body `POST /api/v1/projects/{name}/archive` takes: the hash of the plan that was reviewed.
    struct Archive: Decodable {
        var plan: String?
    }

    /// The body `POST /api/v1/projects/{name}/unarchive` takes.
    struct Unarchive: Decodable {
        var server: String?
        var planOnly: Bool?

        enum CodingKeys: String, CodingKey {
            case server
            case planOnly = "plan_only"
        }
    }

    /// What the lifecycle routes other than create and clone answer: the plan's steps, whether it was
    /// carried out, and what it made.
    static func answer(steps: [String], done: Bool, extras: [(String, OrderedJSON)] = []) -> Response {
        JSONBody.response(.object([("steps", .strings(steps)), ("done", .bool(done))] + extras))
    }

    func clone(_ source: String, _ request: Request, _ context: CatalogRequestContext) async throws -> Response {
        let body = try await request.decode(as: NewClone.self, context: context)
        try await backend.requireRegistered([source])
        if let server = body.server { try await checkServer(server) }
        let cloneRequest = CloneRequest(
            source: source, name: body.name, serverDSN: body.server, database: body.database, schemaOnly: body.schemaOnly ?? false,
            snapshot: body.snapshot ?? false, tags: body.tags ?? [])
        let planOnly = body.planOnly ?? false
        let (steps, cloned) = try await scrubbed(body.server) {
            try await backend.blocking { catalog in
                let plan = try catalog.planClone(cloneRequest)
                if planOnly { return (plan.steps, [OrderedJSON]()) }
                _ = try catalog.clone(plan, request: cloneRequest)
                return (plan.steps, try ProjectRoutes.described(catalog, [catalog.project(named: plan.project)]))
            }
        }
        guard let project = cloned.first else { return Self.answer(steps: steps, done: false) }
        return JSONBody.response(project, status: .created)
    }

    /// Renames the registry entry and, with `database`, the database (`terminate_connections` ends other
    /// sessions on it first); answers the steps and the renamed project.
    func rename(_ name: String, _ request: Request, _ context: CatalogRequestContext) async throws -> Response {
        let body = try await request.decode(as: Rename.self, context: context)
        try await backend.requireRegistered([name])
        if body.terminateConnections == true && body.database != true {
            throw APIError.badRequest("terminate_connections ends sessions on the database; it needs \"database\": true")
        }
        let planOnly = body.planOnly ?? false
        if !planOnly && body.database == true { await letGo(name, holdFor: 30) }
        let (steps, renamed) = try await backend.blocking { catalog in
            let plan = try catalog.planRename(
                name, to: body.name, renameDatabase: body.database ?? false, terminateConnections: body.terminateConnections ?? false)
            if planOnly { return (plan.steps, [OrderedJSON]()) }
            return (plan.steps, try ProjectRoutes.described(catalog, [catalog.rename(plan)]))
        }
        return Self.answer(steps: steps, done: !renamed.isEmpty, extras: renamed.first.map { [("project", $0)] } ?? [])
    }

    /// Without `plan`: the archive's steps and hash, changing nothing. With the hash that was shown: a verified
    /// backup, the drop, and the project marked archived; a plan that moved since is 409.
    func archive(_ name: String, _ request: Request, _ context: CatalogRequestContext) async throws -> Response {
        let body = try await request.decode(as: Archive.self, context: context)
        try await backend.requireRegistered([name])
        if body.plan != nil { await letGo(name, holdFor: 600) }
        do {
            let (steps, hash, backup) = try await backend.blocking { catalog -> ([String], String, BackupRecord?) in
                let plan = try catalog.planArchive(name)
                guard let expected = body.plan else { return (plan.steps, plan.hash, nil) }
                return (plan.steps, plan.hash, try catalog.archive(plan, expectPlan: expected))
            }
            let made: [(String, OrderedJSON)] = backup.map { [("backup_id", .number($0.id.map { Int($0) })), ("sha256", .string($0.sha256))] } ?? []
            return Self.answer(steps: steps, done: backup != nil, extras: [("hash", .string(hash))] + made)
        } catch let error as CatalogError where error.code == .planChanged {
            throw APIError(
                .conflict, code: "plan_changed",
                message:
                    "the plan changed since it was shown (expected \(body.plan ?? "-"), now \(error.facts["current"] ?? "?")); POST again without plan and review it"
            )
        }
    }

    /// Restores an archived project's database from its archive backup (on its server, or `server` if
    /// `--allow-hosts` allows it) and registers it again; answers the steps and the project.
    func unarchive(_ name: String, _ request: Request, _ context: CatalogRequestContext) async throws -> Response {
        let body = try await request.decode(as: Unarchive.self, context: context)
        if let server = body.server { try await checkServer(server) }
        let planOnly = body.planOnly ?? false
        let (steps, restored) = try await scrubbed(body.server) {
            try await backend.blocking { catalog in
                let plan = try catalog.planUnarchive(name, serverDSN: body.server)
                if planOnly { return (plan.steps, [OrderedJSON]()) }
                try catalog.unarchive(plan, serverDSN: body.server)
                return (plan.steps, try ProjectRoutes.described(catalog, [catalog.project(named: name)]))
            }
        }
        return Self.answer(steps: steps, done: !restored.isEmpty, extras: restored.first.map { [("project", $0)] } ?? [])
    }

    /// The archived projects, with their archive backups (`catalog project list --archived`).
    func archived() async throws -> Response {
        let projects = try await backend.blocking { catalog in try catalog.archivedProjects() }
        let rows: [OrderedJSON] = projects.map { project in
            .object([
                ("name", .string(project.name)), ("archived_at", .timestamp(project.archivedAt)),
                ("backup_id", .number(project.backupID.map { Int($0) })), ("sha256", .string(project.sha256)),
                ("database", .string(project.database)), ("server", .string(project.server)),
            ])
        }
        return JSONBody.response(.object([("archived", .array(rows))]))
    }

    /// Closes the warm pool's connections to `name` and keeps it from connecting again for `seconds`, so
    /// the database it is about to rename or drop has no sessions of this server's own.
    private func letGo(_ name: String, holdFor seconds: Double) async {
        let pool = backend.pool
        await OwnThread.run { pool.release(name, holdFor: seconds) }
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
