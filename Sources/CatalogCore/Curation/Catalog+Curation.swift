import CatalogStore
import Foundation
import PostgresClient

extension Catalog {
    /// Plans a metadata edit without changing anything: per project, every field that would change
    /// with its old and new value, conflicts, and how many fields already hold the new value.
    public func planMetadataEdit(_ request: MetadataEditRequest, options: FanOutOptions = FanOutOptions()) throws -> CurationPlanReport {
        let projects = try projects(request.projects)
        let query = CurationRead.query(request.selector)
        let tasks = try projects.map { FanOutTask(key: $0.name, connection: try $0.connectionString(), query: query) }
        var plans: [ProjectCurationPlan] = []
        var failures: [ProjectFailure] = []
        var matched = 0
        for result in options.engine.runBlocking(tasks) {
            let failure: ProjectOutcome
            do {
                guard case .ok(let answers) = result.outcome, let answer = answers.first else {
                    failure = ProjectOutcome(result.outcome, timeout: options.timeout, hint: LiveRead.hint(for: result.key))
                    // One named target: its project's failure is the command's.
                    if !request.selector.isFleet { throw CatalogError(.unreachable, "project \"\(result.key)\": \(failure.message ?? failure.label)", remedy: failure.remedy) }
                    failures.append(ProjectFailure(project: result.key, outcome: failure))
                    continue
                }
                let rows = try CurationRead.rows(answer)
                try Self.checkTarget(request.selector, rows: rows, project: result.key)
                matched += rows.count
                plans.append(CurationPlanner.plan(project: result.key, rows: rows, rule: request.rule, edits: request.edits(for:)))
            } catch {
                if !request.selector.isFleet { throw CatalogError.wrap(error, project: result.key) }
                failures.append(ProjectFailure(project: result.key, outcome: .failed(CatalogError.wrap(error, project: result.key).message)))
            }
        }
        if request.selector.isFleet, matched == 0, failures.count < projects.count {
            throw Self.matchedNothing(request.selector, read: projects.count - failures.count, failed: failures.count)
        }
        return CurationPlanReport(plan: CurationPlan(projects: plans), failures: failures)
    }

    /// Plans, then applies: one transaction per project under the `_metadata` advisory lock, each
    /// re-reading its rows and refusing if they moved since the plan. With `expectPlan`, nothing is
    /// written unless the plan's hash still matches the one reviewed. Every field written goes into
    /// the audit history with its old and new value.
    public func applyMetadataEdit(
        _ request: MetadataEditRequest, expectPlan: String? = nil, options: FanOutOptions = FanOutOptions()
    ) throws -> CurationReport {
        let planned = try planMetadataEdit(request, options: options)
        if let expectPlan, expectPlan != planned.plan.hash {
            throw CatalogError(
                .planChanged, "the plan changed since it was shown (expected \(expectPlan), now \(planned.plan.hash)); nothing was written",
                facts: ["expected": expectPlan, "current": planned.plan.hash], remedy: .reviewMetadataPlanAgain)
        }
        let byName = Dictionary(uniqueKeysWithValues: try projects(request.projects).map { ($0.name, $0) })
        let work = planned.plan.projects.filter { !$0.writes.isEmpty }.compactMap { plan in byName[plan.project].map { ($0, plan) } }
        let store = store
        let results = BoundedWorkers.map(work, concurrency: options.concurrency, timeout: options.timeout) { item, conversation in
            let result = Self.applyCuration(item.1, project: item.0, request: request, conversation: conversation)
            Self.auditCuration(result, action: request.action, store: store)
            return result
        }
        let untouched = planned.plan.projects.filter { $0.writes.isEmpty }.map {
            ProjectCurationResult(project: $0.project, outcome: .ok, written: [])
        }
        return CurationReport(
            plan: planned.plan, results: (results + untouched).sorted { $0.project < $1.project }, failures: planned.failures)
    }

    /// One project's transaction: lock, re-read, re-plan, check nothing moved since the plan, write.
    static func applyCuration(
        _ expected: ProjectCurationPlan, project: Project, request: MetadataEditRequest, conversation: ProjectConversation
    ) -> ProjectCurationResult {
        do {
            let connection = try conversation.connect(project.connectionString())
            try connection.transaction {
                try connection.query("SELECT pg_advisory_xact_lock($1)", [MetadataSchema.advisoryLockKey])
                let rows = try CurationRead.rows(connection.query(CurationRead.query(request.selector)))
                let plan = CurationPlanner.plan(project: project.name, rows: rows, rule: request.rule, edits: request.edits(for:))
                guard plan == expected else {
                    throw CatalogError(
                        .planChanged, "its metadata changed while the edit ran; nothing was written there; make the plan again")
                }
                let byTarget = Dictionary(grouping: plan.writes, by: \.target)
                for target in byTarget.keys.sorted() { try CurationRead.write(byTarget[target]!, to: target, on: connection) }
            }
            return ProjectCurationResult(project: project.name, outcome: .ok, written: expected.writes)
        } catch {
            return ProjectCurationResult(project: project.name, outcome: conversation.outcome(for: error, project: project.name), written: [])
        }
    }

    /// The audit history of one project's edit: who, which field of what, old and new value, when.
    static func auditCuration(_ result: ProjectCurationResult, action: String, store: any CatalogStoring) {
        let entries: [AuditEntry]
        if result.outcome.isOK {
            entries = result.written.map { change in
                let detail = JSONValue.object(
                    [
                        "field": .string(change.field.rawValue), "old": change.old ?? .null, "new": change.new ?? .null,
                        "shared_name": change.sharedName.map(JSONValue.string) ?? .null,
                    ])
                return AuditEntry(
                    action: action, target: "\(change.target)@\(result.project)", result: change.resolution.rawValue,
                    detail: detail.canonicalText)
            }
        } else {
            entries = [AuditEntry(action: action, target: result.project, result: result.outcome.label, detail: result.outcome.message)]
        }
        try? store.audit(entries)
    }

    /// A named relation or column must be in the project's `_metadata`.
    static func checkTarget(_ selector: MetadataSelector, rows: [CurationRow], project: String) throws {
        switch selector {
        case .one(let target), .relation(let target):
            guard rows.contains(where: { $0.target == target.relation }) else { throw CatalogError.unknownRelation(target, project: project) }
            if target.isColumn, !rows.contains(where: { $0.target == target }) { throw CatalogError.unknownColumn(target, project: project) }
        case .columns, .tables:
            break
        }
    }

    static func matchedNothing(_ selector: MetadataSelector, read: Int, failed: Int) -> CatalogError {
        let (what, search): (String, SearchQuery?) =
            switch selector {
            case .columns(let search, let table): ("column" + (table.map { " of a relation named \"\($0)\"" } ?? ""), search)
            case .tables(let search): ("relation", search)
            case .one, .relation: ("row", nil)
            }
        let name = search?.name ?? ""
        let unread = failed > 0 ? " (\(failed) could not be read)" : ""
        return CatalogError(
            .notFound,
            "no \(what) matches \"\(name)\" (\(search?.match.rawValue ?? "exact")) in the \(read) project(s) read\(unread); nothing was written",
            remedy: .widenMetadataMatch(target: search?.target.rawValue ?? "column", name: name))
    }
}
