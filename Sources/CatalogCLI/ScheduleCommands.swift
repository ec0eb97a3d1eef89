import ArgumentParser
import CatalogCore
import CatalogStore
import Foundation

/// `catalog schedule …`: backups, drift checks and scans that `catalog serve` runs by itself.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Schedule backups, drift checks and scans for catalog serve to run unattended.",
        subcommands: [ScheduleAdd.self, ScheduleList.self, ScheduleRun.self, ScheduleRemove.self]
    )
}

/// `--backup-dir`, `--timeout`, `--concurrency` and `--size-change` for runs of schedules.
struct ScheduleRunOptionGroup: ParsableArguments {
    @OptionGroup var backupDirectory: BackupDirectoryOption

    @Option(name: .long, help: "How many projects one run works on at once.")
    var concurrency: Int = 4

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Seconds each project may take to connect and answer, \(Seconds.bounds).", valueName: "seconds"))
    var timeout: Seconds = 30

    @Option(
        name: .customLong("size-change"),
        help: ArgumentHelp("Alert when a backup's size differs from the median of the last five by more than this percentage.", valueName: "percent"))
    var sizeChange: Double = 50

    func options(alerts: AlertDispatcher?) -> ScheduleRunOptions {
        ScheduleRunOptions(
            backupDirectory: backupDirectory.path, concurrency: concurrency, timeout: timeout.value, catalogVersion: CatalogCommand.version,
            sizeChangePercent: sizeChange, alerts: alerts)
    }

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1.") }
        guard sizeChange > 0 else { throw ValidationError("--size-change must be a percentage above 0.") }
    }
}

struct ScheduleAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a schedule: what to run (backup, drift or scan), on which projects, when, and what backups to keep.",
        discussion: """
            --cron takes a 5-field expression (minute hour day-of-month month day-of-week), read in UTC or in --timezone; \
            --every takes a duration such as 30s, 15m, 6h or 1d. A backup schedule prunes with --keep-*: a backup stays \
            when any rule keeps it, and each project's newest good backup always stays. catalog serve runs the schedules.
            Example: catalog schedule add backup --all --cron '0 3 * * *' --keep-daily 7 --keep-weekly 4 --keep-monthly 6
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("What to run: backup, drift or scan.", valueName: "kind"))
    var kind: String

    @Flag(name: .long, help: "Every registered project, as registered at each run.")
    var all = false

    @Option(name: .long, help: ArgumentHelp("Projects with this tag, at each run.", valueName: "tag"))
    var tag: String?

    @Option(name: .long, help: ArgumentHelp("One project.", valueName: "project"))
    var project: String?

    @Option(name: .long, help: ArgumentHelp("A 5-field cron expression, such as '0 3 * * *'.", valueName: "expr"))
    var cron: String?

    @Option(name: .long, help: ArgumentHelp("The IANA time zone --cron is read in. Default: UTC.", valueName: "tz"))
    var timezone: String?

    @Option(name: .long, help: ArgumentHelp("Run every this long: 30s, 15m, 6h, 1d.", valueName: "duration"))
    var every: String?

    @Option(name: .customLong("keep-last"), help: ArgumentHelp("Keep each project's newest N backups.", valueName: "n"))
    var keepLast: Int?

    @Option(name: .customLong("keep-daily"), help: ArgumentHelp("Keep the newest backup of each of the last N days.", valueName: "n"))
    var keepDaily: Int?

    @Option(name: .customLong("keep-weekly"), help: ArgumentHelp("Keep the newest backup of each of the last N weeks.", valueName: "n"))
    var keepWeekly: Int?

    @Option(name: .customLong("keep-monthly"), help: ArgumentHelp("Keep the newest backup of each of the last N months.", valueName: "n"))
    var keepMonthly: Int?

    @Option(name: .long, help: ArgumentHelp("The schedule's name. Default: made from the kind and the projects.", valueName: "name"))
    var name: String?

    @OptionGroup var formatOptions: FormatOptions

    func validate() throws {
        guard ScheduleKind(rawValue: kind) != nil else { throw ValidationError("The kind must be backup, drift or scan, not '\(kind)'.") }
        guard [all, tag != nil, project != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("Choose the projects with exactly one of --all, --tag TAG or --project NAME.")
        }
    }

    func run() throws {
        let target: ScheduleTarget = tag.map(ScheduleTarget.tag) ?? project.map(ScheduleTarget.project) ?? .all
        let request = ScheduleRequest(
            kind: ScheduleKind(rawValue: kind) ?? .backup, target: target, cron: cron, timeZone: timezone, every: every,
            retention: ScheduleRetention(keepLast: keepLast, keepDaily: keepDaily, keepWeekly: keepWeekly, keepMonthly: keepMonthly),
            name: name)
        let catalog = try storeOptions.open()
        let schedule = try catalog.addSchedule(request)
        let status = try catalog.scheduleStatuses().filter { $0.schedule.name == schedule.name }
        Terminal.write(ScheduleViews.list(status, now: Date()).render(formatOptions.format))
    }
}

struct ScheduleList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List schedules with their next run and how their last run ended.",
        discussion: "Times are UTC. Example: catalog schedule list --format json"
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    func run() throws {
        let now = Date()
        Terminal.write(ScheduleViews.list(try storeOptions.open(.readOnly).scheduleStatuses(now: now), now: now).render(formatOptions.format))
    }
}

struct ScheduleRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one schedule now, as catalog serve would, and record the run; its timing is left alone.",
        discussion: """
            Backs up (with the checks before a backup and the schedule's retention), checks drift or scans each \
            selected project, opens and clears incidents and sends their alerts. Exits 1 if any project failed.
            Example: catalog schedule run backup-all
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var runOptions: ScheduleRunOptionGroup

    @Argument(help: ArgumentHelp("The schedule's name.", valueName: "name"))
    var name: String

    func run() throws {
        let alerts = AlertDispatcher(publicURL: nil, attempts: 2, attemptTimeout: 5, backoff: 1) { Terminal.warn("warning: \($0)") }
        let result = try storeOptions.open().runSchedule(named: name, options: runOptions.options(alerts: alerts))
        alerts.wait(seconds: 20)
        Terminal.write(ScheduleViews.run(result).render(formatOptions.format))
        let failed = result.projects.filter { $0.outcome != "ok" }.count
        if failed > 0 { throw PartialFailure(failed: failed, total: result.projects.count) }
    }
}

struct ScheduleRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a schedule and its run history; backups it took are kept.",
        discussion: "Example: catalog schedule remove backup-all"
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The schedule's name.", valueName: "name"))
    var name: String

    func run() throws {
        try storeOptions.open().removeSchedule(named: name)
        Terminal.write("removed schedule \(name)\n")
    }
}

/// The tables the schedule, alert and status commands print.
enum ScheduleViews {
    static func list(_ statuses: [ScheduleStatus], now: Date) -> OutputTable {
        OutputTable(
            columns: ["name", "kind", "projects", "timing", "keep", "next_run", "last_run", "last_outcome", "failed_projects"],
            rows: statuses.map { status in
                let schedule = status.schedule
                let failed = status.lastRun?.projects.filter { $0.outcome != "ok" }.map(\.project) ?? []
                return [
                    .text(schedule.name), .text(schedule.kind.rawValue), .text(schedule.target.description), .text(schedule.timing.description),
                    .text(schedule.retention.description), Cell(status.nextRun), Cell(status.lastRun?.startedAt),
                    .text(status.lastRun?.outcome ?? "never"), .text(failed.isEmpty ? "-" : failed.joined(separator: ",")),
                ]
            })
    }

    static func run(_ result: ScheduleRunResult) -> OutputTable {
        OutputTable(
            columns: ["project", "result", "bytes", "seconds", "note"],
            rows: result.projects.map { project in
                [
                    .text(project.project), .text(project.outcome), Cell(project.bytes.map { Int($0) }), .double(project.seconds),
                    Cell(project.reason),
                ]
            })
    }

    static func board(_ rows: [BackupBoardRow]) -> OutputTable {
        OutputTable(
            columns: ["project", "last_backup", "size", "age", "state", "note"],
            rows: rows.map { row in
                [
                    .text(row.project), Cell(row.lastBackup), .text(row.sizeBytes.map(ByteFormat.string) ?? "-"),
                    .text(row.ageSeconds.map(BackupViews.age) ?? "-"), .text("\(row.state.mark) \(row.state.rawValue)"), Cell(row.reason),
                ]
            })
    }

    static func alerts(_ hooks: [AlertHookRecord]) -> OutputTable {
        OutputTable(
            columns: ["id", "webhook", "on", "created_at"],
            rows: hooks.map { hook in
                [Cell(hook.id.map { Int($0) }), .text(hook.maskedURL), .text(hook.kinds.joined(separator: ",")), Cell(hook.createdAt)]
            })
    }
}

struct BackupStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the board: each project's newest good backup, its size and age, and a state of ✅, ⚠ (over 24 h) or ❌.",
        discussion: "❌ means no backup, or a scheduled backup failed after the newest good one. Example: catalog backup status"
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    func run() throws {
        Terminal.write(ScheduleViews.board(try storeOptions.open(.readOnly).backupBoard()).render(formatOptions.format))
    }
}

/// `catalog alert …`: webhooks told when an incident opens and clears.
struct AlertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alert",
        abstract: "Send alerts to webhooks (Slack-compatible) when scheduled work fails, goes stale, changes size or drifts.",
        subcommands: [AlertAdd.self, AlertList.self, AlertRemove.self, AlertTest.self]
    )
}

struct AlertAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a webhook for some kinds of incident.",
        discussion: """
            Kinds: failure (a job or backup failed, or was refused for lack of disk space), stale (no good backup within \
            twice the schedule's interval), size-change, drift. One alert is sent when an incident opens and one when it \
            clears. The URL is a secret: it is only ever shown masked.
            Example: catalog alert add --webhook https://hooks.slack.com/services/T0/B0/X --on failure,stale
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: ArgumentHelp("The webhook's URL (http or https).", valueName: "url"))
    var webhook: String

    @Option(name: .long, help: ArgumentHelp("The kinds to send: failure,stale,size-change,drift.", valueName: "kinds"))
    var on: String = "failure,stale,size-change,drift"

    @OptionGroup var formatOptions: FormatOptions

    func run() throws {
        let kinds = try AlertKind.parseList(on)
        let hook = try storeOptions.open().addAlert(webhook: webhook, on: kinds)
        Terminal.write(ScheduleViews.alerts([hook]).render(formatOptions.format))
    }
}

struct AlertList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List webhooks, their URLs masked.", discussion: "Example: catalog alert list")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    func run() throws {
        Terminal.write(ScheduleViews.alerts(try storeOptions.open(.readOnly).alerts()).render(formatOptions.format))
    }
}

struct AlertRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a webhook.", discussion: "Example: catalog alert remove 1")

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The webhook's id, from 'alert list'.", valueName: "id"))
    var id: Int64

    func run() throws {
        try storeOptions.open().removeAlert(id: id)
        Terminal.write("removed alert \(id)\n")
    }
}

struct AlertTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Send a test alert to one webhook now, waiting at most --timeout seconds.",
        discussion: "Example: catalog alert test 1")

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The webhook's id, from 'alert list'.", valueName: "id"))
    var id: Int64

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Seconds to wait for the webhook's answer, \(Seconds.bounds).", valueName: "seconds"))
    var timeout: Seconds = 5

    func run() throws {
        try storeOptions.open(.readOnly).testAlert(id: id, timeout: timeout.value)
        Terminal.write("alert \(id): test delivered\n")
    }
}
