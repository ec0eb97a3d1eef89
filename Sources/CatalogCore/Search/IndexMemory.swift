import CatalogStore
import Foundation
import Synchronization

/// The search index held in memory, as the store has it: every registered project, its index state,
/// tables and columns. `catalog serve` loads it at start, and keeps it fresh with a background check
/// (`Catalog.refresh(_:options:role:)`) and by reloading what moved whenever the store's change
/// version moves (`Catalog.reload(_:)`), so a search reads no store and no database.
///
/// A search takes one `Snapshot`, a value: reloads build a new one and swap it in, and each swap
/// moves `generation`, so an answer rendered for a generation may be kept until the next.
public final class IndexMemory: Sendable {
    /// One consistent picture of the index, and how fresh it is.
    public struct Snapshot: Sendable {
        /// Every registered project, by name.
        var projects: [Project] = []
        var states: [String: IndexState] = [:]
        var columns: [String: [IndexedColumn]] = [:]
        var tables: [String: [IndexedTable]] = [:]
        /// Moves with every swap.
        public internal(set) var generation = 0
        /// Whether the store has been read into memory at least once.
        public internal(set) var isLoaded = false
        /// When the last completed background check began: what it confirmed was current then.
        public internal(set) var checkedAt: Date?
        /// Projects the last background check could neither confirm nor read, with why.
        var failures: [String: ProjectFailure] = [:]
        /// Projects a replica that does not lead the index refresh found changed: the leader reads
        /// them, and until this memory holds the new copy a search of them is checked at request time.
        var pending: Set<String> = []
        /// Why the store could not be read at the last attempt; nil when it could.
        public internal(set) var registryProblem: String?
        /// The store's change version the memory reflects.
        public internal(set) var changeVersion: Int64?

        /// How long ago the last background check began, or nil when none completed.
        public func checkAge(now: Date = Date()) -> TimeInterval? { checkedAt.map { now.timeIntervalSince($0) } }
    }

    private let current = Mutex(Snapshot())
    /// Reloads run one at a time (the watcher's and the background check's), so an older read
    /// never replaces a newer one.
    let reloadLock = NSLock()

    public init() {}

    /// The picture searches read now.
    public var snapshot: Snapshot { current.withLock { $0 } }

    /// Changes the picture in one step, moving its generation.
    func update(_ change: (inout Snapshot) -> Void) {
        current.withLock { snapshot in
            change(&snapshot)
            snapshot.generation += 1
        }
    }
}

extension Catalog {
    /// Brings `memory` up to the store: the registry, and the tables and columns of each project
    /// whose index copy moved (a new revision, incarnation or ctype), read once. A store that cannot
    /// be read leaves the picture as it was and records why, so searches answer from it, marked stale.
    public func reload(_ memory: IndexMemory) throws {
        memory.reloadLock.lock()
        defer { memory.reloadLock.unlock() }
        do {
            // Read first, so a write committed after it moves the version again and is reloaded then.
            let version = try wrapped { try store.changeVersion() }
            let projects = try wrapped { try store.projects() }
            let states = try wrapped { try store.indexStates() }
            let old = memory.snapshot
            let moved = states.values.filter { state in
                guard old.isLoaded, let held = old.states[state.project] else { return true }
                return !Self.sameCopy(held, state)
            }.map(\.project)
            var columns: [String: [IndexedColumn]] = [:]
            var tables: [String: [IndexedTable]] = [:]
            if !moved.isEmpty {
                for column in try wrapped({ try store.indexedColumns(projects: moved, filter: .all) }) {
                    columns[column.project, default: []].append(column)
                }
                for (project, table) in try wrapped({ try store.indexedTables(projects: moved, filter: .all) }) {
                    tables[project, default: []].append(table)
                }
            }
            memory.update { snapshot in
                snapshot.projects = projects
                snapshot.states = states
                let kept = Set(states.keys)
                snapshot.columns = snapshot.columns.filter { kept.contains($0.key) }
                snapshot.tables = snapshot.tables.filter { kept.contains($0.key) }
                for project in moved {
                    snapshot.columns[project] = columns[project] ?? []
                    snapshot.tables[project] = tables[project] ?? []
                }
                snapshot.isLoaded = true
                snapshot.registryProblem = nil
                snapshot.changeVersion = version
            }
        } catch {
            let problem = (error as? CatalogError)?.message ?? "\(error)"
            memory.update { $0.registryProblem = problem }
            throw error
        }
    }

    /// Whether two index states describe the same copy of a project's mappings (a confirmation
    /// moves only the time it was fetched).
    static func sameCopy(_ lhs: IndexState, _ rhs: IndexState) -> Bool {
        lhs.revision == rhs.revision && lhs.incarnation == rhs.incarnation && lhs.ctype == rhs.ctype
            && lhs.metadataVersion == rhs.metadataVersion && lhs.hasTypes == rhs.hasTypes
    }

    /// The store's change version, which any committed registry write moves.
    public func changeVersion() throws -> Int64 {
        try wrapped { try store.changeVersion() }
    }

    /// Waits up to `timeout` seconds for the store to announce a committed write (a PostgreSQL store's
    /// `NOTIFY`); says whether it did. Polling `changeVersion` stays the truth.
    public func waitForChange(timeout: Double) throws -> Bool {
        try wrapped { try store.waitForChange(timeout: timeout) }
    }

    /// Who writes what a background check finds changed.
    public enum RefreshRole: Sendable, Equatable {
        /// This replica leads the index refresh: it reads the changed projects and writes their
        /// copies fenced by `epoch` (nil: no lease is in use, the write always runs).
        case leader(epoch: Int64?)
        /// Another replica leads: this one only asks the servers, and marks what changed as pending
        /// until the leader's write reaches memory through the change version.
        case follower
    }

    /// One background check: per server one revision query, then, as leader, only the projects that
    /// changed (or were never indexed, or publish nothing) are read, their index copies written
    /// through `writeIndex` fenced by the lease's epoch, and `memory` reloaded. Projects that could
    /// not be confirmed or read are remembered as failed, so searches say so while the others answer.
    public func refresh(_ memory: IndexMemory, options: FanOutOptions, role: RefreshRole = .leader(epoch: nil)) throws {
        let started = Date()
        let projects: [Project]
        do {
            projects = try wrapped { try store.projects() }
        } catch {
            memory.update { $0.registryProblem = (error as? CatalogError)?.message ?? "\(error)" }
            throw error
        }
        let check = try checkFreshness(projects, options: options)
        var failures = check.failures
        var pending: Set<String> = []
        switch role {
        case .leader(let epoch):
            if !check.toRead.isEmpty {
                failures += try readLive(check.toRead, question: nil, options: options, epoch: epoch, states: check.states).failures
            }
        case .follower:
            pending = Set(check.toRead.map(\.name))
        }
        try reload(memory)
        memory.update { snapshot in
            snapshot.checkedAt = started
            snapshot.failures = Dictionary(failures.map { ($0.project, $0) }, uniquingKeysWith: { first, _ in first })
            snapshot.pending = pending
        }
    }

    /// Finds columns or tables in `snapshot` alone: the same rows the index gives for the same
    /// projects, each source marked as kept fresh by the background check. A project the last check
    /// could not reach is a failure; one not in the index yet is skipped, as a cached search says.
    public func search(
        _ query: SearchQuery, in selection: ProjectSelection = ProjectSelection(), memory snapshot: IndexMemory.Snapshot
    ) throws
        -> SearchResult
    {
        var selection = selection
        if selection.names.isEmpty { selection.all = true }
        let chosen = try Self.choose(selection, registered: snapshot.projects).map(\.name)
        if let waiting = chosen.first(where: snapshot.pending.contains) {
            throw CatalogError(.failed, "project \(waiting) changed and its new copy is not in memory yet")
        }
        let failed = chosen.compactMap { snapshot.failures[$0] }
        let answering = chosen.filter { snapshot.failures[$0] == nil }
        let (tests, skipped) = try indexTests(query, projects: answering, states: snapshot.states)
        let filter = query.indexFilter
        var matches: [SearchMatch] = []
        for project in answering {
            guard let test = tests[project] else { continue }
            switch query.target {
            case .column:
                for column in snapshot.columns[project] ?? [] where filter.admits(column.name) && test.matches(column.name) {
                    matches.append(
                        SearchMatch(
                            project: project, schema: column.schema, table: column.table, column: column.name, type: column.type,
                            kind: column.kind, label: column.label, graphqlName: column.graphqlField, description: column.description,
                            isNullable: column.isNullable))
                }
            case .table:
                for table in snapshot.tables[project] ?? [] where filter.admits(table.name) && test.matches(table.name) {
                    matches.append(
                        SearchMatch(
                            project: project, schema: table.schema, table: table.name, column: nil, type: nil, kind: table.kind,
                            label: table.label, graphqlName: table.graphqlType, description: table.description, isNullable: nil))
                }
            }
        }
        let sources = answering.filter { tests[$0] != nil }.map { project in
            AnswerSource(
                project: project, live: false, revision: snapshot.states[project]?.revision, fetchedAt: snapshot.checkedAt,
                freshness: .backgroundCheck)
        }
        return SearchResult(matches: matches, failures: failed + skipped, sources: sources).inAnswerOrder
    }
}
