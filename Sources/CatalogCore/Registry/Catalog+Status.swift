import CatalogStore
import Foundation

extension Catalog {
    /// Each project's search-index freshness, by project name.
    public func indexStates() throws -> [String: IndexState] {
        try wrapped { try store.indexStates() }
    }

    /// When each of `projects` was last backed up, for those that have a backup.
    public func newestBackups(of projects: [String]) throws -> [String: Date] {
        var newest: [String: Date] = [:]
        for backup in try wrapped({ try store.backups(projects: projects) }) {
            newest[backup.project] = max(newest[backup.project] ?? backup.createdAt, backup.createdAt)
        }
        return newest
    }

    /// Reads the store's migration ledger; throws when the store cannot be read (a health check).
    public func checkStore() throws {
        _ = try wrapped { try store.appliedMigrations() }
    }
}
