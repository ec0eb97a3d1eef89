import CatalogStore
import Foundation

/// How scheduled runs work: where backups go, how long each project may take, where alerts link to.
public struct ScheduleRunOptions: Sendable {
    /// Where backups go; nil means `backups/` beside the store.
    public var backupDirectory: String?
    /// How many projects one run works on at once.
    public var concurrency: Int
    /// Seconds each project may take to connect and answer (a dump that makes progress is not cut).
    public var timeout: Double
    /// Recorded with each backup.
    public var catalogVersion: String
    /// A backup whose size differs from the median of the last five by more than this percentage opens an incident.
    public var sizeChangePercent: Double
    /// Sends the alerts of incidents that open and clear; nil sends none.
    public var alerts: AlertDispatcher?

    public init(
        backupDirectory: String? = nil, concurrency: Int = 4, timeout: Double = 30, catalogVersion: String,
        sizeChangePercent: Double = 50, alerts: AlertDispatcher? = nil
    ) {
        self.backupDirectory = backupDirectory
        self.concurrency = concurrency
        self.timeout = timeout
        self.catalogVersion = catalogVersion
        self.sizeChangePercent = sizeChangePercent
        self.alerts = alerts
    }
}

/// How one run of a schedule ended.
public struct ScheduleRunResult: Sendable, Equatable {
    public var runID: Int64
    public var schedule: String
    /// `ok` when every project succeeded, else `failed`.
    public var outcome: String
    public var projects: [RunProjectRecord]
    /// Backups retention removed.
    public var pruned: Int
    public var startedAt: Date
    public var endedAt: Date
}

extension Catalog {
    /// Runs a schedule now, as the scheduler would (its timing is left alone), and records the run.
    public func runSchedule(named name: String, options: ScheduleRunOptions) throws -> ScheduleRunResult {
        let schedule = try schedule(named: name)
        let now = Date()
        guard
            let runID = try wrapped({
                try store.claimRun(scheduleID: schedule.record.id ?? 0, expected: nil, slot: nil, holder: nil, epoch: nil, at: now)
            })
        else { throw CatalogError(.conflict, "schedule \"\(name)\" could not be started; try again") }
        return execute(schedule, runID: runID, startedAt: now, options: options)
    }

    /// Carries out one claimed run: the work for each selected project, retention, incidents and
    /// their alerts, and the run's record. Never throws: whatever fails is recorded in the run.
    func execute(_ schedule: Schedule, runID: Int64, startedAt: Date, options: ScheduleRunOptions) -> ScheduleRunResult {
        var pruned = 0
        var projects: [RunProjectRecord]
        var notices: [IncidentNotice] = []
        do {
            let selected = try self.projects(schedule.target.selection)
            switch schedule.kind {
            case .backup:
                let outcome = try runBackups(selected, schedule: schedule, options: options)
                projects = outcome.records
                notices += outcome.notices
                if !schedule.retention.isEmpty {
                    let names = selected.map(\.name)
                    let plan = RetentionPlan.make(
                        backups: try wrapped { try store.backups(projects: names) }, projects: Set(names), rules: schedule.retention)
                    pruned = prune(plan, connectTimeout: Int(options.timeout)).filter { $0.action == "deleted" }.count
                }
            case .drift:
                let fanOut = FanOutOptions(concurrency: options.concurrency, timeout: options.timeout)
                let report = try drift(schedule.target.selection, options: fanOut)
                projects = selected.map { project in
                    if let failure = report.failures.first(where: { $0.project == project.name }) {
                        return RunProjectRecord(project: project.name, outcome: failure.outcome.label, reason: failure.outcome.message ?? failure.outcome.label, bytes: nil, seconds: 0)
                    }
                    let found = report.items.filter { $0.project == project.name && $0.isDrift }
                    if let notice = incident(
                        "drift", project: project.name, schedule: schedule.name, open: !found.isEmpty,
                        what:
                            "\(found.count) drift item\(found.count == 1 ? "" : "s"), such as \(found.first.map { "\($0.kind) \($0.object)" } ?? "")")
                    {
                        notices.append(notice)
                    }
                    return RunProjectRecord(
                        project: project.name, outcome: "ok", reason: found.isEmpty ? nil : "\(found.count) drift items", bytes: nil, seconds: 0)
                }
            case .scan:
                let fanOut = FanOutOptions(concurrency: options.concurrency, timeout: options.timeout)
                projects = try scanMetadata(schedule.target.selection, options: fanOut).map { result in
                    RunProjectRecord(project: result.project, outcome: result.outcome.label, reason: result.outcome.message, bytes: nil, seconds: 0)
                }
            }
        } catch {
            projects = [RunProjectRecord(project: "-", outcome: "failed", reason: CatalogError.wrap(error).message, bytes: nil, seconds: 0)]
        }
        if schedule.kind != .backup {
            for project in projects where project.project != "-" {
                let failed = project.outcome != "ok"
                if let notice = incident(
                    "failure", project: project.project, schedule: schedule.name, open: failed,
                    what: "\(schedule.kind.rawValue) failed: \(project.reason ?? project.outcome)")
                {
                    notices.append(notice)
                }
            }
        }
        let outcome = projects.allSatisfy { $0.outcome == "ok" } ? "ok" : "failed"
        let endedAt = Date()
        try? store.finishRun(id: runID, outcome: outcome, projects: projects, at: endedAt)
        audit("schedule.run", target: schedule.name, result: outcome, detail: "run \(runID): \(projects.count) projects")
        if let alerts = options.alerts, !notices.isEmpty {
            alerts.send(notices, hooks: (try? store.alertHooks()) ?? [])
        }
        return ScheduleRunResult(
            runID: runID, schedule: schedule.name, outcome: outcome, projects: projects, pruned: pruned, startedAt: startedAt, endedAt: endedAt)
    }

    /// Backs up each project after checking its free space, and works out its incidents.
    private func runBackups(
        _ selected: [Project], schedule: Schedule, options: ScheduleRunOptions
    ) throws -> (records: [RunProjectRecord], notices: [IncidentNotice]) {
        let job = try BackupJob(
            catalog: self,
            options: BackupOptions(
                directory: options.backupDirectory, concurrency: options.concurrency, connectTimeout: max(1, Int(options.timeout)),
                catalogVersion: options.catalogVersion))
        let directory = job.directory
        let results = BoundedWorkers.map(selected, concurrency: options.concurrency, timeout: options.timeout) {
            project, conversation -> (BackupResult, note: String?, refused: String?, seconds: Double) in
            let start = Date()
            var note: String?
            do {
                let connection = try conversation.connect(project.connectionString())
                let preflight = try BackupPreflight.read(on: connection, directory: directory)
                if let refusal = preflight.refusal {
                    return (BackupResult(project: project.name, outcome: .failed(refusal), backup: nil), nil, refusal, 0)
                }
                note = preflight.note
            } catch {
                let outcome = conversation.outcome(for: error, project: project.name)
                return (BackupResult(project: project.name, outcome: outcome, backup: nil), nil, nil, Date().timeIntervalSince(start))
            }
            let result = job.run(project, conversation: conversation)
            return (result, note, nil, Date().timeIntervalSince(start))
        }
        var records: [RunProjectRecord] = []
        var notices: [IncidentNotice] = []
        for (result, note, refused, seconds) in results {
            audit(
                "backup.create", target: result.project, result: result.outcome.label,
                detail: result.outcome.message ?? result.backup.map { "backup \($0.id ?? 0): \($0.file) (schedule \(schedule.name))" })
            records.append(
                RunProjectRecord(
                    project: result.project, outcome: result.outcome.label, reason: result.outcome.message ?? note,
                    bytes: result.backup?.sizeBytes, seconds: seconds))
            let name = schedule.name
            if let notice = incident("disk-space", project: result.project, schedule: name, open: refused != nil, what: refused ?? "") {
                notices.append(notice)
            }
            if refused == nil,
                let notice = incident(
                    "failure", project: result.project, schedule: name, open: !result.outcome.isOK,
                    what: "backup failed: \(result.outcome.message ?? result.outcome.label)")
            {
                notices.append(notice)
            }
            if let backup = result.backup, let change = sizeChange(of: backup, percent: options.sizeChangePercent) {
                if let notice = incident("size-change", project: result.project, schedule: name, open: change.exceeded, what: change.what) {
                    notices.append(notice)
                }
            }
        }
        return (records, notices)
    }

    /// How a new backup's size compares with the median of the project's five backups before it;
    /// nil when fewer than two came before.
    func sizeChange(of backup: BackupRecord, percent: Double) -> (exceeded: Bool, what: String)? {
        let earlier = ((try? store.backups(projects: [backup.project])) ?? [])
            .filter { $0.id != backup.id && $0.createdAt <= backup.createdAt && $0.verifiedOK != false }
            .prefix(5).map(\.sizeBytes).sorted()
        guard earlier.count >= 2 else { return nil }
        let median =
            earlier.count % 2 == 1
            ? Double(earlier[earlier.count / 2]) : Double(earlier[earlier.count / 2 - 1] + earlier[earlier.count / 2]) / 2
        guard median > 0 else { return nil }
        let change = (Double(backup.sizeBytes) - median) / median * 100
        let what =
            "backup is \(ByteFormat.string(backup.sizeBytes)), \(String(format: "%+.0f", change)) % against the median \(ByteFormat.string(Int64(median))) of the last \(earlier.count)"
        return (abs(change) > percent, what)
    }

    /// Opens or clears the incident (kind, project, schedule); returns the notice to send when its
    /// state changed, nil when it was already so.
    func incident(_ kind: String, project: String, schedule: String, open: Bool, what: String, at date: Date = Date()) -> IncidentNotice? {
        if open {
            return (try? store.openIncident(kind: kind, project: project, schedule: schedule, what: what, at: date)).flatMap { $0 }
                .map { IncidentNotice(incident: $0, resolved: false) }
        }
        return (try? store.resolveIncident(kind: kind, project: project, schedule: schedule, at: date)).flatMap { $0 }
            .map { IncidentNotice(incident: $0, resolved: true) }
    }

    /// Opens a `stale` incident for each project of a backup schedule with no good backup within
    /// twice the schedule's interval (counted from the schedule's start when it has none), and clears
    /// it once one is taken. Returns the notices, sent through `alerts` when given.
    @discardableResult
    public func checkStale(now: Date = Date(), alerts: AlertDispatcher? = nil) -> [IncidentNotice] {
        guard let records = try? store.schedules() else { return [] }
        let backups = Self.newestGoodBackups((try? store.backups()) ?? [])
        var notices: [IncidentNotice] = []
        for record in records where record.kind == "backup" {
            guard let schedule = try? Schedule(record), let selected = try? projects(schedule.target.selection) else { continue }
            let limit = 2 * schedule.timing.interval(near: now, anchor: record.createdAt)
            for project in selected {
                let last = backups[project.name]?.createdAt
                let since = last ?? record.createdAt
                let stale = now.timeIntervalSince(since) > limit
                let what =
                    last.map { "no good backup since \(UTCStamp.iso($0)), more than twice the schedule's interval" }
                    ?? "no backup yet, more than twice the schedule's interval after it was added"
                if let notice = incident("stale", project: project.name, schedule: record.name, open: stale, what: what, at: now) {
                    notices.append(notice)
                }
            }
        }
        if let alerts, !notices.isEmpty { alerts.send(notices, hooks: (try? store.alertHooks()) ?? []) }
        return notices
    }

    /// Each project's newest backup not failed by `backup verify`, from a list sorted newest first.
    static func newestGoodBackups(_ backups: [BackupRecord]) -> [String: BackupRecord] {
        newestBackups(backups.filter { $0.verifiedOK != false })
    }
}
