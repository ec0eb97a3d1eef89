import CatalogStore
import Foundation
import PostgresClient

/// One row of the fleet dashboard (`metadata status`): the live probe, with pending migrations counted
/// against the team's registered ones too, when it last migrated, and its newest backup.
public struct MetadataFleetStatus: Sendable, Equatable {
    /// What the live probe found, with pending counted against catalog's and the team's migrations.
    public var probe: ProjectProbe
    /// When the newest migration was applied, from the project's ledger.
    public var lastMigratedAt: Date?
    /// The project's newest backup.
    public var lastBackup: BackupRecord?
    /// True when the project has no backup from the last 24 hours.
    public var backupIsStale: Bool
    /// Whether the project publishes its revision for fresh searches; nil when it could not be read.
    public var signal: RevisionSignalStatus? = nil
}

extension Catalog {
    /// Probes every selected project at once and adds what the fleet commands know; records what it found.
    public func metadataFleetStatus(
        _ selection: ProjectSelection, options: FanOutOptions = FanOutOptions(), now: Date = Date()
    ) throws -> [MetadataFleetStatus] {
        let projects = try projects(selection)
        let known = try knownMigrations(nil)
        let tasks = try projects.map { project in
            FanOutTask(key: project.name, connection: try project.connectionString(), next: Self.fleetStatusConversation)
        }
        let results = options.engine.runBlocking(tasks)
        let newest = Self.newestBackups(try wrapped { try store.backups(projects: projects.map(\.name)) })
        let rows = zip(projects, results).map { project, result in
            var row = MetadataFleetStatus(
                probe: Self.probe(project, result, timeout: options.timeout), lastMigratedAt: nil,
                lastBackup: newest[project.name], backupIsStale: true)
            if case .ok(let answers) = result.outcome, answers.count > 0 {
                let applied = answers.count > 1 ? answers[1].records.map(MetadataSchema.Applied.init) : []
                do {
                    row.probe.pending = try MigrationPlan.steps(direction: .up, target: nil, known: known, applied: applied, project: project.name)
                        .map(\.migration.version)
                    row.probe.problem = nil
                } catch {
                    row.probe.record(problem: error)
                }
                row.lastMigratedAt =
                    answers.count > 2 ? answers[2].records.first?.double("last_migrated").map(Date.init(timeIntervalSince1970:)) : nil
                row.signal = RevisionSignalStatus(answers.count > 3 ? answers[3].records.first : nil)
            }
            row.backupIsStale = row.lastBackup.map { now.timeIntervalSince($0.createdAt) > BackupListing.staleAfter } ?? true
            return row
        }
        try wrapped {
            try store.record(
                rows.map(\.probe).map { probe in
                    (
                        probe.project,
                        ProjectObservation(
                            status: probe.outcome.isOK ? .ok : .failed, message: probe.outcome.message,
                            serverVersion: probe.serverVersion, metadataVersion: probe.metadataVersion)
                    )
                })
        }
        return rows
    }

    /// The probe's conversation, then one more question on the same connection when a ledger exists:
    /// when the newest migration was applied.
    @Sendable static func fleetStatusConversation(_ results: [QueryResult]) -> Query? {
        if let next = probeConversation(results) { return next }
        switch results.count {
        case 2: return Query("SELECT extract(epoch FROM max(applied_at))::float8 AS last_migrated FROM _metadata.schema_migrations")
        case 3: return RevisionSignalStatus.query(hasRevision: results[0].records.first?.bool("has_revision") == true)
        default: return nil
        }
    }
}
