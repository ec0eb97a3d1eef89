import Foundation
import PostgresClient

extension PostgresStore {
    static let scheduleColumns = """
        id, name, kind, selection_kind, selection_value, cron, timezone, every_seconds, keep_last, keep_daily, keep_weekly,
        keep_monthly, created_at, last_slot
        """

    /// Records a schedule with its audit entry; a taken name throws `.alreadyExists`.
    @discardableResult
    public func insertSchedule(_ schedule: ScheduleRecord, audit entry: AuditEntry) throws -> ScheduleRecord {
        try write { session in
            if try session.row("SELECT 1 FROM schedule WHERE name = $1", [schedule.name]) != nil {
                throw StoreError(.alreadyExists, "a schedule named \"\(schedule.name)\" exists already")
            }
            let row = try session.row(
                """
                INSERT INTO schedule (name, kind, selection_kind, selection_value, cron, timezone, every_seconds,
                                      keep_last, keep_daily, keep_weekly, keep_monthly, created_at, last_slot)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING \(Self.scheduleColumns)
                """,
                [
                    schedule.name, schedule.kind, schedule.selectionKind, schedule.selectionValue, schedule.cron, schedule.timeZone,
                    schedule.everySeconds, schedule.keepLast, schedule.keepDaily, schedule.keepWeekly, schedule.keepMonthly,
                    schedule.createdAt.bound, schedule.lastSlot.bound,
                ])
            try Self.insertAudit(entry, session)
            return row.map(Self.scheduleRecord) ?? schedule
        }
    }

    /// Every schedule, by name.
    public func schedules() throws -> [ScheduleRecord] {
        try read { session in
            try session.rows("SELECT \(Self.scheduleColumns) FROM schedule ORDER BY name COLLATE \"C\"").map(Self.scheduleRecord)
        }
    }

    /// Removes a schedule and its history with its audit entry; false when there was none by that name.
    @discardableResult
    public func deleteSchedule(named name: String, audit entry: AuditEntry) throws -> Bool {
        try write { session in
            guard try session.changes("DELETE FROM schedule WHERE name = $1", [name]) > 0 else { return false }
            try Self.insertAudit(entry, session)
            return true
        }
    }

    /// Claims a run (moving the schedule's last slot from `expected` to `slot`, fenced by the lease epoch); nil when lost.
    public func claimRun(scheduleID: Int64, expected: Date?, slot: Date?, holder: String?, epoch: Int64?, at now: Date) throws -> Int64? {
        try write { session in
            if let epoch, let holder {
                let held = try session.row(
                    "SELECT 1 FROM leader_lease WHERE name = 'scheduler' AND holder = $1 AND epoch = $2 AND expires_at > $3",
                    [holder, epoch, now.timeIntervalSince1970])
                guard held != nil else { return nil }
            }
            if let slot {
                let changed = try session.changes(
                    "UPDATE schedule SET last_slot = $1 WHERE id = $2 AND last_slot IS NOT DISTINCT FROM $3::timestamptz",
                    [slot.bound, scheduleID, expected.bound])
                guard changed == 1 else { return nil }
            }
            return try session.row(
                "INSERT INTO schedule_run (schedule_id, slot, started_at, outcome, epoch) VALUES ($1, $2, $3, 'running', $4) RETURNING id",
                [scheduleID, slot.bound, now.bound, epoch]
            )?.int64(0)
        }
    }

    /// Records how a run ended and each project's outcome, in one transaction.
    public func finishRun(id: Int64, outcome: String, projects: [RunProjectRecord], at date: Date) throws {
        try write { session in
            for project in projects {
                try session.execute(
                    """
                    INSERT INTO schedule_run_project (run_id, project, outcome, reason, bytes, seconds) VALUES ($1, $2, $3, $4, $5, $6)
                    ON CONFLICT (run_id, project) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason,
                        bytes = excluded.bytes, seconds = excluded.seconds
                    """, [id, project.project, project.outcome, project.reason, project.bytes, project.seconds])
            }
            let bytes = projects.compactMap(\.bytes).reduce(0, +)
            try session.execute("UPDATE schedule_run SET outcome = $1, ended_at = $2, bytes = $3 WHERE id = $4", [outcome, date.bound, bytes, id])
        }
    }

    /// Marks as abandoned the runs still `running` that no live lease holder claimed; returns how many.
    @discardableResult
    public func abandonRuns(exceptEpoch epoch: Int64?, at date: Date) throws -> Int {
        try write { session in
            try session.changes(
                """
                UPDATE schedule_run SET outcome = 'abandoned', ended_at = $1
                WHERE outcome = 'running' AND (epoch IS NULL OR epoch IS DISTINCT FROM $2::bigint)
                """, [date.bound, epoch])
        }
    }

    /// The newest runs first (of one schedule when given), each with its projects' outcomes.
    public func scheduleRuns(scheduleID: Int64?, limit: Int) throws -> [ScheduleRunRecord] {
        try read { session in
            let runs = try session.rows(
                """
                SELECT r.id, r.schedule_id, s.name, r.slot, r.started_at, r.ended_at, r.outcome, r.epoch, r.bytes
                FROM schedule_run r JOIN schedule s ON s.id = r.schedule_id
                WHERE $1::bigint IS NULL OR r.schedule_id = $1 ORDER BY r.started_at DESC, r.id DESC LIMIT $2
                """, [scheduleID, limit])
            return try runs.map { row in
                let id = row.int64(0) ?? 0
                let projects = try session.rows(
                    "SELECT project, outcome, reason, bytes, seconds FROM schedule_run_project WHERE run_id = $1 ORDER BY project COLLATE \"C\"",
                    [id]
                ).map { project in
                    RunProjectRecord(
                        project: project.string(0), outcome: project.string(1), reason: project.optionalString(2), bytes: project.int64(3),
                        seconds: project.double(4) ?? 0)
                }
                return ScheduleRunRecord(
                    id: id, scheduleID: row.int64(1) ?? 0, scheduleName: row.string(2), slot: row.date(3), startedAt: row.date(4) ?? Date(),
                    endedAt: row.date(5), outcome: row.string(6), epoch: row.int64(7), bytes: row.int64(8) ?? 0, projects: projects)
            }
        }
    }

    /// Records a webhook with its audit entry (which names it by id only).
    @discardableResult
    public func insertAlertHook(_ hook: AlertHookRecord, audit entry: AuditEntry) throws -> AlertHookRecord {
        try write { session in
            let id = try session.row(
                "INSERT INTO alert_hook (url, kinds, created_at) VALUES ($1, $2, $3) RETURNING id",
                [hook.url, hook.kinds.joined(separator: ","), hook.createdAt.bound]
            )?.int64(0)
            var stored = hook
            stored.id = id
            var entry = entry
            entry.target = "alert \(id ?? 0)"
            try Self.insertAudit(entry, session)
            return stored
        }
    }

    /// Every webhook, by id.
    public func alertHooks() throws -> [AlertHookRecord] {
        try read { session in
            try session.rows("SELECT id, url, kinds, created_at FROM alert_hook ORDER BY id").map { row in
                AlertHookRecord(
                    id: row.int64(0), url: row.string(1), kinds: row.string(2).split(separator: ",").map(String.init),
                    createdAt: row.date(3) ?? Date())
            }
        }
    }

    /// Forgets a webhook; false when there was none with that id.
    @discardableResult
    public func deleteAlertHook(id: Int64, audit entry: AuditEntry) throws -> Bool {
        try write { session in
            guard try session.changes("DELETE FROM alert_hook WHERE id = $1", [id]) > 0 else { return false }
            try Self.insertAudit(entry, session)
            return true
        }
    }

    static let incidentColumns = "id, kind, project, schedule, what, opened_at, resolved_at"

    /// Opens an incident unless the same one is open; returns it when opened now.
    public func openIncident(kind: String, project: String, schedule: String, what: String, at date: Date) throws -> IncidentRecord? {
        try write { session in
            try session.row(
                """
                INSERT INTO incident (kind, project, schedule, what, opened_at) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (kind, project, schedule) WHERE resolved_at IS NULL DO NOTHING RETURNING \(Self.incidentColumns)
                """, [kind, project, schedule, what, date.bound]
            ).map(Self.incidentRecord)
        }
    }

    /// Closes an open incident; returns it, or nil when none was open.
    public func resolveIncident(kind: String, project: String, schedule: String, at date: Date) throws -> IncidentRecord? {
        try write { session in
            try session.row(
                """
                UPDATE incident SET resolved_at = $4 WHERE kind = $1 AND project = $2 AND schedule = $3 AND resolved_at IS NULL
                RETURNING \(Self.incidentColumns)
                """, [kind, project, schedule, date.bound]
            ).map(Self.incidentRecord)
        }
    }

    /// Incidents, newest first.
    public func incidents(openOnly: Bool, limit: Int) throws -> [IncidentRecord] {
        try read { session in
            try session.rows(
                """
                SELECT \(Self.incidentColumns) FROM incident WHERE (NOT $1::boolean OR resolved_at IS NULL)
                ORDER BY opened_at DESC, id DESC LIMIT $2
                """, [openOnly, limit]
            ).map(Self.incidentRecord)
        }
    }

    static func incidentRecord(_ row: RegistryRow) -> IncidentRecord {
        IncidentRecord(
            id: row.int64(0) ?? 0, kind: row.string(1), project: row.string(2), schedule: row.string(3), what: row.string(4),
            openedAt: row.date(5) ?? Date(), resolvedAt: row.date(6))
    }

    static func scheduleRecord(_ row: RegistryRow) -> ScheduleRecord {
        ScheduleRecord(
            id: row.int64(0), name: row.string(1), kind: row.string(2), selectionKind: row.string(3), selectionValue: row.optionalString(4),
            cron: row.optionalString(5), timeZone: row.string(6), everySeconds: row.int(7), keepLast: row.int(8), keepDaily: row.int(9),
            keepWeekly: row.int(10), keepMonthly: row.int(11), createdAt: row.date(12) ?? Date(), lastSlot: row.date(13))
    }
}
