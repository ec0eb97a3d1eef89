import CatalogSchema
import CatalogStore
import Foundation
import PostgresClient

/// What `metadata install` did to one project.
public struct MetadataInstallResult: Sendable, Equatable {
    public var project: String
    public var outcome: ProjectOutcome
    public var fromVersion: Int?
    public var toVersion: Int?
    /// The identifiers of the migrations applied, such as `0002_schemas_and_kinds`.
    public var applied: [String]
    /// The migration recorded as already there when an existing `_metadata` of the original design
    /// was adopted, such as `0001_mappings`; nil otherwise.
    public var adopted: String? = nil
    /// Whether the project now publishes its revision for fresh searches, and what turns it on if not.
    public var signal: RevisionSignalStatus? = nil
    /// The project's server, as `user@host:port` without a password.
    public var server: String = ""
}

extension Catalog {
    /// Creates or upgrades `_metadata` in every selected project, each in one transaction under the
    /// advisory lock. Projects are independent: one failure leaves the others to finish.
    @discardableResult
    public func installMetadata(
        _ selection: ProjectSelection, options: FanOutOptions = FanOutOptions(),
        migrations: [SchemaMigration] = MetadataSchema.migrations
    ) throws -> [MetadataInstallResult] {
        let projects = try projects(selection)
        let results = BoundedWorkers.map(
            projects, concurrency: options.concurrency, timeout: options.timeout, progress: options.progress, project: { $0.name }
        ) { project, conversation in
            Self.installMetadata(project, migrations: migrations, conversation: conversation)
        }
        let observations = results.map { result in
            (
                result.project,
                ProjectObservation(
                    status: result.outcome.isOK ? .ok : .failed, message: result.outcome.message, metadataVersion: result.toVersion)
            )
        }
        try wrapped { try store.record(observations) }
        for result in results {
            audit(
                "metadata.install", target: result.project, result: result.outcome.label,
                detail: result.outcome.message ?? (result.adopted.map { "adopted at \($0); " } ?? "")
                    + "applied: \(result.applied.joined(separator: ", "))")
        }
        return results
    }

    static func installMetadata(_ project: Project, migrations: [SchemaMigration], conversation: ProjectConversation) -> MetadataInstallResult {
        var result = MetadataInstallResult(project: project.name, outcome: .ok, fromVersion: nil, toVersion: nil, applied: [])
        // The server alone (`user@host:port`), so advice given once per server groups its projects.
        if let connection = try? project.connectionString() {
            let database = connection.databaseName.map { "/\($0)" } ?? ""
            result.server = connection.server.hasSuffix(database) ? String(connection.server.dropLast(database.count)) : connection.server
        }
        do {
            let connection = try conversation.connect(project.connectionString())
            result.fromVersion = try MetadataSchema.applied(on: connection).map(\.version).max()
            let installed = try MetadataSchema.install(migrations, on: connection, project: project.name)
            result.adopted = installed.adopted?.identifier
            result.applied = installed.applied.map(\.identifier)
            result.toVersion = try MetadataSchema.applied(on: connection).map(\.version).max()
            if (result.toVersion ?? 0) >= 4 { PublishedRevision.republish(on: connection) }
            // Advice only: a signal that cannot be read never fails an install that succeeded.
            result.signal = (try? connection.query(RevisionSignalStatus.query(hasRevision: true)))
                .map { RevisionSignalStatus($0.records.first) }
        } catch {
            result.outcome = conversation.outcome(for: error, project: project.name)
        }
        return result
    }
}
