import CatalogStore
import Foundation
import PostgresClient

/// How one item of a prune ended.
public struct PruneOutcome: Sendable, Equatable {
    /// What the plan decided for the item.
    public var decision: PrunePlan.Decision
    /// `kept`, `deleted`, `dropped` or `failed`.
    public var action: String
    /// The rule that decided it, or why removing it failed.
    public var reason: String

    /// False when removing the item failed.
    public var isOK: Bool { action != "failed" }
}

extension Catalog {
    /// Works out what the retention rules keep for the named projects (all when empty); changes nothing.
    public func planPrune(projects names: [String] = [], rules: PruneRules, now: Date = Date()) throws -> PrunePlan {
        guard rules.keepDays != nil || rules.keepLast != nil else {
            throw CatalogError(.badInput, "no retention rule was given; nothing was pruned", remedy: .giveRetentionRule)
        }
        let backups = try wrapped { try store.backups(projects: names) }
        let setAside = try wrapped { try store.setAsideDatabases(projects: names) }
        return PrunePlan.make(backups: backups, setAside: setAside, rules: rules, now: now)
    }

    /// Deletes the backup files and drops the set-aside databases the plan removes; one failure does not stop the rest.
    public func prune(_ plan: PrunePlan, connectTimeout: Int = 10) -> [PruneOutcome] {
        removeAbandonedPartials(plan)
        let outcomes = plan.decisions.map { decision -> PruneOutcome in
            guard !decision.keep else { return PruneOutcome(decision: decision, action: "kept", reason: decision.reason) }
            do {
                switch decision.item {
                case .backup(let backup):
                    try removeBackup(backup)
                    return PruneOutcome(decision: decision, action: "deleted", reason: decision.reason)
                case .setAside(let database):
                    try dropSetAside(database, connectTimeout: connectTimeout)
                    return PruneOutcome(decision: decision, action: "dropped", reason: decision.reason)
                }
            } catch {
                return PruneOutcome(decision: decision, action: "failed", reason: CatalogError.wrap(error, project: decision.item.project).message)
            }
        }
        for outcome in outcomes where outcome.action != "kept" {
            audit(
                "backup.prune", target: outcome.decision.item.project, result: outcome.isOK ? "ok" : "failed",
                detail: "\(outcome.action): \(outcome.reason)")
        }
        return outcomes
    }

    /// Removes the `.partial` files killed `backup create` runs left, beside the plan's backups and in
    /// every project directory of the default backup directory.
    private func removeAbandonedPartials(_ plan: PrunePlan) {
        let root = backupDirectory(nil)
        let projects = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).map { (root as NSString).appendingPathComponent($0) }
        let beside = plan.decisions.compactMap { decision -> String? in
            guard case .backup(let backup) = decision.item else { return nil }
            return (backup.file as NSString).deletingLastPathComponent
        }
        for directory in Set(projects + beside) { BackupFile.removeAbandoned(in: directory) }
    }

    private func removeBackup(_ backup: BackupRecord) throws {
        if unlink(backup.file) != 0 && errno != ENOENT {
            throw CatalogError("cannot delete \(backup.file): \(String(cString: strerror(errno))); check the directory's permissions")
        }
        try store.deleteBackup(id: backup.id ?? 0)
    }

    private func dropSetAside(_ database: SetAsideDatabase, connectTimeout: Int) throws {
        guard let project = try store.project(named: database.project) else {
            throw CatalogError(
                "project \"\(database.project)\" is no longer registered, so its server is unknown; drop database \"\(database.databaseName)\" by hand"
            )
        }
        let maintenance = try BackupMaintenanceConnection.open(project.connectionString(), connectTimeout: connectTimeout)
        try maintenance.execute(script: "DROP DATABASE IF EXISTS \(try maintenance.quoteIdentifier(database.databaseName))")
        try store.markSetAsideDropped(id: database.id ?? 0)
    }
}
