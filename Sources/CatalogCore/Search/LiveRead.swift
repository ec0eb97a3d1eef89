import CatalogStore
import Foundation
import PostgresClient

/// The conversation a live query holds with one project: read the `_metadata` revision and the
/// database's incarnation and ask the question (which carries its own WHERE) in one round trip, then
/// re-read the mappings for the index only when the revision or the incarnation moved since the copy
/// the store holds.
struct LiveRead: Sendable {
    let question: Query?
    let cachedRevision: Int64?
    /// The incarnation the store's copy was read from (`Incarnation.description`).
    let cachedIncarnation: String?
    /// Whether the store's copy holds the user-defined types; a copy without them is read again.
    var cachedHasTypes = true

    /// The ctype says how the database folds case and classifies characters in `~*` and `lower()`,
    /// in the form `CharacterRules` reads.
    static let revisionQuery = Query(
        """
        SELECT r.value AS revision, (SELECT max(version) FROM _metadata.schema_migrations) AS metadata_version,
               \(Incarnation.selectList),
               (SELECT CASE WHEN d.datctype IN ('C', 'POSIX') THEN d.datctype
                            WHEN to_jsonb(d) ->> 'datlocprovider' = 'i' THEN 'icu:' || coalesce(to_jsonb(d) ->> 'daticulocale', '')
                            WHEN d.encoding <> pg_char_to_encoding('UTF8') THEN d.datctype || ' (' || pg_encoding_to_char(d.encoding) || ')'
                            ELSE d.datctype END
                FROM pg_database d WHERE d.datname = current_database()) AS ctype
        FROM _metadata.revision r
        """)

    /// Fields added by later `_metadata` versions are read through `to_jsonb`, so older projects answer with NULL.
    static let tablesDump = Query(
        """
        SELECT to_jsonb(t) ->> 'pg_schema' AS pg_schema, t.table_name, to_jsonb(t) ->> 'relation_kind' AS relation_kind,
               t.graphql_type, t.label, t.description, t.is_shared,
               to_jsonb(t) ->> 'shared_name' AS shared_name, to_jsonb(t) ->> 'shared_version' AS shared_version,
               c.relispartition AS is_partition
        FROM _metadata.mappings_table t
        LEFT JOIN pg_namespace n ON n.nspname = coalesce(to_jsonb(t) ->> 'pg_schema', 'public')
        LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.table_name
        """)

    static let columnsDump = Query(
        """
        WITH t AS (
            SELECT id, table_name, to_jsonb(m) ->> 'pg_schema' AS pg_schema, to_jsonb(m) ->> 'relation_kind' AS relation_kind
            FROM _metadata.mappings_table m
        )
        SELECT t.pg_schema, t.table_name, t.relation_kind, c.pg_column, c.pg_type, c.graphql_field, c.label,
               c.description, c.is_nullable, c.validation_rules::text AS validation_rules, c.position
        FROM _metadata.mappings_column c JOIN t ON t.id = c.table_id
        """)

    /// The next step, given the answers so far: the revision and the question together (one round
    /// trip), then the dumps together (mappings and user-defined types) when the revision moved.
    func next(_ results: [QueryResult]) -> [Query] {
        guard let first = results.first else { return [Self.revisionQuery] + (question.map { [$0] } ?? []) }
        let asked = question == nil ? 1 : 2
        return results.count == asked && needsDump(first) ? [Self.tablesDump, Self.columnsDump, CodegenRead.typesDump] : []
    }

    private func needsDump(_ revisionResult: QueryResult) -> Bool {
        let record = revisionResult.records.first
        let revision = record?["revision"].flatMap { Int64($0) }
        let incarnation = Incarnation(record)?.description
        return revision == nil || revision != cachedRevision || incarnation != cachedIncarnation || !cachedHasTypes
    }

    /// The question's answer, and how the index should change.
    func interpret(_ results: [QueryResult], project: String) -> (answer: QueryResult?, update: IndexUpdate) {
        let answer = question == nil ? nil : results.count > 1 ? results[1] : nil
        let dumpStart = question == nil ? 1 : 2
        guard results.count >= dumpStart + 2 else { return (answer, .confirm(project: project)) }
        let state = results[0].records.first
        let tables = results[dumpStart].records.map { record in
            IndexedTable(
                schema: record["pg_schema"], name: record["table_name"] ?? "", kind: record["relation_kind"],
                graphqlType: record["graphql_type"], label: record["label"], description: record["description"],
                isShared: record.bool("is_shared"), sharedName: record["shared_name"], sharedVersion: record.int("shared_version"),
                isPartition: record.bool("is_partition"))
        }
        let columns = results[dumpStart + 1].records.map { record in
            IndexedColumn(
                schema: record["pg_schema"], table: record["table_name"] ?? "", kind: record["relation_kind"],
                name: record["pg_column"] ?? "", type: record["pg_type"], graphqlField: record["graphql_field"],
                label: record["label"], description: record["description"], isNullable: record.bool("is_nullable"),
                validationRules: record["validation_rules"], position: record.int("position"))
        }
        let update = IndexUpdate.replace(
            project: project, revision: state?["revision"].flatMap { Int64($0) }, incarnation: Incarnation(state)?.description,
            metadataVersion: state?.int("metadata_version"),
            tables: tables, columns: columns,
            types: results.count > dumpStart + 2 ? results[dumpStart + 2].records.first?["types"] ?? "[]" : nil)
        return (answer, update)
    }

    /// The advice for a project that cannot answer because its `_metadata` is missing.
    static func hint(for project: String) -> (PostgresError) -> (detail: String, remedy: CatalogError.Remedy)? {
        { error in
            error.isUndefinedObject ? ("its _metadata schema is missing or incomplete", .installAndScanMetadata(project)) : nil
        }
    }
}

/// The outcome of reading many projects live: each project's answer, and the index brought up to date.
struct LiveReadOutcome {
    var answers: [(project: String, answer: QueryResult?)] = []
    var failures: [ProjectFailure] = []
    var sources: [AnswerSource] = []
}

extension Catalog {
    /// How many projects one round of a live read takes: a few rounds of the concurrency, so the
    /// answers held at once (a project that changed answers with all its mappings) stay a bounded
    /// number of projects' worth, whatever the fleet's size.
    static func liveReadRound(concurrency: Int) -> Int { max(64, concurrency * 4) }

    /// Runs `question` (or nothing but the index refresh) on every project at once, refreshes the
    /// index for the projects that answered, and records who was reachable. `states` are the index
    /// states a freshness check has just read, so they are not read twice.
    func readLive(
        _ projects: [Project], question: Query?, options: FanOutOptions, epoch: Int64? = nil, states: [String: IndexState]? = nil
    ) throws -> LiveReadOutcome {
        let states = try states ?? wrapped { try store.indexStates() }
        var conversations: [String: LiveRead] = [:]
        let tasks = try projects.map { project in
            let state = states[project.name]
            let conversation = LiveRead(
                question: question, cachedRevision: state?.revision, cachedIncarnation: state?.incarnation, cachedHasTypes: state?.hasTypes ?? true)
            conversations[project.name] = conversation
            return FanOutTask(key: project.name, connection: try project.connectionString(), steps: conversation.next)
        }
        var outcome = LiveReadOutcome()
        var updates: [IndexUpdate] = []
        var observations: [(project: String, observation: ProjectObservation)] = []
        var ctypes: [(project: String, ctype: String?)] = []
        let now = Date()
        let round = Self.liveReadRound(concurrency: options.concurrency)
        for start in stride(from: 0, to: tasks.count, by: round) {
            var results = options.engine.runBlocking(Array(tasks[start..<min(start + round, tasks.count)]))
            for position in results.indices {
                let result = results[position]
                // Drop each project's rows once read, and write the index in batches, so a first run over
                // a thousand projects never holds every project's mappings twice.
                results[position].outcome = .ok([])
                let projectOutcome = ProjectOutcome(result.outcome, timeout: options.timeout, hint: LiveRead.hint(for: result.key))
                switch result.outcome {
                case .ok(let answers):
                    let (answer, update) = conversations[result.key]!.interpret(answers, project: result.key)
                    outcome.answers.append((result.key, answer))
                    updates.append(update)
                    let revision = answers.first?.records.first?["revision"].flatMap { Int64($0) }
                    outcome.sources.append(AnswerSource(project: result.key, live: true, revision: revision, fetchedAt: now))
                    observations.append(
                        (
                            result.key,
                            ProjectObservation(
                                status: .ok, metadataVersion: answers.first?.records.first?.int("metadata_version"), at: now)
                        ))
                    ctypes.append((result.key, answers.first?.records.first?["ctype"]))
                case .failed(let error) where !error.isReachabilityFailure:
                    // The project answered; only the statement failed, so its reachability stands.
                    outcome.failures.append(ProjectFailure(project: result.key, outcome: projectOutcome))
                case .failed, .timedOut:
                    outcome.failures.append(ProjectFailure(project: result.key, outcome: projectOutcome))
                    observations.append((result.key, ProjectObservation(status: .failed, message: projectOutcome.message, at: now)))
                }
                if updates.count >= 100 {
                    try writeIndex(updates, at: now, epoch: epoch)
                    updates.removeAll(keepingCapacity: true)
                }
            }
            // A round's rewritten mappings go to the store before the next round reads more.
            if updates.contains(where: { if case .replace = $0 { true } else { false } }) {
                try writeIndex(updates, at: now, epoch: epoch)
                updates.removeAll(keepingCapacity: true)
            }
        }
        try writeIndex(updates, ctypes: ctypes, observations: observations, at: now, epoch: epoch)
        return outcome
    }

    /// Every index write of a live read, and so of `serve`'s background refresh, goes through here.
    /// `epoch` fences it: the background refresh passes the epoch of the `index-refresh` lease it
    /// holds, and when another replica has taken the lease over since, nothing is written (that
    /// replica's refresh writes instead). A request's own read passes nil, never fenced.
    func writeIndex(
        _ updates: [IndexUpdate], ctypes: [(project: String, ctype: String?)] = [],
        observations: [(project: String, observation: ProjectObservation)] = [], at date: Date, epoch: Int64?
    ) throws {
        if let epoch {
            guard try applyIndexUpdates(updates, fencedBy: epoch, now: date) else { return }
        }
        try wrapped {
            if epoch == nil { try store.applyIndexUpdates(updates, at: date) }
            if !ctypes.isEmpty { try store.recordIndexCtypes(ctypes) }
            if !observations.isEmpty { try store.record(observations) }
        }
    }
}
