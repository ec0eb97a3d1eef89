import CatalogStore
import Foundation
import PostgresClient

/// What one revision query per server says about each selected project: which index copies are
/// confirmed current, which projects must be read the per-project way, and which could not be asked.
struct FreshnessCheck: Sendable {
    /// Projects whose index copy matches what their server publishes, with the revision confirmed.
    var unchanged: [(project: Project, revision: Int64)] = []
    /// Projects to read the per-project way: changed, never indexed, without a signal (no grant, an
    /// older `_metadata`, a value that is missing, malformed or a copy's), or on a server whose
    /// revision query failed (the per-project read then says what is wrong with each).
    var toRead: [Project] = []
    /// Projects on a server whose revision query did not answer within the timeout.
    var failures: [ProjectFailure] = []
    /// The index states the check compared with, by project, so the index search that follows
    /// need not read them again (a tenth of a warm service's request at N = 1000, by perf).
    var states: [String: IndexState] = [:]
}

extension Catalog {
    /// Asks every server of `projects` for its published revisions, one connection and one statement
    /// per server, all servers at once, each bounded by `options.timeout`; compares with the index.
    /// With `options.signal`, the statement runs on a kept-open connection to the signal database;
    /// a server where that fails is asked once more on a project's own database.
    func checkFreshness(_ projects: [Project], options: FanOutOptions) throws -> FreshnessCheck {
        let states = try wrapped { try store.indexStates() }
        var check = FreshnessCheck(states: states)
        var groups: [String: [(project: Project, connection: ConnectionString)]] = [:]
        var order: [String] = []
        for project in projects {
            let connection = try project.connectionString()
            guard connection.databaseName != nil, states[project.name] != nil else {
                check.toRead.append(project)
                continue
            }
            let key = ServerRevisions.serverKey(connection)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append((project, connection))
        }
        for result in Self.askServers(order.map { ($0, groups[$0]![0].connection) }, options: options) {
            let members = groups[result.key] ?? []
            switch result.outcome {
            case .ok(let answers):
                let revisions = ServerRevisions(answers.first ?? QueryResult(columns: [], rows: []))
                for member in members {
                    if let revision = Self.confirmedRevision(
                        state: states[member.project.name], database: member.connection.databaseName, revisions: revisions)
                    {
                        check.unchanged.append((member.project, revision))
                    } else {
                        check.toRead.append(member.project)
                    }
                }
            case .timedOut:
                check.failures += members.map { ProjectFailure(project: $0.project.name, outcome: .timedOut(options.timeout)) }
            case .failed:
                check.toRead += members.map(\.project)
            }
        }
        return check
    }

    /// Runs the revision query once per server: on a project's database with a connection of its
    /// own, or on the signal connection's, falling back to the project's for servers where that failed.
    static func askServers(_ servers: [(key: String, connection: ConnectionString)], options: FanOutOptions) -> [FanOutResult] {
        guard let signal = options.signal else {
            let tasks = servers.map { FanOutTask(key: $0.key, connection: $0.connection, query: ServerRevisions.query) }
            return FanOut(concurrency: options.concurrency, timeout: options.timeout).runBlocking(tasks)
        }
        let kept = servers.map { server in
            FanOutTask(
                key: server.key, connection: signal.database.map { server.connection.replacing("dbname", with: $0) } ?? server.connection,
                query: ServerRevisions.query)
        }
        var results = FanOut(concurrency: options.concurrency, timeout: options.timeout, pool: signal.pool).runBlocking(kept)
        let retry = servers.enumerated().filter { position, _ in
            if signal.database == nil { return false }
            if case .failed = results[position].outcome { return true }
            return false
        }
        guard !retry.isEmpty else { return results }
        let again = FanOut(concurrency: options.concurrency, timeout: options.timeout)
            .runBlocking(retry.map { FanOutTask(key: $0.element.key, connection: $0.element.connection, query: ServerRevisions.query) })
        for (answer, (position, _)) in zip(again, retry) { results[position] = answer }
        return results
    }

    /// The revision the index holds for a project when its server confirms it: the published value
    /// parses, names the OID the database has now, and names the incarnation and revision of the
    /// index's copy. Anything else (missing, malformed, a copy's value, a newer or an older
    /// revision) means "read this project".
    static func confirmedRevision(state: IndexState?, database: String?, revisions: ServerRevisions) -> Int64? {
        guard let state, let database, let row = revisions.databases[database], let value = row.published,
            let published = PublishedRevision(value), published.incarnation.databaseOID == row.oid,
            published.incarnation.description == state.incarnation, published.revision == state.revision
        else { return nil }
        return published.revision
    }
}
