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
        return try CreatePlanner.plan(request, facts: facts, token: UUID().uuidString.lowercased(), now: now, quoting: RestorePlan.Quoting(maintenance))
    }

    /// Carries out a create plan. Under the server's create lock it drops what killed creates left, checks
    /// the names again, records the create and runs `CREATE DATABASE`; then it fills the new database
    /// (bounded by `--timeout`), renames it under the lock again, and registers the project. Any failure
    /// drops the database it made and forgets the record: nothing is registered, nothing is left.
    public func create(_ plan: CreatePlan, request: CreateRequest, options: LifecycleOptions = LifecycleOptions()) throws -> CreateResult {
        let start = ContinuousClock.now
        let connection = try CreatePlanner.serverConnection(request.serverDSN)
        let maintenance = try wrapped(project: plan.project) {
            try BackupMaintenanceConnection.open(connection, connectTimeout: options.connectTimeout)
        }
        var lockWait = try wrapped { try LifecycleLock.lockServer(maintenance) }
        let cleaned = try dropLeftovers(on: maintenance)
        try checkStillFree(plan, on: maintenance)
        try wrapped {
            try LifecycleLock.lockRun(maintenance, token: plan.token)
            try store.insertPendingLifecycle(
                PendingLifecycle(
                    operation: "create", project: plan.project, server: maintenance.serverAddress, dsn: maintenance.connectionString.raw,
                    databaseName: plan.database, temporaryDatabase: plan.temporaryDatabase, token: plan.token))
        }
        var renamed = false
        do {
            try maintenance.execute(script: plan.createStatement)
            try maintenance.execute(script: plan.commentStatement)
            try LifecycleLock.unlockServer(maintenance)
            try Self.fill(plan, target: connection.replacing("dbname", with: plan.temporaryDatabase), timeout: options.timeout)
            lockWait += try LifecycleLock.lockServer(maintenance)
            try maintenance.execute(script: plan.renameStatement)
            renamed = true
            var project = Project(name: plan.project, dsn: connection.replacing("dbname", with: plan.database).raw, tags: plan.tags)
            project.metadataVersion = MetadataSchema.latestVersion
            let attached = plan.syncPlans.map { "\($0.definition)@\($0.toVersion)" }.joined(separator: ", ")
            try store.registerMade(
                project, attachments: plan.syncPlans.map { CreatedAttachment(definition: $0.definition, syncedVersion: $0.toVersion) },
                token: plan.token, clonedFrom: nil, clonedRevision: nil,
                audit: AuditEntry(
                    action: "project.create", target: plan.project, result: "ok",
                    detail: "database \(plan.database) on \(plan.server)" + (attached.isEmpty ? "" : "; attached \(attached)")))
        } catch {
            try? maintenance.execute(script: renamed ? plan.dropDatabaseStatement : plan.dropTemporaryStatement)
            try? store.deletePendingLifecycle(token: plan.token)
            let failure = CatalogError.wrap(error)
            audit("project.create", target: plan.project, result: "failed", detail: failure.message)
            throw CatalogError(
                failure.code,
                "project \"\(plan.project)\": creating database \"\(plan.database)\" failed: \(failure.message); the new database was dropped and nothing was registered",
                remedy: failure.remedy)
        }
        try? LifecycleLock.unlockRun(maintenance, token: plan.token)
        try? LifecycleLock.unlockServer(maintenance)
        return CreateResult(plan: plan, lockWaitSeconds: lockWait, seconds: (ContinuousClock.now - start).seconds, cleanedUp: cleaned)
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
        case .timedOut: throw CatalogError(.timedOut, outcome.reason ?? "timed out")
        default: throw CatalogError(outcome.reason ?? "failed")
        }
    }

    /// Under the server's create lock: the final and temporary names must still be free.
    private func checkStillFree(_ plan: CreatePlan, on maintenance: Connection) throws {
        let names = Set(try wrapped { try maintenance.query("SELECT datname FROM pg_database").records.compactMap { $0["datname"] } })
        if names.contains(plan.database) {
            throw CatalogError(
                .alreadyExists, "database \"\(plan.database)\" already exists on \(plan.server); nothing was changed",
                remedy: .chooseDatabaseName(example: "\(plan.project)_new_db"))
        }
        if names.contains(plan.temporaryDatabase) {
            throw CatalogError(.conflict, "database \"\(plan.temporaryDatabase)\" appeared on \(plan.server) since the plan was made; nothing was changed")
        }
    }

    /// Drops what killed lifecycle runs on this server left, and forgets their records. A record whose run
    /// still holds its lock is another command at work and is left alone. Only a database the record names
    /// is dropped: the temporary one (its name is this run's own), or the final one when its comment
    /// carries the record's token. Returns the names dropped.
    func dropLeftovers(on maintenance: Connection) throws -> [String] {
        let records = try wrapped { try store.pendingLifecycle(server: maintenance.serverAddress) }
        var dropped: [String] = []
        for record in records {
            guard try wrapped({ try LifecycleLock.tryLockRun(maintenance, token: record.token) }) else { continue }
            defer { try? LifecycleLock.unlockRun(maintenance, token: record.token) }
            let present = try wrapped {
                try maintenance.query(
                    """
                    SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1 OR datname = $2
                    """, [record.temporaryDatabase, record.databaseName]
                ).records
            }
            for row in present {
                guard let name = row["datname"] else { continue }
                let ours = name == record.temporaryDatabase || row["comment"] == CreatePlan.comment(token: record.token)
                guard ours else { continue }
                try wrapped { try maintenance.execute(script: "DROP DATABASE IF EXISTS \(try maintenance.quoteIdentifier(name)) WITH (FORCE)") }
                dropped.append(name)
            }
            try wrapped { try store.deletePendingLifecycle(token: record.token) }
            audit(
                "project.\(record.operation)", target: record.project, result: "cleaned",
                detail: dropped.isEmpty ? "nothing was left" : "dropped \(dropped.joined(separator: ", "))")
        }
        return dropped
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
