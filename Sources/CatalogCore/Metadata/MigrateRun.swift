import CatalogStore
import Foundation
import PostgresClient

/// What `metadata migrate` and `metadata rollback` are asked to do.
public struct MigrationRequest: Sendable {
    /// `up` for `migrate`, `down` for `rollback`.
    public var direction: MigrationDirection
    /// For a rollback, the version to go back to.
    public var target: Int?
    /// The team's migrations; nil uses the ones last registered in the store.
    public var migrationsDirectory: String?
    /// Run the team's destructive statements, after review.
    public var allowDestructive: Bool
    /// Back each project up before touching it, with these options; nil for no backup.
    public var backupFirst: BackupOptions?
    /// Run this many projects first and stop if any of them fails; 0 for no canary.
    public var canary: Int
    /// How many projects at once, and the connection timeout.
    public var fanOut: FanOutOptions

    /// The defaults migrate up with the registered team migrations, no backup and no canary.
    public init(
        direction: MigrationDirection = .up, target: Int? = nil, migrationsDirectory: String? = nil,
        allowDestructive: Bool = false, backupFirst: BackupOptions? = nil, canary: Int = 0, fanOut: FanOutOptions = FanOutOptions()
    ) {
        self.direction = direction
        self.target = target
        self.migrationsDirectory = migrationsDirectory
        self.allowDestructive = allowDestructive
        self.backupFirst = backupFirst
        self.canary = canary
        self.fanOut = fanOut
    }
}

/// How one project's migration (or rollback) ended.
public struct MigrationResult: Sendable, Equatable {
    /// The project migrated.
    public var project: String
    /// ok, failed, or skipped after a failed canary.
    public var outcome: ProjectOutcome
    /// The newest applied migration before the run.
    public var fromVersion: Int?
    /// The newest applied migration after the run.
    public var toVersion: Int?
    /// The migrations applied, or undone for a rollback, such as `1001_mappings_owner`.
    public var applied: [String]
    /// The backup taken first, with `--backup-first`.
    public var backupID: Int64?
}

extension Catalog {
    /// Reads every selected project's ledger at once and works out what each needs; changes nothing.
    /// A changed or unknown migration anywhere refuses the whole run.
    public func planMigration(_ selection: ProjectSelection, request: MigrationRequest) throws -> MigrationPlan {
        if request.direction == .down, (request.target ?? -1) < 0 {
            throw CatalogError(.badInput, "rolling back needs the version to roll back to", remedy: .giveRollbackTarget)
        }
        let projects = try projects(selection)
        let known = try knownMigrations(request.migrationsDirectory)
        let tasks = try projects.map { project in
            FanOutTask(key: project.name, connection: try project.connectionString(), next: Self.probeConversation)
        }
        let results = request.fanOut.engine.runBlocking(tasks)
        let ledgers = zip(projects, results).map { project, result in
            Self.ledger(project.name, result, timeout: request.fanOut.timeout)
        }
        return try MigrationPlan.make(direction: request.direction, target: request.target, known: known, ledgers: ledgers)
    }

    /// Runs a plan: refuses destructive statements unless allowed, then migrates each project in one
    /// transaction, canaries first. Failures are reported per project and the others go on.
    public func applyMigration(_ plan: MigrationPlan, request: MigrationRequest) throws -> [MigrationResult] {
        let destructive = plan.destructive
        if !destructive.isEmpty && !request.allowDestructive {
            let more = destructive.count > 1 ? " and \(destructive.count - 1) more" : ""
            throw CatalogError(
                .failed, "refusing destructive statements: \(destructive[0])\(more); nothing was changed", remedy: .reviewAndAllowDestructive)
        }
        let backupJob = try request.backupFirst.map { try BackupJob(catalog: self, options: $0) }
        if request.migrationsDirectory != nil {
            try wrapped { try store.replaceTeamMigrations(TeamMigrations.stored(plan.known)) }
        }
        let registered = Dictionary(uniqueKeysWithValues: try wrapped { try store.projects() }.map { ($0.name, $0) })
        var results: [String: MigrationResult] = [:]
        var work: [(Project, ProjectMigrationPlan)] = []
        for project in plan.projects {
            if let found = registered[project.project], project.outcome.isOK, !project.steps.isEmpty {
                work.append((found, project))
            } else {
                results[project.project] = MigrationResult(
                    project: project.project, outcome: project.outcome,
                    fromVersion: project.fromVersion, toVersion: project.fromVersion, applied: [])
            }
        }
        let run = { (items: [(Project, ProjectMigrationPlan)]) in
            BoundedWorkers.map(
                items, concurrency: request.fanOut.concurrency, timeout: request.fanOut.timeout, progress: request.fanOut.progress,
                project: { $0.0.name }
            ) { item, conversation in
                self.migrate(item.0, item.1, of: plan, backup: backupJob, conversation: conversation)
            }
        }
        let canaries = Array(work.prefix(max(0, request.canary)))
        for result in run(canaries) { results[result.project] = result }
        let failedCanaries = canaries.map(\.1.project).filter { results[$0]?.outcome.isOK != true }
        let rest = Array(work.dropFirst(canaries.count))
        if failedCanaries.isEmpty {
            for result in run(rest) { results[result.project] = result }
        } else {
            for (_, projectPlan) in rest {
                results[projectPlan.project] = MigrationResult(
                    project: projectPlan.project,
                    outcome: .skipped("not attempted: canary project(s) \(failedCanaries.joined(separator: ", ")) failed; fix them and run again"),
                    fromVersion: projectPlan.fromVersion, toVersion: projectPlan.fromVersion, applied: [])
            }
        }
        let ordered = plan.projects.compactMap { results[$0.project] }
        try record(ordered, direction: plan.direction)
        return ordered
    }

    /// catalog's own migrations and the team's, from `directory` or else as registered in the store.
    func knownMigrations(_ directory: String?) throws -> [MetadataMigration] {
        let team = try directory.map(TeamMigrations.load) ?? wrapped { try TeamMigrations.registered(in: store) }
        return MetadataMigration.catalogOwn + team
    }

    /// A project's ledger from the probe conversation (`probeConversation`), or why it could not be read.
    static func ledger(_ project: String, _ result: FanOutResult, timeout: Double) -> MigrationPlan.Ledger {
        guard case .ok(let answers) = result.outcome else {
            return MigrationPlan.Ledger(project: project, outcome: ProjectOutcome(result.outcome, timeout: timeout), applied: [])
        }
        let applied = answers.count > 1 ? answers[1].records.map(MetadataSchema.Applied.init) : []
        return MigrationPlan.Ledger(project: project, outcome: .ok, applied: applied)
    }

    private func migrate(
        _ project: Project, _ projectPlan: ProjectMigrationPlan, of plan: MigrationPlan, backup: BackupJob?, conversation: ProjectConversation
    ) -> MigrationResult {
        var result = MigrationResult(
            project: project.name, outcome: .ok, fromVersion: projectPlan.fromVersion,
            toVersion: projectPlan.fromVersion, applied: [])
        do {
            result.backupID = try backup?.backUp(project, conversation: conversation).id
        } catch {
            let wrapped = CatalogError.wrap(error, project: project.name)
            result.outcome = .failed(wrapped.message + "; the project was not migrated", remedy: wrapped.remedy)
            return result
        }
        if backup != nil { conversation.startOver() }
        do {
            let connection = try conversation.connect(project.connectionString())
            let steps = try MigrationExecutor.run(projectPlan, of: plan, on: connection)
            result.applied = steps.map(\.migration.identifier)
            result.toVersion = try MetadataSchema.applied(on: connection).map(\.version).max()
        } catch {
            result.outcome = conversation.outcome(for: error, project: project.name)
        }
        return result
    }

    private func record(_ results: [MigrationResult], direction: MigrationDirection) throws {
        let attempted = results.filter { if case .skipped = $0.outcome { return false } else { return true } }
        try wrapped {
            try store.record(
                attempted.map { result in
                    (
                        result.project,
                        ProjectObservation(
                            status: result.outcome.isOK ? .ok : .failed, message: result.outcome.message,
                            metadataVersion: result.toVersion)
                    )
                })
        }
        for result in results {
            audit(
                direction == .up ? "metadata.migrate" : "metadata.rollback", target: result.project, result: result.outcome.label,
                detail: result.outcome.message ?? "applied: \(result.applied.joined(separator: ", "))")
        }
    }
}
