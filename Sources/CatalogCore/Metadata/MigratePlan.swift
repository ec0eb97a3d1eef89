import PostgresClient

/// Which way a run moves `_metadata`: applying migrations, or undoing them with their down scripts.
public enum MigrationDirection: String, Sendable {
    case up, down
}

/// One migration file to run in one project, split into statements and checked for destructive ones.
public struct MigrationStep: Sendable, Equatable {
    /// The migration run or undone.
    public var migration: MetadataMigration
    /// `up` to apply it, `down` to undo it.
    public var direction: MigrationDirection
    /// The file whose SQL runs: the migration, or its down script.
    public var file: String
    /// Its statements, run one by one.
    public var statements: [SQLStatement]
    /// Its statements that can lose data.
    public var destructive: [DestructiveStatement]

    init(_ migration: MetadataMigration, _ direction: MigrationDirection) {
        self.migration = migration
        self.direction = direction
        file = direction == .up ? migration.file : migration.downFile ?? migration.file
        statements = SQLStatement.split(direction == .up ? migration.sql : migration.down ?? "")
        destructive = DestructiveStatement.find(in: statements, file: file)
    }

    /// The statement that records the step in `_metadata.schema_migrations`, with its values bound.
    var ledgerQuery: Query {
        switch direction {
        case .up:
            Query(
                "INSERT INTO _metadata.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                [migration.version, migration.name, migration.checksum])
        case .down:
            Query("DELETE FROM _metadata.schema_migrations WHERE version = $1", [migration.version])
        }
    }
}

/// What one project needs, from its ledger.
public struct ProjectMigrationPlan: Sendable, Equatable {
    /// The project planned.
    public var project: String
    /// `ok` when its ledger was read; otherwise why not, and the project is not touched.
    public var outcome: ProjectOutcome
    /// The newest applied migration; nil when `_metadata` is not installed.
    public var fromVersion: Int?
    /// The files to run, in order; empty when it is up to date.
    public var steps: [MigrationStep]
    /// The newest applied migration once the steps have run.
    public var toVersion: Int?
}

/// A whole run worked out before anything changes: per project, the files to run in order. Planning
/// refuses the whole run when any project's ledger disagrees with the files (a changed or unknown
/// migration, or no down script to go back with).
public struct MigrationPlan: Sendable, Equatable {
    /// `up` for `migrate`, `down` for `rollback`.
    public var direction: MigrationDirection
    /// For a rollback, the version to go back to.
    public var target: Int?
    /// Every migration the run knows: catalog's own and the team's.
    public var known: [MetadataMigration]
    /// Each selected project, in selection order.
    public var projects: [ProjectMigrationPlan]

    /// What one project's ledger said, or why it could not be read.
    struct Ledger: Sendable {
        var project: String
        var outcome: ProjectOutcome
        var applied: [MetadataSchema.Applied]
    }

    /// The team's destructive statements the run would execute, once per file and line; these need
    /// `--allow-destructive`. catalog's own migrations ship reviewed (and `metadata install` applies them
    /// anyway), so theirs are flagged in the plan but never refused.
    public var destructive: [DestructiveStatement] {
        var seen = Set<String>()
        return projects.flatMap(\.steps).filter(\.migration.isTeam).flatMap(\.destructive)
            .filter { seen.insert("\($0.file):\($0.line)").inserted }
    }

    static func make(direction: MigrationDirection, target: Int?, known: [MetadataMigration], ledgers: [Ledger]) throws -> MigrationPlan {
        let projects = try ledgers.map { ledger -> ProjectMigrationPlan in
            guard ledger.outcome.isOK else {
                return ProjectMigrationPlan(project: ledger.project, outcome: ledger.outcome, fromVersion: nil, steps: [], toVersion: nil)
            }
            let steps = try Self.steps(direction: direction, target: target, known: known, applied: ledger.applied, project: ledger.project)
            try steps.forEach(refuseTransactionControl)
            let from = ledger.applied.map(\.version).max()
            let remaining =
                direction == .up
                ? ledger.applied.map(\.version) + steps.map(\.migration.version)
                : ledger.applied.map(\.version).filter { $0 <= target ?? 0 }
            return ProjectMigrationPlan(project: ledger.project, outcome: .ok, fromVersion: from, steps: steps, toVersion: remaining.max())
        }
        return MigrationPlan(direction: direction, target: target, known: known, projects: projects)
    }

    /// The steps one project needs, given what it has applied. Also run again under the advisory lock,
    /// so a concurrent run's work is seen and nothing is applied twice.
    static func steps(
        direction: MigrationDirection, target: Int?, known: [MetadataMigration], applied: [MetadataSchema.Applied], project: String
    ) throws -> [MigrationStep] {
        let byVersion = Dictionary(known.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        for row in applied {
            guard let migration = byVersion[row.version] else { throw unknownMigration(row, project: project) }
            guard migration.name == row.name else { throw sharedVersion(row, migration, project: project) }
            guard migration.checksum == row.checksum else {
                throw CatalogError(
                    "project \"\(project)\": migration \(migration.identifier) was applied with checksum \(row.checksum.prefix(12))…, but \(migration.file) now has \(migration.checksum.prefix(12))…; an applied migration must never change: restore the file and put the change in a new migration; nothing was changed"
                )
            }
        }
        let appliedVersions = Set(applied.map(\.version))
        switch direction {
        case .up:
            return known.filter { !appliedVersions.contains($0.version) }.map { MigrationStep($0, .up) }
        case .down:
            let target = target ?? 0
            return try applied.map(\.version).filter { $0 > target }.sorted(by: >).map { version in
                let migration = byVersion[version]!
                guard migration.down != nil else {
                    throw CatalogError(
                        "project \"\(project)\": migration \(migration.identifier) has no down script, so _metadata cannot go below version \(version); roll back to \(version) or later, or add \(migration.identifier).down.sql; nothing was changed"
                    )
                }
                return MigrationStep(migration, .down)
            }
        }
    }

    /// A migration that ends or starts transactions would break the one transaction per project.
    static func refuseTransactionControl(_ step: MigrationStep) throws {
        let verbs: Set<String> = ["BEGIN", "START", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "PREPARE"]
        if let statement = step.statements.first(where: { verbs.contains($0.tokens.first ?? "") }) {
            throw CatalogError(
                "\(step.file) line \(statement.line): \(statement.tokens[0]) is not allowed in a migration, because catalog runs each project's migrations in one transaction; remove it; nothing was changed"
            )
        }
    }

    /// Two directories numbered different migrations alike: the project's is not the file at hand, so
    /// the message names both rather than calling the other file changed.
    private static func sharedVersion(_ row: MetadataSchema.Applied, _ migration: MetadataMigration, project: String) -> CatalogError {
        let applied = MetadataMigration(version: row.version, name: row.name, sql: "", file: "").identifier
        return CatalogError(
            .conflict,
            "project \"\(project)\": its _metadata has migration \(applied), but version \(row.version) here is \(migration.identifier) (\(migration.file)); two migrations share version \(row.version); nothing was changed",
            remedy: .giveMigrationsDirectoryOrRenumber(migration: applied))
    }

    private static func unknownMigration(_ row: MetadataSchema.Applied, project: String) -> CatalogError {
        let identifier = MetadataMigration(version: row.version, name: row.name, sql: "", file: "").identifier
        if row.version < TeamMigrations.firstVersion {
            return CatalogError(
                "project \"\(project)\": its _metadata has migration \(identifier), which this catalog does not know; upgrade catalog; nothing was changed"
            )
        }
        return CatalogError(
            .conflict,
            "project \"\(project)\": its _metadata has team migration \(identifier), which is not among the migrations given; nothing was changed",
            remedy: .giveMigrationsDirectoryItCameFrom)
    }
}
