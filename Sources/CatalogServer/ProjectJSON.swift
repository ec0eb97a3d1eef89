import CatalogCore
import CatalogStore
import Foundation

/// A registered project as the API shows it: the fields of `catalog project show --format json`
/// (the DSN masked), plus the index's freshness and the last backup for the web page.
enum ProjectJSON {
    /// What the store knows about a project beyond its registry row.
    struct Extras {
        var index: IndexState?
        var lastBackupAt: Date?
    }

    static func object(_ project: Project, extras: Extras, now: Date = Date()) -> OrderedJSON {
        .object([
            ("name", .string(project.name)), ("dsn", .string(project.maskedDSN)), ("server", .string(project.server)),
            ("tags", .strings(project.tags)), ("reachable", .string(reachable(project))),
            ("status_message", .text(project.statusMessage)), ("server_version", .text(project.serverVersion)),
            ("metadata_version", .number(project.metadataVersion)), ("last_checked_at", .timestamp(project.lastCheckedAt)),
            ("last_reached_at", .timestamp(project.lastReachedAt)), ("created_at", .timestamp(project.createdAt)),
            ("index_revision", extras.index?.revision.map { .int(Int($0)) } ?? .null),
            ("index_fetched_at", .timestamp(extras.index?.fetchedAt)),
            ("index_age_seconds", .number(extras.index.map { Int(now.timeIntervalSince($0.fetchedAt)) })),
            ("last_backup_at", .timestamp(extras.lastBackupAt)),
        ])
    }

    /// `yes`, `no` or `unchecked`, as `catalog project list` prints it.
    static func reachable(_ project: Project) -> String {
        switch project.status {
        case .ok: "yes"
        case .failed: "no"
        case .unknown: "unchecked"
        }
    }
}
