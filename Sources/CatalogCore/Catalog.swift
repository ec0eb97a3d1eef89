import CatalogStore
import Foundation
import PostgresClient

/// The library's front door: every command opens one `Catalog` on a store and calls one method.
public final class Catalog: Sendable {
    /// The store behind the catalog: the SQLite `Store` or the PostgreSQL-backed `PostgresStore`.
    public let store: any CatalogStoring

    public init(store: any CatalogStoring) {
        self.store = store
    }

    /// Opens (creating or upgrading) the store at `location`; `.readOnly` for commands that only read.
    public convenience init(location: StoreLocation, access: StoreAccess = .readWrite) throws {
        do {
            try self.init(store: location.openStore(access))
        } catch {
            throw CatalogError.wrap(error)
        }
    }

    /// Records one mutating command in the audit log; a failure to log never hides the command's own result.
    func audit(_ action: String, target: String?, result: String, detail: String? = nil) {
        try? store.audit(AuditEntry(action: action, target: target, result: result, detail: detail))
    }
}

/// Which projects a command acts on: names, `--all`, and `--tag` filters.
public struct ProjectSelection: Sendable, Equatable {
    public var names: [String]
    public var all: Bool
    public var tags: [String]
    /// When true, a tag that no registered project has is an error instead of selecting nothing.
    /// The CLI sets it, so a mistyped `--tag` is not mistaken for an empty answer.
    public var strictTags: Bool

    public init(names: [String] = [], all: Bool = false, tags: [String] = [], strictTags: Bool = false) {
        self.names = names
        self.all = all
        self.tags = tags
        self.strictTags = strictTags
    }

    public static let everything = ProjectSelection(all: true)
}

extension Catalog {
    /// Resolves a selection against the registry, before any connection is made. Unknown names
    /// are errors, and so are tags that no registered project has when `strictTags` is set.
    public func projects(_ selection: ProjectSelection) throws -> [Project] {
        try Self.choose(selection, registered: try wrapped { try store.projects() })
    }

    /// The projects of `registered` that `selection` names, in the order `projects(_:)` gives them.
    static func choose(_ selection: ProjectSelection, registered: [Project]) throws -> [Project] {
        if selection.strictTags { try Self.checkTags(selection.tags, registered: registered) }
        let byName = Dictionary(uniqueKeysWithValues: registered.map { ($0.name, $0) })
        var chosen: [Project]
        if selection.all || (selection.names.isEmpty && !selection.tags.isEmpty) {
            chosen = registered
        } else if selection.names.isEmpty {
            throw CatalogError.noProjectsSelected()
        } else {
            chosen = try selection.names.map { name in
                guard let project = byName[name] else { throw CatalogError.unknownProject(name) }
                return project
            }
            var seen = Set<String>()
            chosen = chosen.filter { seen.insert($0.name).inserted }
        }
        if !selection.tags.isEmpty {
            let wanted = Set(selection.tags)
            chosen = chosen.filter { !wanted.isDisjoint(with: $0.tags) }
        }
        return chosen
    }

    /// Refuses a tag that no registered project has: selecting nothing and printing nothing
    /// would look like a search that found nothing.
    static func checkTags(_ tags: [String], registered: [Project]) throws {
        let known = Set(registered.flatMap(\.tags))
        if let unknown = tags.first(where: { !known.contains($0) }) {
            throw CatalogError.unknownTag(unknown, known: known.sorted())
        }
    }

    func wrapped<T>(project: String? = nil, _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw CatalogError.wrap(error, project: project) }
    }
}

extension Project {
    /// The parsed connection string; a stored one was validated when it was added.
    public func connectionString() throws -> ConnectionString {
        do { return try ConnectionString(dsn) } catch { throw CatalogError.wrap(error, project: name) }
    }

    /// The server, without the password, for tables and messages.
    public var server: String { (try? ConnectionString(dsn).server) ?? "?" }

    /// The connection string with its password masked.
    public var maskedDSN: String { (try? ConnectionString(dsn).masked) ?? "****" }
}
