import Foundation

/// An import worked out before anything changes: the target database and how it is restored, every SQL
/// statement, how each shared definition is reconciled, and the registry entry. Every refusal is decided
/// while making it, so `--plan` shows exactly what the import will do, and a plan that exists can run.
public struct ImportPlan: Sendable, Equatable {
    /// How the bundle reaches the target database.
    public enum Mode: String, Sendable, Equatable {
        /// A new database: restored under a temporary name, renamed to the target name as the last step.
        case create
        /// An existing, empty database: one `pg_restore --single-transaction --exit-on-error`.
        case intoEmpty = "into-empty"
        /// A database that holds data (`--replace`): a safety backup, a restore under a temporary name, then
        /// both renames in one transaction and the old database dropped.
        case replace
    }

    /// The bundle file.
    public var bundle: String
    /// The name the project is registered under.
    public var project: String
    /// The tags the project is registered with.
    public var tags: [String]
    /// The target connection string with its password masked, as the registry entry shows it.
    public var maskedDSN: String
    /// The target server, `user@host:port`, for messages.
    public var server: String
    /// The target database.
    public var database: String
    /// How the bundle reaches the target database.
    public var mode: Mode
    /// Where the restore happens first (`create`, `replace`); nil when restoring straight into the target.
    public var temporaryDatabase: String?
    /// The old database's name between the swap and its drop (`replace`).
    public var setAsideDatabase: String?
    /// Temporary databases left by an interrupted import into the same target, dropped first.
    public var leftovers: [String]
    /// Restore the source's owners and privileges.
    public var keepOwners: Bool
    /// `CREATE DATABASE` and its settings, run from the maintenance database.
    public var createStatements: [String]
    /// The rename (or both renames), run in one transaction from the maintenance database.
    public var swapStatements: [String]
    /// `DROP DATABASE` of the old database after the swap (`replace`).
    public var dropSetAsideStatement: String?
    /// Removes the temporary database after a failure, or a leftover before starting.
    var dropStatements: [String: String]
    /// What is restored: objects by kind (as the manifest summarises them), and the tables with their rows.
    public var objectSummary: [String]
    /// How many tables the manifest counts.
    public var tableCount: Int
    /// Their rows, all together.
    public var rowCount: Int
    /// The `_metadata` rows the copy must match.
    public var metadataRowCount: Int
    /// True when the bundle holds no data besides `_metadata`.
    public var metadataOnly: Bool
    /// How each bundled shared definition is reconciled with the store.
    public var shared: [ImportSharedStep]
    /// When the plan was made; it names the temporary databases.
    public var createdAt: Date

    /// Where `pg_restore` writes: the temporary database, or the target itself.
    public var restoreDatabase: String { temporaryDatabase ?? database }

    /// `pg_restore`'s options: never a partial restore, and by default no owners or privileges from the source.
    public var restoreOptions: [String] {
        ["--single-transaction", "--exit-on-error"] + (keepOwners ? [] : ["--no-owner", "--no-acl"])
    }

    /// The statement that drops `database` (a leftover, or this run's temporary database after a failure).
    func dropStatement(_ database: String) -> String? { dropStatements[database] }

    /// Every step in order, as `--plan` prints it.
    public var steps: [String] {
        let target =
            switch mode {
            case .create: "a new database, restored under a temporary name and renamed last"
            case .intoEmpty: "an existing, empty database, restored in one transaction"
            case .replace: "an existing database that holds data, replaced after a safety backup"
            }
        var steps = ["target: database \(database) on \(server), \(target)"]
        steps += leftovers.map { "drop \($0), a temporary database left by an interrupted import: \(dropStatements[$0] ?? "")" }
        if mode == .replace { steps.append("back up database \(database) with pg_dump -Fc (safety backup)") }
        steps += createStatements
        let what = objectSummary.joined(separator: ", ")
        let data = metadataOnly ? "no data besides _metadata" : "\(rowCount) rows in \(tableCount) tables"
        steps.append(
            "pg_restore \(restoreOptions.joined(separator: " ")) --dbname=<target DSN with dbname=\(restoreDatabase)> \(BundleLayout.database): \(what.isEmpty ? "no objects" : what); \(data)"
        )
        steps.append("verify every table's row count and the \(metadataRowCount) _metadata rows against the manifest")
        for step in shared {
            if let adopted = step.adopted, step.syncedVersion != nil {
                steps.append("UPDATE _metadata.mappings_table SET shared_version = \(adopted.storeVersion) WHERE shared_name = '\(step.name)'")
            }
        }
        if !swapStatements.isEmpty { steps += ["BEGIN"] + swapStatements + ["COMMIT"] }
        if let dropSetAsideStatement { steps.append(dropSetAsideStatement) }
        steps += shared.map { "shared definition \($0.name): \($0.action.rawValue): \($0.detail)" }
        let tagText = tags.isEmpty ? "" : " with tags \(tags.joined(separator: ", "))"
        steps.append("register project \"\(project)\" as \(maskedDSN)\(tagText)")
        return steps
    }
}
