import ArgumentParser
import CatalogCore
import Foundation

/// `catalog backup …`: pg_dump backups, recorded in the store, and safe restores.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up, list, verify, restore and prune project databases (pg_dump -Fc).",
        subcommands: [BackupCreate.self, BackupList.self, BackupVerify.self, BackupRestore.self, BackupPrune.self, BackupStatus.self]
    )
}

/// `--backup-dir`: where backup files go.
struct BackupDirectoryOption: ParsableArguments {
    @Option(
        name: .customLong("backup-dir"),
        help: ArgumentHelp(
            "Where backup files go. Default: a 'backups' directory beside the store.", valueName: "dir"))
    var path: String?
}

struct BackupCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Back up projects with pg_dump -Fc into the backup directory and record each in the store.",
        discussion: """
            The password is passed to pg_dump in its environment, never on its command line. Each file is \
            written under a temporary name and renamed when complete; its size, SHA-256 and duration are recorded. \
            Exits 1 if any project failed; the others are still backed up.
            Example: catalog backup create --all --concurrency 2
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var selection: SelectionOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var fanOut: FanOutOptionGroup
    @OptionGroup var backupDirectory: BackupDirectoryOption

    func run() throws {
        let options = BackupOptions(
            directory: backupDirectory.path, concurrency: fanOut.concurrency,
            connectTimeout: fanOut.timeout.wholeSeconds, catalogVersion: CatalogCommand.version,
            progress: BackupViews.progressPrinter())
        let results = try storeOptions.open().createBackups(selection.selection, options: options)
        Terminal.write(BackupViews.created(results).render(formatOptions.format))
        try PartialFailure.check(results.map(\.outcome))
    }
}

struct BackupList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List backups, newest first; warn about projects with no backup in the last 24 hours.",
        discussion: "The ID column is what 'backup verify' and 'backup restore' take. Example: catalog backup list billing --format json"
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    @Argument(help: ArgumentHelp("Only these projects' backups.", valueName: "project"))
    var projects: [String] = []

    func run() throws {
        let now = Date()
        let listing = try storeOptions.open(.readOnly).listBackups(projects: projects, now: now)
        Terminal.write(BackupViews.list(listing, now: now).render(formatOptions.format))
        if !listing.stale.isEmpty {
            let names = listing.stale.map { stale in
                "\(stale.project) (\(stale.lastBackupAt.map { "last " + BackupViews.age(now.timeIntervalSince($0)) + " ago" } ?? "never"))"
            }
            Terminal.warn("warning: no backup in the last 24 h: \(names.joined(separator: ", ")); run 'catalog backup create PROJECT'")
        }
    }
}

struct BackupVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a backup's SHA-256 and read it with pg_restore --list. Exits 1 if it fails.",
        discussion: "Example: catalog backup verify 12"
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    @Argument(help: "The backup's id, from 'catalog backup list'.")
    var id: Int64

    func run() throws {
        let verification = try storeOptions.open().verifyBackup(id: id)
        let table = OutputTable(
            columns: ["id", "project", "result", "checksum", "archive", "entries", "problem"],
            rows: [
                [
                    .int(Int(id)), .text(verification.backup.project), .text(verification.isOK ? "ok" : "failed"),
                    .text(verification.fileMissing ? "missing" : verification.checksumMatches ? "ok" : "mismatch"),
                    .text(verification.archiveReadable ? "readable" : "unreadable"),
                    .int(verification.entries), Cell(verification.problem),
                ]
            ])
        Terminal.write(table.render(formatOptions.format))
        if !verification.isOK { throw PartialFailure(failed: 1, total: 1) }
    }
}

struct BackupRestore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into a fresh database and swap it in; the old one is kept aside.",
        discussion: """
            The checksum is verified first, and the backup must be of the project's database: the same server and \
            lineage (an id _metadata holds), unless --into-different-database is given. The backup is restored into a new database on the same server with the \
            original's owner, encoding, locale, settings, privileges and comment; only when that succeeds are both databases renamed, in \
            one transaction. The original stays as NAME_before_restore_TIMESTAMP unless --drop-old is given. A \
            failed restore leaves the original untouched.
            Example: catalog backup restore billing 12 --yes
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    @Argument(help: "The project to restore.")
    var project: String

    @Argument(help: "The backup's id, from 'catalog backup list'.")
    var id: Int64

    @Flag(name: .long, help: "Go ahead: the project's database is replaced.")
    var yes = false

    @Flag(name: .long, help: "Print the steps and SQL, and change nothing.")
    var plan = false

    @Flag(name: .long, help: "End other sessions on the database at the swap instead of refusing.")
    var terminateConnections = false

    @Flag(name: .long, help: "Drop the original database after the swap instead of keeping it.")
    var dropOld = false

    @Flag(name: .long, help: "Restore even if the database has another lineage or server than the backup's.")
    var intoDifferentDatabase = false

    @OptionGroup var timeoutOptions: TimeoutOptions

    func validate() throws {
        if !yes && !plan {
            throw ValidationError(
                "Restoring replaces the database of project '\(project)'; pass --yes to go ahead, or --plan to see the steps first.")
        }
    }

    func run() throws {
        let catalog = try storeOptions.open()
        let options = RestoreOptions(
            terminateConnections: terminateConnections, dropOld: dropOld, connectTimeout: timeoutOptions.timeout.wholeSeconds,
            intoDifferentDatabase: intoDifferentDatabase)
        let restorePlan = try catalog.planRestore(project: project, backupID: id, options: options)
        if plan {
            Terminal.write(BackupViews.steps(restorePlan).render(formatOptions.format))
            return
        }
        let result = try catalog.restore(restorePlan, options: options)
        let table = OutputTable(
            columns: ["project", "backup_id", "database", "old_database", "seconds"],
            rows: [
                [
                    .text(project), .int(Int(id)), .text(restorePlan.database),
                    Cell(result.setAsideDatabase ?? "dropped"), .double(result.seconds),
                ]
            ])
        Terminal.write(table.render(formatOptions.format))
    }
}

struct BackupPrune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete backups (and set-aside databases) the retention rules no longer keep.",
        discussion: """
            A backup is kept when it is newer than --keep-days or among its project's newest --keep-last. Each \
            project's newest backup is never deleted. Every decision is listed with its reason.
            Example: catalog backup prune --keep-days 30 --keep-last 3 --plan
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    @Argument(help: ArgumentHelp("Only these projects' backups (default: all).", valueName: "project"))
    var projects: [String] = []

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Keep backups newer than this many days.", valueName: "days"))
    var keepDays: Int?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Keep each project's newest N backups.", valueName: "n"))
    var keepLast: Int?

    @Flag(name: .long, help: "Print what would be kept and deleted, and change nothing.")
    var plan = false

    func validate() throws {
        guard keepDays != nil || keepLast != nil else { throw ValidationError("Give --keep-days, --keep-last, or both.") }
        if let keepDays, keepDays < 0 { throw ValidationError("--keep-days must be 0 or more.") }
        if let keepLast, keepLast < 1 { throw ValidationError("--keep-last must be at least 1.") }
    }

    func run() throws {
        let catalog = try storeOptions.open()
        let prunePlan = try catalog.planPrune(projects: projects, rules: PruneRules(keepDays: keepDays, keepLast: keepLast))
        if plan {
            let rows = prunePlan.decisions.map { decision in
                BackupViews.pruneRow(decision, action: decision.keep ? "keep" : (decision.item.isBackup ? "delete" : "drop"), reason: decision.reason)
            }
            Terminal.write(OutputTable(columns: BackupViews.pruneColumns, rows: rows).render(formatOptions.format))
            return
        }
        let outcomes = catalog.prune(prunePlan)
        let rows = outcomes.map { BackupViews.pruneRow($0.decision, action: $0.action, reason: $0.reason) }
        Terminal.write(OutputTable(columns: BackupViews.pruneColumns, rows: rows).render(formatOptions.format))
        let failed = outcomes.filter { !$0.isOK }.count
        if failed > 0 { throw PartialFailure(failed: failed, total: outcomes.filter { !$0.decision.keep }.count) }
    }
}

/// The tables the backup commands print.
enum BackupViews {
    static func created(_ results: [BackupResult]) -> OutputTable {
        OutputTable(
            columns: ["project", "result", "id", "size_bytes", "seconds", "sha256", "file", "error"],
            rows: results.map { result in
                [
                    .text(result.project), .text(result.outcome.label), Cell(result.backup?.id.map { Int($0) }),
                    Cell(result.backup.map { Int($0.sizeBytes) }), result.backup.map { .double($0.durationSeconds) } ?? .null,
                    Cell(result.backup?.sha256), Cell(result.backup?.file), Cell(result.outcome.reason),
                ]
            })
    }

    static func list(_ listing: BackupListing, now: Date) -> OutputTable {
        OutputTable(
            columns: ["id", "project", "created_at", "age", "size_bytes", "verified", "stale", "sha256", "file"],
            rows: listing.backups.map { backup in
                [
                    Cell(backup.id.map { Int($0) }), .text(backup.project), Cell(backup.createdAt),
                    .text(age(now.timeIntervalSince(backup.createdAt))), .int(Int(backup.sizeBytes)),
                    .text(backup.verifiedOK.map { $0 ? "ok" : "failed" } ?? "never"), .bool(listing.isStale(backup)),
                    .text(backup.sha256), .text(backup.file),
                ]
            })
    }

    static func steps(_ plan: RestorePlan) -> OutputTable {
        OutputTable(columns: ["step", "action"], rows: plan.steps.enumerated().map { [.int($0.offset + 1), .text($0.element)] })
    }

    static let pruneColumns = ["kind", "id", "project", "target", "created_at", "action", "reason"]

    static func pruneRow(_ decision: PrunePlan.Decision, action: String, reason: String) -> [Cell] {
        switch decision.item {
        case .backup(let backup):
            [
                .text("backup"), Cell(backup.id.map { Int($0) }), .text(backup.project), .text(backup.file),
                Cell(backup.createdAt), .text(action), .text(reason),
            ]
        case .setAside(let database):
            [
                .text("database"), Cell(database.id.map { Int($0) }), .text(database.project), .text(database.databaseName),
                Cell(database.createdAt), .text(action), .text(reason),
            ]
        }
    }

    /// A short age such as `45s`, `3h12m` or `2d4h`.
    static func age(_ seconds: TimeInterval) -> String {
        let total = max(0, Int(seconds))
        switch total {
        case ..<60: return "\(total)s"
        case ..<3600: return "\(total / 60)m"
        case ..<86_400: return "\(total / 3600)h\(total % 3600 / 60)m"
        default: return "\(total / 86_400)d\(total % 86_400 / 3600)h"
        }
    }

    /// Progress lines on stderr, only when stderr is a terminal (the fan-out's own printer).
    static func progressPrinter() -> FanOutProgress? {
        Terminal.progress(doing: "backing up", done: "backed up")
    }
}
