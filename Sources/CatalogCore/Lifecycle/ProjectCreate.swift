import CatalogStore
import Foundation
import PostgresClient

extension Catalog {
    /// Reads the registry and the server and plans `project create`; changes nothing.
    public func planCreate(_ request: CreateRequest, options: LifecycleOptions = LifecycleOptions(), now: Date = Date()) throws -> CreatePlan {
        let connection = try CreatePlanner.serverConnection(request.serverDSN)
        let registered = try wrapped { try store.project(named: request.name) } != nil
        let archived = try wrapped { try store.archivedSharedNames() }
        var definitions: [String: SharedVersion] = [:]
        for name in Set(request.attach) where !archived.contains(name) {
            if let latest = try wrapped({ try store.sharedVersions(named: name) }).last {
                definitions[name] = try Self.sharedVersion(latest)
            }
        }
        let types = request.createTables ? Set(definitions.values.flatMap { $0.definition.columns.map(\.type) }) : []
        let maintenance: Connection
        do {
            maintenance = try BackupMaintenanceConnection.open(connection, connectTimeout: options.connectTimeout)
        } catch {
            let facts = CreateFacts(nameTaken: registered, definitions: definitions, server: .unreachable(CatalogError.wrap(error).message))
            return try CreatePlanner.plan(request, facts: facts, token: UUID().uuidString.lowercased(), now: now, quoting: .plain)
        }
        let server = try wrapped { try CreateFacts.readServer(on: maintenance, types: types) }
        let facts = CreateFacts(nameTaken: registered, definitions: definitions, server: .reachable(server))
        return try CreatePlanner.plan(
            request, facts: facts, token: UUID().uuidString.lowercased(), now: now, quoting: RestorePlan.Quoting(maintenance))
    }

    /// Carries out a create plan (see `LifecycleRun`): the new database gets `_metadata`, then the tables
    /// and the synced mappings, and the project is registered with its attachments in one store transaction.
    public func create(_ plan: CreatePlan, request: CreateRequest, options: LifecycleOptions = LifecycleOptions()) throws -> CreateResult {
        let start = ContinuousClock.now
        let connection = try CreatePlanner.serverConnection(request.serverDSN)
        let report = try carryOut(
            plan.run, on: connection, connectTimeout: options.connectTimeout,
            fill: { target in try Self.fill(plan, target: target, timeout: options.timeout) },
            register: {
                var project = Project(name: plan.project, dsn: connection.replacing("dbname", with: plan.database).raw, tags: plan.tags)
                project.metadataVersion = MetadataSchema.latestVersion
                let attached = plan.syncPlans.map { "\($0.definition)@\($0.toVersion)" }.joined(separator: ", ")
                try store.registerMade(
                    project, attachments: plan.syncPlans.map { CreatedAttachment(definition: $0.definition, syncedVersion: $0.toVersion) },
                    token: plan.token, clonedFrom: nil, clonedRevision: nil,
                    audit: AuditEntry(
                        action: "project.create", target: plan.project, result: "ok",
                        detail: "database \(plan.database) on \(plan.server)" + (attached.isEmpty ? "" : "; attached \(attached)")))
            })
        return CreateResult(
            plan: plan, lockWaitSeconds: report.lockWaitSeconds, seconds: (ContinuousClock.now - start).seconds, cleanedUp: report.cleanedUp)
    }

    /// `_metadata`, then the tables and the synced mappings in one transaction, in the new database; the
    /// connection is closed on return, so the rename finds no session on it.
    static func fill(_ plan: CreatePlan, target: ConnectionString, timeout: Double) throws {
        let outcome = BoundedWorkers.map([plan], concurrency: 1, timeout: timeout) { plan, conversation -> ProjectOutcome in
            do {
                let connection = try conversation.connect(target)
                _ = try MetadataSchema.install(MetadataSchema.migrations, on: connection, project: plan.project)
                guard !plan.tableStatements.isEmpty || !plan.syncPlans.isEmpty else { return .ok }
                try connection.transaction {
                    for statement in plan.tableStatements { try connection.execute(script: statement) }
                    try connection.query("SELECT pg_advisory_xact_lock($1)", [MetadataSchema.advisoryLockKey])
                    for (syncPlan, definition) in zip(plan.syncPlans, plan.definitions) {
                        try ProjectMappings.apply(syncPlan, theirs: definition, ours: nil, on: connection)
                    }
                }
                return .ok
            } catch {
                return conversation.outcome(for: error, project: plan.project)
            }
        }[0]
        switch outcome {
        case .ok: return
        case .timedOut: throw CatalogError(.timedOut, outcome.message ?? "timed out", remedy: outcome.remedy)
        default: throw CatalogError(.failed, outcome.message ?? "failed", remedy: outcome.remedy)
        }
    }
}

extension RestorePlan.Quoting {
    /// Standard SQL quoting, for plans made without a connection (they are refused before it is used
    /// for anything the server runs).
    static var plain: RestorePlan.Quoting {
        RestorePlan.Quoting(
            identifier: { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" },
            literal: { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" })
    }
}
