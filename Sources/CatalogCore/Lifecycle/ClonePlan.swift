import CatalogStore
import Foundation

/// What `project clone` was asked for.
public struct CloneRequest: Sendable, Equatable {
    public var source: String
    public var name: String
    /// A connection string to another server; nil clones on the source's server.
    public var serverDSN: String?
    /// The clone's database; `<name>_db` when nil.
    public var database: String?
    /// Copy the schema and `_metadata`, no rows of the user's tables.
    public var schemaOnly: Bool
    /// Copy from one `pg_dump` snapshot even when the source is idle.
    public var snapshot: Bool
    public var tags: [String]

    public init(
        source: String, name: String, serverDSN: String? = nil, database: String? = nil, schemaOnly: Bool = false, snapshot: Bool = false,
        tags: [String] = []
    ) {
        self.source = source
        self.name = name
        self.serverDSN = serverDSN
        self.database = database
        self.schemaOnly = schemaOnly
        self.snapshot = snapshot
        self.tags = tags
    }

    public var databaseName: String { database ?? "\(name)_db" }
}

/// A clone worked out before anything changes: which path it takes and why, and every statement.
public struct ClonePlan: Sendable, Equatable {
    /// How the rows travel.
    public enum Path: String, Sendable, Equatable {
        /// `CREATE DATABASE … TEMPLATE <source>`: a copy made by the server, only while nobody else is connected to the source.
        case template
        /// `pg_dump` from one snapshot into `pg_restore --single-transaction`: the source keeps running.
        case snapshot
    }

    public var source: String
    public var sourceDatabase: String
    public var project: String
    public var tags: [String]
    /// The target server, as `host:port`.
    public var server: String
    public var sameServer: Bool
    public var maskedDSN: String
    public var database: String
    public var temporaryDatabase: String
    public var token: String
    public var path: Path
    /// Why this path (and, for a template copy, this STRATEGY), as the plan says it.
    public var reason: String
    public var schemaOnly: Bool
    public var createStatement: String
    public var commentStatement: String
    public var renameStatement: String
    /// The source's attachments, carried to the clone with their pins, synced versions and overrides.
    public var attachments: [CreatedAttachment]
    var dropTemporaryStatement: String
    var dropDatabaseStatement: String

    var run: LifecycleRun {
        LifecycleRun(
            operation: "clone", project: project, server: server, database: database, temporaryDatabase: temporaryDatabase, token: token,
            createStatement: createStatement, commentStatement: commentStatement, renameStatement: renameStatement,
            dropTemporaryStatement: dropTemporaryStatement, dropDatabaseStatement: dropDatabaseStatement)
    }

    /// Every step in order, as `--plan` prints it.
    public var steps: [String] {
        var steps = ["path: \(path.rawValue) (\(reason))"] + run.openingSteps
        if path == .snapshot {
            let data = schemaOnly ? " without the rows of the user's tables (--exclude-table-data; _metadata's rows are kept)" : ""
            steps.append("pg_dump --format=custom --snapshot=<one REPEATABLE READ snapshot of \(sourceDatabase)>\(data)")
            steps.append(
                "pg_restore --single-transaction --exit-on-error\(sameServer ? "" : " --no-owner --no-privileges") into \(temporaryDatabase)")
            if !schemaOnly { steps.append("compare every table's row count with the snapshot's") }
        }
        steps.append("give the clone its own lineage id: UPDATE _metadata.revision SET lineage = gen_random_uuid()")
        steps.append(run.closingStep)
        let attached = attachments.map { "\($0.definition)@\($0.syncedVersion.map(String.init) ?? "-")" }
        steps.append(
            "register project \(project) (\(maskedDSN)), cloned from \(source) at its _metadata revision"
                + (tags.isEmpty ? "" : ", tags \(tags.joined(separator: ","))")
                + (attached.isEmpty ? "" : ", attached to \(attached.joined(separator: ", "))"))
        return steps
    }
}

/// What a completed clone did.
public struct CloneResult: Sendable, Equatable {
    public var plan: ClonePlan
    /// The source's `_metadata` revision the clone was copied at; nil without `_metadata`.
    public var revision: Int?
    public var seconds: Double
    public var lockWaitSeconds: Double
    public var cleanedUp: [String]
}
