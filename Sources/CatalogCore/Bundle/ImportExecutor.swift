import CatalogStore
import Crypto
import Foundation
import PostgresClient

/// What a completed import did.
public struct ImportResult: Sendable, Equatable {
    /// The plan that ran.
    public var plan: ImportPlan
    /// The restored copy against the manifest. It fails only for a restore into an existing empty database
    /// (a temporary database that fails is dropped instead); then the project was not registered.
    public var verification: ImportVerification
    /// The backup `--replace` took of the old database first.
    public var safetyBackup: BackupRecord?
    /// The old database, when `--replace` could not drop it after the swap; `catalog backup prune` drops it later.
    public var setAsideDatabase: String?
    /// How long the import took, from the lock to the registration.
    public var seconds: Double
}

extension Catalog {
    /// Reads the store and the target server and plans the import; changes nothing. The bundle was verified
    /// when it was opened, so a plan is only ever made from an intact bundle.
    public func planImport(_ bundle: BundleContents, request: ImportRequest, now: Date = Date()) throws -> ImportPlan {
        let target = try ImportPlanner.targetConnection(request.dsn)
        let maintenance: Connection
        do {
            maintenance = try BackupMaintenanceConnection.open(target, connectTimeout: request.connectTimeout)
        } catch {
            let reason = CatalogError.wrap(error).message
            let facts = try importFacts(bundle, request: request, target: .unreachable(reason))
            let unreachable = CatalogError("the target server cannot be reached: \(reason)")
            return try ImportPlanner.plan(
                bundle: bundle.path, manifest: bundle.manifest, request: request, facts: facts, now: now,
                quoting: RestorePlan.Quoting(identifier: { _ in throw unreachable }, literal: { _ in throw unreachable }))
        }
        return try plan(bundle, request: request, maintenance: maintenance, target: target, now: now)
    }

    /// Restores the bundle as planned, then reconciles the shared definitions and registers the project.
    /// Under an advisory lock on the target server it first makes the plan again and refuses if anything
    /// moved. A failure before the last rename leaves no database under the target name, and the store untouched.
    public func runImport(
        _ plan: ImportPlan, bundle: BundleContents, request: ImportRequest,
        progress: (@Sendable (String) -> Void)? = nil
    ) throws -> ImportResult {
        let clock = ContinuousClock()
        let start = clock.now
        let tools = try request.tools ?? PgTools.locate()
        let target = try ImportPlanner.targetConnection(request.dsn)
        let maintenance = try wrapped { try BackupMaintenanceConnection.open(target, connectTimeout: request.connectTimeout) }
        try lockImports(into: plan.database, on: maintenance)
        guard try self.plan(bundle, request: request, maintenance: maintenance, target: target, now: plan.createdAt) == plan else {
            throw CatalogError(
                .planChanged, "the target or the store changed since the plan was made; nothing was changed", remedy: .reviewImportPlanAgain)
        }
        for leftover in plan.leftovers {
            progress?("dropping \(leftover), left by an interrupted import")
            if let statement = plan.dropStatement(leftover) { try wrapped { try maintenance.execute(script: statement) } }
        }
        var result = ImportResult(plan: plan, verification: ImportVerification(checks: []), safetyBackup: nil, setAsideDatabase: nil, seconds: 0)
        if plan.mode == .replace {
            progress?("backing up \(plan.database) (safety backup)")
            result.safetyBackup = try safetyBackup(plan, request: request, tools: tools)
        }
        let restore = ImportRestore(
            plan: plan, bundle: bundle, target: target, tools: tools, connectTimeout: request.connectTimeout, progress: progress)
        if plan.mode == .intoEmpty {
            result.verification = try restore.intoEmpty()
            // The restore committed: report the copy as it is, and leave it unregistered.
            guard result.verification.isOK else { return result }
        } else {
            result.verification = try restore.underTemporaryName(maintenance)
            if let drop = plan.dropSetAsideStatement, let aside = plan.setAsideDatabase {
                do {
                    try maintenance.execute(script: drop)
                } catch {
                    result.setAsideDatabase = aside
                    _ = try? store.insertSetAside(
                        SetAsideDatabase(project: plan.project, databaseName: aside, backupID: result.safetyBackup?.id, createdAt: Date()))
                }
            }
        }
        progress?("registering \(plan.project)")
        try record(plan, bundle: bundle, request: request)
        result.seconds = (clock.now - start).seconds
        return result
    }

    private func plan(
        _ bundle: BundleContents, request: ImportRequest, maintenance: Connection, target: ConnectionString, now: Date
    ) throws -> ImportPlan {
        let server = try wrapped {
            try ImportFacts.server(maintenance, target: target, database: target.databaseName ?? "", connectTimeout: request.connectTimeout)
        }
        let facts = try importFacts(bundle, request: request, target: .reachable(server))
        return try ImportPlanner.plan(
            bundle: bundle.path, manifest: bundle.manifest, request: request, facts: facts, now: now,
            quoting: RestorePlan.Quoting(maintenance))
    }

    private func importFacts(_ bundle: BundleContents, request: ImportRequest, target: ImportFacts.Target) throws -> ImportFacts {
        let side = try wrapped { try ImportFacts.store(store, manifest: bundle.manifest, name: request.name ?? bundle.manifest.project) }
        return ImportFacts(nameTaken: side.nameTaken, storeVersions: side.versions, target: target)
    }

    /// One import into a database at a time per server: the lock is held by the maintenance session until it ends,
    /// so a temporary database found while holding it was left by a run that is gone.
    private func lockImports(into database: String, on maintenance: Connection) throws {
        let locked = try wrapped {
            try maintenance.query("SELECT pg_try_advisory_lock(hashtext('catalog import'), hashtext($1)) AS locked", [database]).records.first?.bool(
                "locked")
        }
        guard locked == true else {
            throw CatalogError(
                "another catalog import into database \(database) is running on this server; wait for it to finish; nothing was changed")
        }
    }

    private func safetyBackup(_ plan: ImportPlan, request: ImportRequest, tools: PgTools) throws -> BackupRecord {
        let job = try BackupJob(
            catalog: self,
            options: BackupOptions(
                directory: request.backupDirectory, concurrency: 1, connectTimeout: request.connectTimeout,
                catalogVersion: request.catalogVersion, tools: tools))
        do {
            let project = Project(name: plan.project, dsn: request.dsn)
            let backup = try BoundedWorkers.map([project], concurrency: 1, timeout: Double(request.connectTimeout)) { project, conversation in
                Result { try job.backUp(project, conversation: conversation) }
            }[0].get()
            audit(
                "backup.create", target: plan.project, result: "ok", detail: "safety backup before import: backup \(backup.id ?? 0): \(backup.file)")
            return backup
        } catch {
            throw CatalogError("the safety backup of database \(plan.database) failed: \(CatalogError.wrap(error).message); nothing was changed")
        }
    }

    /// Registers the project and reconciles its shared definitions, as the plan says.
    private func record(_ plan: ImportPlan, bundle: BundleContents, request: ImportRequest) throws {
        do {
            try addProject(name: plan.project, dsn: request.dsn, tags: plan.tags)
            for step in plan.shared {
                guard let use = bundle.manifest.shared.first(where: { $0.name == step.name }) else { continue }
                try reconcile(step, use: use, project: plan.project, bundle: bundle)
            }
        } catch {
            throw CatalogError(
                .failed,
                "database \(plan.database) was restored and verified, but recording project \"\(plan.project)\" in the store failed: \(CatalogError.wrap(error).message)",
                remedy: .registerRestoredProject(plan.project))
        }
        audit("bundle.import", target: plan.project, result: "ok", detail: "\(bundle.path) into \(plan.maskedDSN) (\(plan.mode.rawValue))")
    }

    private func reconcile(_ step: ImportSharedStep, use: BundleManifest.SharedUse, project: String, bundle: BundleContents) throws {
        for version in step.addedVersions {
            let file = use.versions.first { $0.version == version }
            try appendBundled(
                step.name, body: bundle.sharedBody(step.name, version: version), author: file?.author, note: file?.note,
                previous: version - 1, detail: "version \(version), imported from \(bundle.path)")
        }
        if let adopted = step.adopted {
            try appendBundled(
                step.name, body: bundle.sharedBody(step.name, version: adopted.bundleVersion), author: nil,
                note: "adopted from \(bundle.path), where it is version \(adopted.bundleVersion)", previous: adopted.storeVersion - 1,
                detail: "version \(adopted.storeVersion), adopted from \(bundle.path)")
        }
        try store.attach(
            definition: step.name, projects: [project], pinnedVersion: step.pinnedVersion,
            audit: AuditEntry(action: "shared.attach", target: step.name, result: "ok", detail: project))
        if let synced = step.syncedVersion {
            try store.recordSync(
                project: project, definition: step.name, version: synced, overrides: use.overrides,
                audit: AuditEntry(
                    action: "sync", target: "\(step.name)@\(project)", result: "imported", detail: "version \(synced), from \(bundle.path)"))
        }
    }

    private func appendBundled(_ name: String, body: String, author: String?, note: String?, previous: Int, detail: String) throws {
        let digest = SHA256.hash(data: Data(body.utf8)).map { String(format: "%02x", $0) }.joined()
        _ = try store.appendSharedVersion(
            name: name, body: body, sha256: digest, author: author ?? AuditEntry.currentActor, note: note,
            expectedPrevious: previous == 0 ? nil : previous,
            audit: AuditEntry(action: previous == 0 ? "shared.add" : "shared.update", target: name, result: "ok", detail: detail))
    }
}
