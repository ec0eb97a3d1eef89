import CatalogStore
import Foundation

/// What `backup list` shows: the backups, newest first, and the projects that have gone too long without one.
public struct BackupListing: Sendable, Equatable {
    /// A project with no backup in the last `BackupListing.staleAfter` seconds; `lastBackupAt` is nil when it has none.
    public struct StaleProject: Sendable, Equatable {
        /// The project without a recent backup.
        public var project: String
        /// When its newest backup was taken, or nil when it has none.
        public var lastBackupAt: Date?
    }

    /// A project's newest backup older than this (24 h) is flagged.
    public static let staleAfter: TimeInterval = 24 * 3600

    /// The backups, newest first.
    public var backups: [BackupRecord]
    /// Registered projects with no backup in the last 24 h.
    public var stale: [StaleProject]

    /// True when `backup` is its project's newest and older than `staleAfter`.
    public func isStale(_ backup: BackupRecord) -> Bool {
        stale.contains { $0.project == backup.project && $0.lastBackupAt == backup.createdAt }
    }
}

extension Catalog {
    /// Backups of the named projects (all when empty), newest first, with the registered projects that
    /// have no backup in the last 24 h. A name that is neither registered nor backed up is an error.
    public func listBackups(projects names: [String] = [], now: Date = Date()) throws -> BackupListing {
        let backups = try wrapped { try store.backups(projects: names) }
        let registered = try wrapped { try store.projects() }.map(\.name)
        for name in names where !registered.contains(name) && !backups.contains(where: { $0.project == name }) {
            throw CatalogError.unknownProject(name)
        }
        let newest = Self.newestBackups(backups)
        let watched = names.isEmpty ? registered : names.filter(registered.contains)
        let stale = watched.compactMap { project -> BackupListing.StaleProject? in
            let last = newest[project]?.createdAt
            guard last.map({ now.timeIntervalSince($0) > BackupListing.staleAfter }) ?? true else { return nil }
            return BackupListing.StaleProject(project: project, lastBackupAt: last)
        }
        return BackupListing(backups: backups, stale: stale)
    }

    /// Each project's newest backup, from a list sorted newest first.
    static func newestBackups(_ backups: [BackupRecord]) -> [String: BackupRecord] {
        var newest: [String: BackupRecord] = [:]
        for backup in backups where newest[backup.project] == nil { newest[backup.project] = backup }
        return newest
    }
}
