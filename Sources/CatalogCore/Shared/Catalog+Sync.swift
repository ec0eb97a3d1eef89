import CatalogStore
import Foundation
import PostgresClient

/// How a sync ended for one project.
public struct ProjectSyncResult: Sendable, Equatable {
    public var project: String
    public var outcome: ProjectOutcome
    /// The plans carried out (or refused) for this project.
    public var plans: [ProjectSyncPlan]
}

/// A sync plan with the projects that could not be read to make it.
public struct SyncPlanReport: Sendable, Equatable {
    public var plan: SyncPlan
    public var failures: [ProjectFailure]
}

/// What `catalog sync` did.
public struct SyncReport: Sendable, Equatable {
    public var plan: SyncPlan
    public var results: [ProjectSyncResult]
    public var failures: [ProjectFailure]

    /// Projects left untouched because of conflicts.
    public var conflicted: [String] { results.filter { $0.plans.contains { $0.action == .conflict } }.map(\.project) }
}

/// The inputs of one project's sync, gathered from the store before anything is read live.
struct SyncWork: Sendable {
    var project: Project
    var items: [Item]

    struct Item: Sendable {
        var definition: String
        var base: SharedVersion?
        var theirs: SharedVersion
    }

    var keys: [(schema: String, table: String)] { items.map { ($0.theirs.definition.schema, $0.theirs.definition.table) } }

    func plans(ours: [ProjectMappings.Key: MappedTable], force: Bool) -> [ProjectSyncPlan] {
        items.map { item in
            let definition = item.theirs.definition
            return SyncPlanner.plan(
                SyncSides(
                    project: project.name, definition: item.definition,
                    base: item.base.map { ($0.version, $0.definition) }, theirs: (item.theirs.version, definition),
                    ours: ours[ProjectMappings.Key(schema: definition.schema, table: definition.table)]), force: force)
        }
    }
}

extension Catalog {
    /// Plans a sync of every attachment of the selected projects (all by default) without changing anything.
    public func planSync(
        _ selection: ProjectSelection = ProjectSelection(), definitions: [String] = [], force: Bool = false,
        options: FanOutOptions = FanOutOptions()
    ) throws -> SyncPlanReport {
        let work = try syncWork(selection, definitions: definitions)
        let tasks = try work.map {
            FanOutTask(key: $0.project.name, connection: try $0.project.connectionString(), query: ProjectMappings.readQuery($0.keys))
        }
        let results = options.engine.runBlocking(tasks)
        var plans: [ProjectSyncPlan] = []
        var failures: [ProjectFailure] = []
        for (item, result) in zip(work, results) {
            if case .ok(let answers) = result.outcome, let answer = answers.first {
                do {
                    plans += item.plans(ours: try ProjectMappings.parse(answer), force: force)
                } catch {
                    failures.append(ProjectFailure(project: item.project.name, outcome: .failed("\(error)")))
                }
            } else {
                failures.append(
                    ProjectFailure(
                        project: item.project.name,
                        outcome: ProjectOutcome(result.outcome, timeout: options.timeout, hint: LiveRead.hint(for: item.project.name))))
            }
        }
        return SyncPlanReport(plan: SyncPlan(projects: plans), failures: failures)
    }

    /// Plans, then applies: one transaction per project under the `_metadata` advisory lock.
    /// Projects with conflicts are left untouched; the others go ahead. With `expectPlan`, nothing
    /// is applied unless the plan's hash still matches the one shown.
    public func sync(
        _ selection: ProjectSelection = ProjectSelection(), definitions: [String] = [], force: Bool = false,
        expectPlan: String? = nil, options: FanOutOptions = FanOutOptions()
    ) throws -> SyncReport {
        // Progress is the apply's: the planning read is quiet, so each project starts and ends once.
        var planOptions = options
        planOptions.progress = nil
        let planned = try planSync(selection, definitions: definitions, force: force, options: planOptions)
        if let expectPlan, expectPlan != planned.plan.hash {
            throw CatalogError(
                .planChanged, "the plan changed since it was shown (expected \(expectPlan), now \(planned.plan.hash)); nothing was written",
                facts: ["expected": expectPlan, "current": planned.plan.hash], remedy: .reviewSyncPlanAgain)
        }
        let failedNames = Set(planned.failures.map(\.project))
        let work = try syncWork(selection, definitions: definitions).filter { !failedNames.contains($0.project.name) }
        let plansByProject = Dictionary(grouping: planned.plan.projects, by: \.project)
        let results = BoundedWorkers.map(
            work, concurrency: options.concurrency, timeout: options.timeout, progress: options.progress, project: { $0.project.name }
        ) { item, conversation in
            Self.applySync(item, expected: plansByProject[item.project.name] ?? [], force: force, conversation: conversation)
        }
        for result in results where result.outcome == .ok {
            for plan in result.plans {
                let overrides = Dictionary(uniqueKeysWithValues: plan.overrides.map { ($0.path, $0.ours ?? .null) })
                try wrapped {
                    try store.recordSync(
                        project: result.project, definition: plan.definition, version: plan.toVersion,
                        overrides: JSONValue.object(overrides).canonicalText,
                        audit: AuditEntry(
                            action: "sync", target: "\(plan.definition)@\(result.project)", result: plan.action.rawValue,
                            detail: "version \(plan.fromVersion.map(String.init) ?? "-") -> \(plan.toVersion), \(plan.writes.count) field(s) written")
                    )
                }
            }
        }
        for result in results where result.outcome != .ok {
            audit("sync", target: result.project, result: result.outcome.label, detail: result.outcome.message)
        }
        return SyncReport(plan: planned.plan, results: results, failures: planned.failures)
    }

    /// The attachments to sync, grouped by project, with their base and target versions.
    func syncWork(_ selection: ProjectSelection, definitions: [String]) throws -> [SyncWork] {
        var selection = selection
        if selection.names.isEmpty { selection.all = true }
        let projects = try projects(selection)
        let attachments = try wrapped { try store.attachments() }
        for name in definitions where !attachments.contains(where: { $0.definition == name }) {
            _ = try sharedHistory(name)
        }
        let versions = try wrapped { try store.sharedVersions() }.map(Self.sharedVersion)
        let byName = Dictionary(grouping: versions, by: \.name)
        return projects.compactMap { project in
            let items = attachments.filter { $0.project == project.name && (definitions.isEmpty || definitions.contains($0.definition)) }
                .compactMap { attachment -> SyncWork.Item? in
                    guard let history = byName[attachment.definition], let latest = history.last else { return nil }
                    let theirs = attachment.pinnedVersion.flatMap { pin in history.first { $0.version == pin } } ?? latest
                    let base = attachment.syncedVersion.flatMap { synced in history.first { $0.version == synced } }
                    return SyncWork.Item(definition: attachment.definition, base: base, theirs: theirs)
                }
            return items.isEmpty ? nil : SyncWork(project: project, items: items)
        }
    }

    /// One project's transaction: lock, re-read, re-plan, check nothing moved since the plan, write.
    static func applySync(_ work: SyncWork, expected: [ProjectSyncPlan], force: Bool, conversation: ProjectConversation) -> ProjectSyncResult {
        var result = ProjectSyncResult(project: work.project.name, outcome: .ok, plans: expected)
        if expected.contains(where: { $0.action == .conflict }) {
            let count = expected.flatMap(\.conflicts).count
            result.outcome = .skipped(
                "\(count) conflicting field(s); left untouched", remedy: .settleConflictsOrForceSync(project: work.project.name))
            return result
        }
        guard expected.contains(where: { $0.action != .unchanged }) else { return result }
        do {
            let connection = try conversation.connect(work.project.connectionString())
            try connection.transaction {
                try connection.query("SELECT pg_advisory_xact_lock($1)", [MetadataSchema.advisoryLockKey])
                let ours = try ProjectMappings.parse(connection.query(ProjectMappings.readQuery(work.keys)))
                let plans = work.plans(ours: ours, force: force)
                guard SyncPlan(projects: plans) == SyncPlan(projects: expected) else {
                    throw CatalogError(
                        .planChanged, "project \"\(work.project.name)\" changed while sync ran; nothing was written there",
                        remedy: .reviewSyncPlanAgain)
                }
                for (plan, item) in zip(plans, work.items) where plan.action == .create || plan.action == .update {
                    let definition = item.theirs.definition
                    try ProjectMappings.apply(
                        plan, theirs: definition, ours: ours[ProjectMappings.Key(schema: definition.schema, table: definition.table)], on: connection)
                }
            }
        } catch {
            result.outcome = conversation.outcome(for: error, project: work.project.name)
        }
        return result
    }
}
