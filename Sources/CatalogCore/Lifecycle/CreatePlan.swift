import Foundation

/// A `project create` worked out before anything changes: every statement, in order, so `--plan` prints
/// exactly what the create runs. The database is made under a temporary name, filled (`_metadata`,
/// tables, synced mappings) and renamed last, and the project is registered in the same store
/// transaction that forgets the create's record: a failure or a kill never leaves a registered project
/// whose database is half made, and the next create on the server drops what a killed one left.
public struct CreatePlan: Sendable, Equatable {
    public var project: String
    public var tags: [String]
    /// The server, as `host:port`.
    public var server: String
    /// The project's connection string as it will be registered, password masked.
    public var maskedDSN: String
    /// The database's final name.
    public var database: String
    /// Where the database is made and filled before it takes its final name.
    public var temporaryDatabase: String
    /// A random id, written as the new database's comment, so a leftover is recognised as this run's.
    public var token: String
    /// `CREATE DATABASE` for the temporary database, from `template0` (see `CreatePlanner`).
    public var createStatement: String
    /// `COMMENT ON DATABASE … IS 'catalog project create <token>'`.
    public var commentStatement: String
    /// The attached definitions' tables (`--create-tables`), run in one transaction in the new database.
    public var tableStatements: [String]
    /// The mappings each attached definition writes into `_metadata`, one transaction with the tables.
    public var syncPlans: [ProjectSyncPlan]
    /// The attached definitions, in `syncPlans`' order: what the mappings are written from.
    var definitions: [TableDefinition]
    /// `ALTER DATABASE <temporary> RENAME TO <database>`.
    public var renameStatement: String
    /// Removes the database after a failure, under either name.
    var dropTemporaryStatement: String
    var dropDatabaseStatement: String

    /// The database-making steps this plan shares with clone.
    var run: LifecycleRun {
        LifecycleRun(
            operation: "create", project: project, server: server, database: database, temporaryDatabase: temporaryDatabase, token: token,
            createStatement: createStatement, commentStatement: commentStatement, renameStatement: renameStatement,
            dropTemporaryStatement: dropTemporaryStatement, dropDatabaseStatement: dropDatabaseStatement)
    }

    /// Every step in order, as `--plan` prints it.
    public var steps: [String] {
        var steps = run.openingSteps + ["install _metadata (version \(MetadataSchema.latestVersion)) in \(temporaryDatabase)"]
        if !tableStatements.isEmpty || !syncPlans.isEmpty {
            steps.append("BEGIN (in \(temporaryDatabase))")
            steps += tableStatements
            steps += syncPlans.map {
                "sync \($0.definition) version \($0.toVersion) into _metadata: map \($0.schema).\($0.table) (\($0.newColumns.count) columns)"
            }
            steps.append("COMMIT")
        }
        steps.append(run.closingStep)
        let attached = syncPlans.map { "\($0.definition)@\($0.toVersion)" }
        steps.append(
            "register project \(project) (\(maskedDSN))"
                + (tags.isEmpty ? "" : " with tags \(tags.joined(separator: ","))")
                + (attached.isEmpty ? "" : ", attached to \(attached.joined(separator: ", "))"))
        return steps
    }
}

/// What a completed `project create` did.
public struct CreateResult: Sendable, Equatable {
    public var plan: CreatePlan
    /// Seconds spent waiting for the server's create lock.
    public var lockWaitSeconds: Double
    /// Seconds from start to registration, the lock wait included.
    public var seconds: Double
    /// Leftovers of killed runs that this run dropped first.
    public var cleanedUp: [String]
}
