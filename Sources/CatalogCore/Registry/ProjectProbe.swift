import CatalogStore
import Foundation
import PostgresClient

/// What one live look at a project found: is it reachable, and what `_metadata` does it hold.
public struct ProjectProbe: Sendable, Equatable {
    public var project: String
    public var server: String
    public var outcome: ProjectOutcome
    public var serverVersion: String?
    /// The newest applied `_metadata` migration; nil when `_metadata` is not installed.
    public var metadataVersion: Int?
    /// catalog's migrations not yet applied there.
    public var pending: [Int]
    public var revision: Int64?
    /// Set when an applied migration no longer matches catalog's file.
    public var problem: String?
    public var seconds: Double
    /// What to do about `problem`, for a front end to word.
    public var problemRemedy: CatalogError.Remedy? = nil

    /// The problem with what to do next, the remedy worded by `advice` (a front end's words).
    public func problem(advice: (CatalogError.Remedy) -> String) -> String? {
        guard let problem else { return nil }
        return problemRemedy.map { "\(problem); \(advice($0))" } ?? problem
    }

    /// Records an error as the problem: its message and its remedy.
    mutating func record(problem error: Error) {
        let wrapped = CatalogError.wrap(error)
        problem = wrapped.message
        problemRemedy = wrapped.remedy
    }
}

extension Catalog {
    /// Connects to every selected project at once and reports what it found; records it in the registry.
    public func probe(_ selection: ProjectSelection, options: FanOutOptions = FanOutOptions()) throws -> [ProjectProbe] {
        let projects = try projects(selection)
        let tasks = try projects.map { project in
            FanOutTask(key: project.name, connection: try project.connectionString(), next: Self.probeConversation)
        }
        let results = options.engine.runBlocking(tasks)
        let probes = zip(projects, results).map { project, result in
            Self.probe(project, result, timeout: options.timeout)
        }
        let observations = probes.map { probe in
            (
                probe.project,
                ProjectObservation(
                    status: probe.outcome.isOK ? .ok : .failed, message: probe.outcome.message,
                    serverVersion: probe.serverVersion, metadataVersion: probe.metadataVersion)
            )
        }
        try wrapped { try store.record(observations) }
        return probes
    }

    /// First ask what exists, then read the ledger and revision only if they are there.
    @Sendable static func probeConversation(_ results: [QueryResult]) -> Query? {
        switch results.count {
        case 0:
            return Query(
                """
                SELECT current_setting('server_version') AS server_version,
                       to_regclass('_metadata.schema_migrations') IS NOT NULL AS has_ledger,
                       to_regclass('_metadata.revision') IS NOT NULL AS has_revision
                """)
        case 1:
            let first = results[0].records.first
            guard first?.bool("has_ledger") == true else { return nil }
            let revision = first?.bool("has_revision") == true ? "(SELECT value FROM _metadata.revision)" : "NULL::bigint"
            return Query(
                """
                SELECT version, name, checksum, applied_at::text, \(revision) AS revision
                FROM _metadata.schema_migrations ORDER BY version
                """)
        default:
            return nil
        }
    }

    static func probe(_ project: Project, _ result: FanOutResult, timeout: Double) -> ProjectProbe {
        var probe = ProjectProbe(
            project: project.name, server: project.server, outcome: ProjectOutcome(result.outcome, timeout: timeout),
            serverVersion: nil, metadataVersion: nil, pending: [], revision: nil, problem: nil, seconds: result.seconds)
        guard case .ok(let answers) = result.outcome, let first = answers.first?.records.first else { return probe }
        probe.serverVersion = first["server_version"]
        guard answers.count > 1 else {
            probe.pending = MetadataSchema.migrations.map(\.version)
            return probe
        }
        let applied = answers[1].records.map(MetadataSchema.Applied.init)
        probe.metadataVersion = applied.map(\.version).max() ?? 0
        probe.revision = answers[1].records.first.flatMap { $0["revision"] }.flatMap { Int64($0) }
        do {
            probe.pending = try MetadataSchema.pending(applied: applied, known: MetadataSchema.migrations, project: project.name).map(\.version)
        } catch {
            probe.record(problem: error)
        }
        return probe
    }
}
