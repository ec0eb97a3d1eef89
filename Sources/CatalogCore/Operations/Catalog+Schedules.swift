import CatalogStore
import Foundation

extension Catalog {
    /// Checks and records a schedule. Bad timing or retention is `bad_input`; an unknown project or
    /// tag is `not_found`; nothing is written unless all of it holds.
    @discardableResult
    public func addSchedule(_ request: ScheduleRequest, now: Date = Date()) throws -> Schedule {
        let timing = try ScheduleTiming.parse(cron: request.cron, timeZone: request.timeZone, every: request.every)
        try request.retention.validate()
        if request.kind != .backup, !request.retention.isEmpty {
            throw CatalogError.usage("retention applies to backup schedules only; drop it for a \(request.kind.rawValue) schedule")
        }
        _ = try projects(request.target.selection)
        let name = request.name ?? Self.defaultScheduleName(request)
        try ProjectName.validate(name, what: "schedule name")
        var record = ScheduleRecord(
            name: name, kind: request.kind.rawValue, selectionKind: "all", selectionValue: nil, cron: nil, everySeconds: nil,
            keepLast: request.retention.keepLast, keepDaily: request.retention.keepDaily, keepWeekly: request.retention.keepWeekly,
            keepMonthly: request.retention.keepMonthly, createdAt: now)
        switch request.target {
        case .all: break
        case .tag(let tag): (record.selectionKind, record.selectionValue) = ("tag", tag)
        case .project(let project): (record.selectionKind, record.selectionValue) = ("project", project)
        }
        switch timing {
        case .cron(let expression, let zone): (record.cron, record.timeZone) = (expression.text, ScheduleTiming.isUTC(zone) ? "UTC" : zone.identifier)
        case .every(let seconds): record.everySeconds = seconds
        }
        let entry = AuditEntry(
            action: "schedule.add", target: name, result: "ok", detail: "\(request.kind.rawValue) \(request.target.description) \(timing.description)"
        )
        do {
            return try Schedule(store.insertSchedule(record, audit: entry))
        } catch let error as StoreError where error.code == .alreadyExists {
            throw CatalogError(.alreadyExists, "a schedule named \"\(name)\" exists already; pick another name, or remove it first")
        } catch {
            throw CatalogError.wrap(error)
        }
    }

    static func defaultScheduleName(_ request: ScheduleRequest) -> String {
        switch request.target {
        case .all: "\(request.kind.rawValue)-all"
        case .tag(let tag): "\(request.kind.rawValue)-tag-\(tag)"
        case .project(let project): "\(request.kind.rawValue)-\(project)"
        }
    }

    /// Every schedule with its next run and its last run.
    public func scheduleStatuses(now: Date = Date()) throws -> [ScheduleStatus] {
        let records = try wrapped { try store.schedules() }
        let runs = try wrapped { try store.scheduleRuns(scheduleID: nil, limit: 1_000) }
        return try records.map { record in
            let schedule = try Schedule(record)
            return ScheduleStatus(
                schedule: schedule, nextRun: schedule.clock.nextRun(after: now),
                lastRun: runs.first { $0.scheduleID == record.id })
        }
    }

    /// One schedule by name; an unknown name is `not_found`.
    public func schedule(named name: String) throws -> Schedule {
        guard let record = try wrapped({ try store.schedules() }).first(where: { $0.name == name }) else {
            throw CatalogError(.notFound, "no schedule is named \"\(name)\"; 'catalog schedule list' shows them")
        }
        return try Schedule(record)
    }

    /// Removes a schedule and its run history.
    public func removeSchedule(named name: String) throws {
        let entry = AuditEntry(action: "schedule.remove", target: name, result: "ok")
        guard try wrapped({ try store.deleteSchedule(named: name, audit: entry) }) else {
            throw CatalogError(.notFound, "no schedule is named \"\(name)\"; 'catalog schedule list' shows them")
        }
    }

    /// The newest runs first, of one schedule or all.
    public func scheduleRuns(schedule: String? = nil, limit: Int = 50) throws -> [ScheduleRunRecord] {
        let id = try schedule.map { try self.schedule(named: $0).record.id }
        return try wrapped { try store.scheduleRuns(scheduleID: id ?? nil, limit: limit) }
    }
}
