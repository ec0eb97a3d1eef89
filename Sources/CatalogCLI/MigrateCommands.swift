import ArgumentParser
import CatalogCore
import Foundation

/// The options `metadata migrate` and `metadata rollback` share.
struct MigrationOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The team's own migrations: NNNN_name.sql files numbered from 1000, each with an optional NNNN_name.down.sql. Default: the ones last given.",
            valueName: "dir"))
    var migrations: String?

    @Flag(name: .long, help: "Print the exact SQL per project, destructive statements flagged, and change nothing.")
    var plan = false

    @Flag(name: .long, help: "Allow DROP, TRUNCATE, ALTER … DROP and ALTER … TYPE, after reviewing them with --plan.")
    var allowDestructive = false

    @Flag(name: .long, help: "Back each project up (pg_dump -Fc) before touching it.")
    var backupFirst = false

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Run this many projects first, and stop if any of them fails.", valueName: "n"))
    var canary: Int = 0

    @OptionGroup var backupDirectory: BackupDirectoryOption

    func validate() throws {
        guard canary >= 0 else { throw ValidationError("--canary must be 0 or more.") }
    }

    func request(_ direction: MigrationDirection, target: Int?, fanOut: FanOutOptionGroup) -> MigrationRequest {
        let backup =
            backupFirst
            ? BackupOptions(
                directory: backupDirectory.path, concurrency: fanOut.concurrency, connectTimeout: fanOut.timeout.wholeSeconds,
                catalogVersion: CatalogCommand.version, progress: BackupViews.progressPrinter()) : nil
        return MigrationRequest(
            direction: direction, target: target, migrationsDirectory: migrations, allowDestructive: allowDestructive,
            backupFirst: backup, canary: canary, fanOut: fanOut.options)
    }

    /// Plans, then prints the plan (`--plan`) or applies it; exits 1 when any project did not succeed.
    func run(
        _ direction: MigrationDirection, target: Int?, store: StoreOptions, selection: SelectionOptions,
        format: FormatOptions, fanOut: FanOutOptionGroup
    ) throws {
        let catalog = try store.open()
        let request = request(direction, target: target, fanOut: fanOut)
        let migrationPlan = try catalog.planMigration(selection.selection, request: request)
        if plan {
            Terminal.write(MigrationViews.plan(migrationPlan, format: format.format))
            let failed = migrationPlan.projects.filter { !$0.outcome.isOK }.count
            if failed > 0 { throw PartialFailure(failed: failed, total: migrationPlan.projects.count) }
            return
        }
        let results = try catalog.applyMigration(migrationPlan, request: request)
        Terminal.write(MigrationViews.results(results).render(format.format))
        try PartialFailure.check(results.map(\.outcome))
    }
}

struct MetadataMigrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending _metadata migrations (catalog's own and the team's), one transaction per project.",
        discussion: """
            Each project is migrated in one transaction under an advisory lock, statement by statement, so a \
            failure names the file and line and leaves that project as it was; the others go on. A migration \
            file changed after it was applied anywhere stops the whole run. Destructive statements are refused \
            unless --allow-destructive is given.
            Example: catalog metadata migrate --all --migrations ./migrations --backup-first --canary 1
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var selection: SelectionOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var fanOut: FanOutOptionGroup
    @OptionGroup var migration: MigrationOptions

    func run() throws {
        try migration.run(.up, target: nil, store: storeOptions, selection: selection, format: formatOptions, fanOut: fanOut)
    }
}

struct MetadataRollback: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Undo _metadata migrations newer than a version with their down scripts, with the same safety rules.",
        discussion: """
            Down scripts run newest first, in one transaction per project under the advisory lock. A migration \
            without a down script refuses the whole run.
            Example: catalog metadata rollback --all --to 2 --plan
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var selection: SelectionOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var fanOut: FanOutOptionGroup
    @OptionGroup var migration: MigrationOptions

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("The version to go back to; newer migrations are undone.", valueName: "version"))
    var to: Int

    func validate() throws {
        guard to >= 0 else { throw ValidationError("--to must be a version, 0 or more.") }
    }

    func run() throws {
        try migration.run(.down, target: to, store: storeOptions, selection: selection, format: formatOptions, fanOut: fanOut)
    }
}

/// What the migration commands print.
enum MigrationViews {
    static func results(_ results: [MigrationResult]) -> OutputTable {
        OutputTable(
            columns: ["project", "result", "from_version", "to_version", "applied", "backup_id", "error"],
            rows: results.map { result in
                [
                    .text(result.project), .text(result.outcome.label), Cell(result.fromVersion), Cell(result.toVersion),
                    .list(result.applied), Cell(result.backupID.map { Int($0) }), Cell(result.outcome.reason),
                ]
            })
    }

    /// The plan: an SQL script per project for people, one row per project and file for scripts.
    static func plan(_ plan: MigrationPlan, format: OutputFormat) -> String {
        guard format == .table else { return rows(plan).render(format) }
        return plan.projects.map { project in
            let script = project.script(direction: plan.direction)
            guard project.outcome.isOK else { return "-- project \(project.project): \(project.outcome.label): \(project.outcome.reason ?? "")\n" }
            guard !script.isEmpty else { return "-- project \(project.project): nothing to do (version \(version(project.fromVersion)))\n" }
            let header =
                "-- project \(project.project): _metadata \(version(project.fromVersion)) → \(version(project.toVersion)), \(project.steps.count) file(s)"
            return ([header] + script).joined(separator: "\n") + "\n"
        }.joined(separator: "\n")
    }

    static func rows(_ plan: MigrationPlan) -> OutputTable {
        OutputTable(
            columns: ["project", "status", "from_version", "to_version", "migration", "direction", "file", "destructive", "sql", "error"],
            rows: plan.projects.flatMap { project -> [[Cell]] in
                let status: Cell = .text(project.outcome.isOK ? (project.steps.isEmpty ? "up_to_date" : "pending") : project.outcome.label)
                let head: [Cell] = [.text(project.project), status, Cell(project.fromVersion), Cell(project.toVersion)]
                guard !project.steps.isEmpty else { return [head + [.null, .null, .null, .list([]), .null, Cell(project.outcome.reason)]] }
                return project.steps.map { step in
                    head + [
                        .text(step.migration.identifier), .text(step.direction.rawValue), .text(step.file),
                        .list(step.destructive.map { "line \($0.line): \($0.kind)" }),
                        .text(step.statements.map { $0.text + ";" }.joined(separator: "\n")), .null,
                    ]
                }
            })
    }

    static func version(_ version: Int?) -> String {
        version.map(String.init) ?? "not installed"
    }
}

/// The fleet columns `metadata status` adds: last migration, last backup, its age, and whether it is stale.
enum MetadataFleetColumns {
    static let names = ["last_migrated_at", "last_backup_at", "backup_age", "backup_stale"]

    /// `table`'s rows, in the same order as `status`, with the fleet columns added.
    static func adding(_ status: [MetadataFleetStatus], to table: OutputTable, now: Date = Date()) -> OutputTable {
        OutputTable(
            columns: table.columns + names,
            rows: zip(table.rows, status).map { row, status in
                let age = status.lastBackup.map { now.timeIntervalSince($0.createdAt) }
                return row + [
                    Cell(status.lastMigratedAt), Cell(status.lastBackup?.createdAt),
                    age.map { .text(BackupViews.age($0) + (status.backupIsStale ? " (over 24 h)" : "")) } ?? .text("never"),
                    .bool(status.backupIsStale),
                ]
            })
    }
}
