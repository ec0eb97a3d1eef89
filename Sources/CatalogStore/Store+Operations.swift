import Foundation
import GRDB

/// One schedule `catalog serve` runs: what it does, to which projects, when, and what it keeps.
public struct ScheduleRecord: Sendable, Equatable {
    public var id: Int64?
    public var name: String
    /// `backup`, `drift` or `scan`.
    public var kind: String
    /// `all`, `tag` or `project`.
    public var selectionKind: String
    /// The tag or project name; nil for `all`.
    public var selectionValue: String?
    /// A 5-field cron expression, or nil for `--every`.
    public var cron: String?
    /// The IANA time zone the cron expression is read in.
    public var timeZone: String
    /// The `--every` interval, or nil for `--cron`.
    public var everySeconds: Int?
    public var keepLast: Int?
    public var keepDaily: Int?
    public var keepWeekly: Int?
    public var keepMonthly: Int?
    public var createdAt: Date
    /// The scheduled time last claimed by a run; nil when it never ran.
    public var lastSlot: Date?

    public init(
        id: Int64? = nil, name: String, kind: String, selectionKind: String, selectionValue: String?, cron: String?,
        timeZone: String = "UTC", everySeconds: Int?, keepLast: Int? = nil, keepDaily: Int? = nil, keepWeekly: Int? = nil,
        keepMonthly: Int? = nil, createdAt: Date, lastSlot: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.selectionKind = selectionKind
        self.selectionValue = selectionValue
        self.cron = cron
        self.timeZone = timeZone
        self.everySeconds = everySeconds
        self.keepLast = keepLast
        self.keepDaily = keepDaily
        self.keepWeekly = keepWeekly
        self.keepMonthly = keepMonthly
        self.createdAt = createdAt
        self.lastSlot = lastSlot
    }
}

/// One project's outcome in a run.
public struct RunProjectRecord: Sendable, Equatable {
    public var project: String
    /// `ok`, `failed`, `timed_out` or `skipped`.
    public var outcome: String
    /// The one-line reason of a failure.
    public var reason: String?
    public var bytes: Int64?
    public var seconds: Double

    public init(project: String, outcome: String, reason: String?, bytes: Int64?, seconds: Double) {
        self.project = project
        self.outcome = outcome
        self.reason = reason
        self.bytes = bytes
        self.seconds = seconds
    }
}

/// One run of a schedule, with each project's outcome.
public struct ScheduleRunRecord: Sendable, Equatable {
    public var id: Int64
    public var scheduleID: Int64
    public var scheduleName: String
    /// The scheduled time it ran for; nil for `schedule run`.
    public var slot: Date?
    public var startedAt: Date
    public var endedAt: Date?
    /// `running`, `ok`, `failed` or `abandoned` (its server stopped before it ended).
    public var outcome: String
    /// The scheduler lease's epoch that claimed it.
    public var epoch: Int64?
    public var bytes: Int64
    public var projects: [RunProjectRecord]
}

/// A webhook that hears about incidents of some kinds. `url` is a secret.
public struct AlertHookRecord: Sendable, Equatable {
    public var id: Int64?
    public var url: String
    /// `failure`, `stale`, `size-change`, `drift`, `disk-space`.
    public var kinds: [String]
    public var createdAt: Date

    public init(id: Int64? = nil, url: String, kinds: [String], createdAt: Date) {
        self.id = id
        self.url = url
        self.kinds = kinds
        self.createdAt = createdAt
    }
}

/// Something wrong that an alert reported, open until it clears.
public struct IncidentRecord: Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var project: String
    /// The schedule's name, or empty.
    public var schedule: String
    public var what: String
    public var openedAt: Date
    public var resolvedAt: Date?
}

extension Store {
    /// Records a schedule with its audit entry; a taken name throws `.alreadyExists`.
    @discardableResult
    public func insertSchedule(_ schedule: ScheduleRecord, audit entry: AuditEntry) throws -> ScheduleRecord {
        try write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM schedule WHERE name = ?", arguments: [schedule.name]) == true {
                throw StoreError(.alreadyExists, "a schedule named \"\(schedule.name)\" exists already")
            }
            try db.execute(
                sql: """
                    INSERT INTO schedule (name, kind, selection_kind, selection_value, cron, timezone, every_seconds,
                                          keep_last, keep_daily, keep_weekly, keep_monthly, created_at, last_slot)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    schedule.name, schedule.kind, schedule.selectionKind, schedule.selectionValue, schedule.cron, schedule.timeZone,
                    schedule.everySeconds, schedule.keepLast, schedule.keepDaily, schedule.keepWeekly, schedule.keepMonthly,
                    schedule.createdAt, schedule.lastSlot,
                ])
            let id = db.lastInsertedRowID
            try Store.insertAudit(entry, db)
            return try Row.fetchOne(db, sql: "SELECT * FROM schedule WHERE id = ?", arguments: [id]).map(Store.scheduleRecord) ?? schedule
        }
    }

    /// Every schedule, by name.
    public func schedules() throws -> [ScheduleRecord] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM schedule ORDER BY name").map(Store.scheduleRecord) }
    }

    /// Removes a schedule and its history with its audit entry; false when there was none by that name.
    @discardableResult
    public func deleteSchedule(named name: String, audit entry: AuditEntry) throws -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM schedule WHERE name = ?", arguments: [name])
            guard db.changesCount > 0 else { return false }
            try Store.insertAudit(entry, db)
            return true
        }
    }

    /// Claims a run: moves the schedule's `last_slot` from `expected` to `slot` and records a running
    /// run, in one transaction. With an `epoch`, the claim holds only while `holder` holds the lease
    /// with that epoch (the fencing token). Returns the run's id, or nil when another claimed it first
    /// or the lease moved on. Without a slot (`schedule run`) the schedule's timing is left alone.
    public func claimRun(scheduleID: Int64, expected: Date?, slot: Date?, holder: String?, epoch: Int64?, at now: Date) throws -> Int64? {
        try write { db in
            if let epoch, let holder {
                let held = try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM leader_lease WHERE name = 'scheduler' AND holder = ? AND epoch = ? AND expires_at > ?",
                    arguments: [holder, epoch, now.timeIntervalSince1970])
                guard held == true else { return nil }
            }
            if let slot {
                try db.execute(
                    sql: "UPDATE schedule SET last_slot = ? WHERE id = ? AND last_slot IS ?", arguments: [slot, scheduleID, expected])
                guard db.changesCount == 1 else { return nil }
            }
            try db.execute(
                sql: "INSERT INTO schedule_run (schedule_id, slot, started_at, outcome, epoch) VALUES (?, ?, ?, 'running', ?)",
                arguments: [scheduleID, slot, now, epoch])
            return db.lastInsertedRowID
        }
    }

    /// Records how a run ended and each project's outcome, in one transaction.
    public func finishRun(id: Int64, outcome: String, projects: [RunProjectRecord], at date: Date) throws {
        try write { db in
            for project in projects {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO schedule_run_project (run_id, project, outcome, reason, bytes, seconds) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [id, project.project, project.outcome, project.reason, project.bytes, project.seconds])
            }
            let bytes = projects.compactMap(\.bytes).reduce(0, +)
            try db.execute(
                sql: "UPDATE schedule_run SET outcome = ?, ended_at = ?, bytes = ? WHERE id = ?", arguments: [outcome, date, bytes, id])
        }
    }

    /// Marks as abandoned the runs still `running` that no live lease holder claimed (their server
    /// stopped in the middle); returns how many.
    @discardableResult
    public func abandonRuns(exceptEpoch epoch: Int64?, at date: Date) throws -> Int {
        try write { db in
            try db.execute(
                sql: "UPDATE schedule_run SET outcome = 'abandoned', ended_at = ? WHERE outcome = 'running' AND (epoch IS NULL OR epoch IS NOT ?)",
                arguments: [date, epoch])
            return db.changesCount
        }
    }

    /// The newest runs first (of one schedule when given), each with its projects' outcomes.
    public func scheduleRuns(scheduleID: Int64?, limit: Int) throws -> [ScheduleRunRecord] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.*, s.name AS schedule_name FROM schedule_run r JOIN schedule s ON s.id = r.schedule_id
                    WHERE ? IS NULL OR r.schedule_id = ? ORDER BY r.started_at DESC, r.id DESC LIMIT ?
                    """, arguments: [scheduleID, scheduleID, limit])
            return try rows.map { row in
                let id: Int64 = row["id"]
                let projects = try Row.fetchAll(
                    db, sql: "SELECT * FROM schedule_run_project WHERE run_id = ? ORDER BY project", arguments: [id]
                ).map { project in
                    RunProjectRecord(
                        project: project["project"], outcome: project["outcome"], reason: project["reason"], bytes: project["bytes"],
                        seconds: project["seconds"])
                }
                return ScheduleRunRecord(
                    id: id, scheduleID: row["schedule_id"], scheduleName: row["schedule_name"], slot: row["slot"], startedAt: row["started_at"],
                    endedAt: row["ended_at"], outcome: row["outcome"], epoch: row["epoch"], bytes: row["bytes"], projects: projects)
            }
        }
    }

    /// Records a webhook with its audit entry (which names it by id only).
    @discardableResult
    public func insertAlertHook(_ hook: AlertHookRecord, audit entry: AuditEntry) throws -> AlertHookRecord {
        try write { db in
            try db.execute(
                sql: "INSERT INTO alert_hook (url, kinds, created_at) VALUES (?, ?, ?)",
                arguments: [hook.url, hook.kinds.joined(separator: ","), hook.createdAt])
            var stored = hook
            stored.id = db.lastInsertedRowID
            var entry = entry
            entry.target = "alert \(db.lastInsertedRowID)"
            try Store.insertAudit(entry, db)
            return stored
        }
    }

    /// Every webhook, by id.
    public func alertHooks() throws -> [AlertHookRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alert_hook ORDER BY id").map { row in
                AlertHookRecord(
                    id: row["id"], url: row["url"], kinds: (row["kinds"] as String).split(separator: ",").map(String.init),
                    createdAt: row["created_at"])
            }
        }
    }

    /// Forgets a webhook; false when there was none with that id.
    @discardableResult
    public func deleteAlertHook(id: Int64, audit entry: AuditEntry) throws -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM alert_hook WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { return false }
            try Store.insertAudit(entry, db)
            return true
        }
    }

    /// Opens an incident unless one with the same kind, project and schedule is open; returns it
    /// when it was opened now, nil when it was open already.
    public func openIncident(kind: String, project: String, schedule: String, what: String, at date: Date) throws -> IncidentRecord? {
        try write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO incident (kind, project, schedule, what, opened_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [kind, project, schedule, what, date])
            guard db.changesCount == 1 else { return nil }
            return try Row.fetchOne(db, sql: "SELECT * FROM incident WHERE id = ?", arguments: [db.lastInsertedRowID]).map(Store.incidentRecord)
        }
    }

    /// Closes the open incident with this kind, project and schedule; returns it, or nil when none was open.
    public func resolveIncident(kind: String, project: String, schedule: String, at date: Date) throws -> IncidentRecord? {
        try write { db in
            guard
                let open = try Row.fetchOne(
                    db, sql: "SELECT * FROM incident WHERE kind = ? AND project = ? AND schedule = ? AND resolved_at IS NULL",
                    arguments: [kind, project, schedule]
                ).map(Store.incidentRecord)
            else { return nil }
            try db.execute(sql: "UPDATE incident SET resolved_at = ? WHERE id = ?", arguments: [date, open.id])
            var resolved = open
            resolved.resolvedAt = date
            return resolved
        }
    }

    /// Incidents, newest first: the open ones only, or all of them.
    public func incidents(openOnly: Bool, limit: Int) throws -> [IncidentRecord] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM incident WHERE (? = 0 OR resolved_at IS NULL) ORDER BY opened_at DESC, id DESC LIMIT ?",
                arguments: [openOnly, limit]
            ).map(Store.incidentRecord)
        }
    }

    static func incidentRecord(_ row: Row) -> IncidentRecord {
        IncidentRecord(
            id: row["id"], kind: row["kind"], project: row["project"], schedule: row["schedule"], what: row["what"],
            openedAt: row["opened_at"], resolvedAt: row["resolved_at"])
    }

    static func scheduleRecord(_ row: Row) -> ScheduleRecord {
        ScheduleRecord(
            id: row["id"], name: row["name"], kind: row["kind"], selectionKind: row["selection_kind"], selectionValue: row["selection_value"],
            cron: row["cron"], timeZone: row["timezone"], everySeconds: row["every_seconds"], keepLast: row["keep_last"],
            keepDaily: row["keep_daily"], keepWeekly: row["keep_weekly"], keepMonthly: row["keep_monthly"], createdAt: row["created_at"],
            lastSlot: row["last_slot"])
    }
}
