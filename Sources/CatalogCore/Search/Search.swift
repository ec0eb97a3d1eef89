import CatalogStore
import Foundation
import PostgresClient

extension Catalog {
    /// Finds columns or tables by name across projects. Fresh by default: one revision query per
    /// server, then the index answers for projects whose published revision matches its copy and the
    /// rest are read live. `live` reads every project (the predicate sent to every database); `cached`
    /// answers from the local index alone. An empty selection means every project.
    public func search(
        _ query: SearchQuery, in selection: ProjectSelection = ProjectSelection(), cached: Bool = false, live: Bool = false,
        options: FanOutOptions = FanOutOptions()
    ) throws -> SearchResult {
        let projects = try searchProjects(selection)
        var result =
            cached
            ? try searchIndex(query, projects: projects)
            : live ? try searchLive(query, projects: projects, options: options) : try searchFresh(query, projects: projects, options: options)
        result.putInAnswerOrder()
        return result
    }

    /// Searches default to every project; names and tags narrow before any connection is made.
    func searchProjects(_ selection: ProjectSelection) throws -> [Project] {
        var selection = selection
        if selection.names.isEmpty { selection.all = true }
        return try projects(selection)
    }

    private func searchLive(
        _ query: SearchQuery, projects: [Project], options: FanOutOptions, states: [String: IndexState]? = nil
    ) throws -> SearchResult {
        let question = Query(Self.liveSQL(for: query), [query.name])
        let outcome = try readLive(projects, question: question, options: options, states: states)
        let matches = outcome.answers.flatMap { project, answer in
            (answer?.records ?? []).map { Self.match(from: $0, project: project, target: query.target) }
        }
        return SearchResult(matches: matches, failures: outcome.failures, sources: outcome.sources)
    }

    /// The fast path: the index answers for the projects their servers confirm unchanged (when the
    /// index can evaluate the pattern like their database would), and only the others are read live.
    private func searchFresh(_ query: SearchQuery, projects: [Project], options: FanOutOptions) throws -> SearchResult {
        let check = try checkFreshness(projects, options: options)
        var toRead = check.toRead
        var result = SearchResult(matches: [], failures: check.failures, sources: [])
        if !check.unchanged.isEmpty, (try? query.checkCachedEvaluation()) != nil {
            let indexed = try searchIndex(query, projects: check.unchanged.map(\.project), states: check.states)
            let skipped = Set(indexed.failures.map(\.project))
            toRead += check.unchanged.map(\.project).filter { skipped.contains($0.name) }
            let now = Date()
            let confirmed = Dictionary(check.unchanged.map { ($0.project.name, $0.revision) }, uniquingKeysWith: { first, _ in first })
            result.matches = indexed.matches
            result.sources = indexed.sources.map { source in
                AnswerSource(project: source.project, live: true, revision: confirmed[source.project], fetchedAt: now, freshness: .serverSignal)
            }
        } else {
            toRead += check.unchanged.map(\.project)
        }
        if !toRead.isEmpty {
            let read = try searchLive(query, projects: toRead, options: options, states: check.states)
            result.matches += read.matches
            result.failures += read.failures
            result.sources += read.sources
        }
        return result
    }

    static func liveSQL(for query: SearchQuery) -> String {
        switch query.target {
        case .column:
            return """
                SELECT to_jsonb(t) ->> 'pg_schema' AS pg_schema, t.table_name, to_jsonb(t) ->> 'relation_kind' AS relation_kind,
                       c.pg_column, c.pg_type, c.graphql_field AS graphql_name, c.label, c.description, c.is_nullable
                FROM _metadata.mappings_column c JOIN _metadata.mappings_table t ON t.id = c.table_id
                WHERE \(query.postgresCondition(on: "c.pg_column"))
                """
        case .table:
            return """
                SELECT to_jsonb(t) ->> 'pg_schema' AS pg_schema, t.table_name, to_jsonb(t) ->> 'relation_kind' AS relation_kind,
                       t.graphql_type AS graphql_name, t.label, t.description
                FROM _metadata.mappings_table t
                WHERE \(query.postgresCondition(on: "t.table_name"))
                """
        }
    }

    static func match(from record: QueryResult.Record, project: String, target: SearchQuery.Target) -> SearchMatch {
        SearchMatch(
            project: project, schema: record["pg_schema"], table: record["table_name"] ?? "",
            column: target == .column ? record["pg_column"] : nil, type: record["pg_type"], kind: record["relation_kind"],
            label: record["label"], graphqlName: record["graphql_name"], description: record["description"],
            isNullable: record.bool("is_nullable"))
    }

    private func searchIndex(_ query: SearchQuery, projects: [Project], states: [String: IndexState]? = nil) throws -> SearchResult {
        let states = try states ?? wrapped { try store.indexStates() }
        let (testByProject, failures) = try indexTests(query, projects: projects.map(\.name), states: states)
        let indexed = projects.map(\.name).filter { testByProject[$0] != nil }
        let filter = query.indexFilter
        var matches: [SearchMatch]
        switch query.target {
        case .column:
            let columns = try wrapped { try store.indexedColumns(projects: indexed, filter: filter) }
            // A fleet repeats a few names thousands of times: each default label is derived once.
            var derived: [String: String] = [:]
            matches = []
            matches.reserveCapacity(columns.count)
            for column in columns where testByProject[column.project]!.matches(column.name) {
                var label: String?
                if column.label?.isEmpty ?? true {
                    label = derived[column.name]
                    if label == nil {
                        label = DisplayName.derive(column.name)
                        derived[column.name] = label
                    }
                }
                matches.append(
                    SearchMatch(
                        project: column.project, schema: column.schema, table: column.table, column: column.name, type: column.type,
                        kind: column.kind, label: column.label, graphqlName: column.graphqlField, description: column.description,
                        isNullable: column.isNullable, derivedLabel: label))
            }
        case .table:
            matches = try wrapped { try store.indexedTables(projects: indexed, filter: filter) }
                .filter { testByProject[$0.project]!.matches($0.table.name) }
                .map { project, table in
                    SearchMatch(
                        project: project, schema: table.schema, table: table.name, column: nil, type: nil, kind: table.kind,
                        label: table.label, graphqlName: table.graphqlType, description: table.description, isNullable: nil)
                }
        }
        let sources = indexed.map { project in
            AnswerSource(
                project: project, live: false, revision: states[project]?.revision, fetchedAt: states[project]?.fetchedAt, freshness: .indexOnly)
        }
        return SearchResult(matches: matches, failures: failures, sources: sources)
    }

    /// The name test for each project the index can answer for, and why each other one is skipped:
    /// not in the index yet, or a ctype whose rules the index cannot follow.
    func indexTests(
        _ query: SearchQuery, projects: [String], states: [String: IndexState]
    ) throws -> (tests: [String: NameTest], skipped: [ProjectFailure]) {
        var failures = projects.filter { states[$0] == nil }.map { project in
            ProjectFailure(project: project, outcome: .skipped("not in the local index yet", remedy: .readLiveOnce))
        }
        let tests = try nameTests(query, ctypes: Set(projects.compactMap { states[$0] }.map(\.ctype)))
        var testByProject: [String: NameTest] = [:]
        for project in projects {
            guard let state = states[project] else { continue }
            switch tests[state.ctype]! {
            case .success(let test): testByProject[project] = test
            case .failure(let error):
                let reason = "the local index cannot match like this project's database: \(error.untranslatable ?? "its character rules are unknown")"
                failures.append(ProjectFailure(project: project, outcome: .skipped(reason, remedy: .searchLive)))
            }
        }
        return (testByProject, failures)
    }

    /// One name test per ctype in the index, each compiled once for the whole search; a ctype that
    /// cannot be followed here gives the reason its projects are skipped. A pattern that cannot be
    /// evaluated on the index under any ctype is refused with one line.
    private func nameTests(_ query: SearchQuery, ctypes: Set<String?>) throws -> [String?: Result<NameTest, PostgresRegexError>] {
        try query.checkCachedEvaluation()
        var tests: [String?: Result<NameTest, PostgresRegexError>] = [:]
        for ctype in ctypes {
            do {
                tests[ctype] = .success(try query.nameTest(for: CharacterRules(ctype: ctype)))
            } catch {
                tests[ctype] = .failure(error)
            }
        }
        return tests
    }
}
