import CatalogStore
import Foundation

/// The answer to `catalog sql`: the rows, and which projects could not be read live.
public struct FederatedSQLResult: Sendable, Equatable {
    public var answer: SQLAnswer
    public var failures: [ProjectFailure]
    public var sources: [AnswerSource]
}

extension Catalog {
    /// Runs read-only SQL over `projects`, `tables`, `columns`, `shared_tables`, `shared_columns` and `audit`.
    /// Fresh by default: one revision query per server confirms which index copies are current, and
    /// only the other projects are read (re-read only where the `_metadata` revision moved); `live`
    /// reads every project. Either way a fresh and a `--cached` run answer with the same rows.
    /// A statement still running after `sqlTimeout` seconds is stopped.
    public func federatedSQL(
        _ sql: String, in selection: ProjectSelection = ProjectSelection(), cached: Bool = false, live: Bool = false,
        options: FanOutOptions = FanOutOptions(), sqlTimeout: Double? = nil
    ) throws -> FederatedSQLResult {
        guard !sql.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CatalogError("the SQL is empty; try: catalog sql \"select project, count(*) from columns group by 1\"")
        }
        let projects = try searchProjects(selection)
        var failures: [ProjectFailure] = []
        var sources: [AnswerSource] = []
        if cached {
            let states = try wrapped { try store.indexStates() }
            for project in projects {
                if let state = states[project.name] {
                    sources.append(AnswerSource(
                            project: project.name, live: false, revision: state.revision, fetchedAt: state.fetchedAt, freshness: .indexOnly))
                } else {
                    failures.append(
                        ProjectFailure(
                            project: project.name, outcome: .skipped("not in the local index yet", remedy: .readLiveOnce)))
                }
            }
        } else if live {
            let outcome = try readLive(projects, question: nil, options: options)
            failures = outcome.failures
            sources = outcome.sources
        } else {
            let check = try checkFreshness(projects, options: options)
            let now = Date()
            sources = check.unchanged.map { project, revision in
                AnswerSource(project: project.name, live: true, revision: revision, fetchedAt: now, freshness: .serverSignal)
            }
            failures = check.failures
            if !check.toRead.isEmpty {
                let outcome = try readLive(check.toRead, question: nil, options: options, states: check.states)
                failures += outcome.failures
                sources += outcome.sources
            }
        }
        let answered = sources.map(\.project)
        let answer = try wrapped { try store.federatedQuery(sql, projects: answered, timeout: sqlTimeout) }
        return FederatedSQLResult(
            answer: answer, failures: failures.sorted { $0.project < $1.project }, sources: sources.sorted { $0.project < $1.project })
    }
}
