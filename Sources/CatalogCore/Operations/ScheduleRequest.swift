import CatalogStore
import Foundation

/// What a schedule does to each selected project.
public enum ScheduleKind: String, Sendable, CaseIterable {
    case backup, drift, scan
}

/// Which projects a schedule acts on, resolved again at every run.
public enum ScheduleTarget: Sendable, Equatable {
    case all
    case tag(String)
    case project(String)

    /// The selection for one run.
    var selection: ProjectSelection {
        switch self {
        case .all: ProjectSelection(all: true)
        case .tag(let tag): ProjectSelection(tags: [tag], strictTags: true)
        case .project(let name): ProjectSelection(names: [name])
        }
    }

    /// `--all`, `--tag T` or `--project P`, as `schedule list` shows it.
    public var description: String {
        switch self {
        case .all: "all"
        case .tag(let tag): "tag \(tag)"
        case .project(let name): name
        }
    }
}

/// How many backups a backup schedule keeps: the newest N, and the newest of each of the last N
/// days, weeks and months. A backup is kept when any rule keeps it; a project's newest good backup
/// is always kept.
public struct ScheduleRetention: Sendable, Equatable {
    public var keepLast: Int?
    public var keepDaily: Int?
    public var keepWeekly: Int?
    public var keepMonthly: Int?

    public init(keepLast: Int? = nil, keepDaily: Int? = nil, keepWeekly: Int? = nil, keepMonthly: Int? = nil) {
        self.keepLast = keepLast
        self.keepDaily = keepDaily
        self.keepWeekly = keepWeekly
        self.keepMonthly = keepMonthly
    }

    /// True when no rule was given: nothing is pruned.
    public var isEmpty: Bool { [keepLast, keepDaily, keepWeekly, keepMonthly].allSatisfy { $0 == nil } }

    /// Refuses a negative count, and rules that together keep nothing.
    func validate() throws {
        let given = [keepLast, keepDaily, keepWeekly, keepMonthly].compactMap { $0 }
        if given.contains(where: { $0 < 0 }) {
            throw CatalogError.usage("a retention count cannot be negative; give how many backups to keep, such as 10")
        }
        if !given.isEmpty, given.allSatisfy({ $0 == 0 }) {
            throw CatalogError.usage("this retention would keep no backup; give at least one retention count of 1 or more")
        }
    }

    /// How `schedule list` shows it.
    public var description: String {
        let parts = [("last", keepLast), ("daily", keepDaily), ("weekly", keepWeekly), ("monthly", keepMonthly)]
            .compactMap { name, count in count.map { "\(name) \($0)" } }
        return parts.isEmpty ? "-" : parts.joined(separator: ", ")
    }
}

/// `catalog schedule add`'s input, before it is checked.
public struct ScheduleRequest: Sendable, Equatable {
    public var kind: ScheduleKind
    public var target: ScheduleTarget
    public var cron: String?
    public var timeZone: String?
    public var every: String?
    public var retention: ScheduleRetention
    /// The schedule's name; nil makes one from the kind and target.
    public var name: String?

    public init(
        kind: ScheduleKind, target: ScheduleTarget, cron: String? = nil, timeZone: String? = nil, every: String? = nil,
        retention: ScheduleRetention = ScheduleRetention(), name: String? = nil
    ) {
        self.kind = kind
        self.target = target
        self.cron = cron
        self.timeZone = timeZone
        self.every = every
        self.retention = retention
        self.name = name
    }
}

/// One schedule as read back: its record, parsed.
public struct Schedule: Sendable, Equatable {
    public var record: ScheduleRecord
    public var kind: ScheduleKind
    public var target: ScheduleTarget
    public var timing: ScheduleTiming
    public var retention: ScheduleRetention

    public var name: String { record.name }

    /// The clock that says when it is due.
    public var clock: ScheduleClock {
        ScheduleClock(timing: timing, anchor: record.createdAt, lastSlot: record.lastSlot, name: record.name)
    }

    init(_ record: ScheduleRecord) throws {
        self.record = record
        guard let kind = ScheduleKind(rawValue: record.kind) else { throw CatalogError("schedule \"\(record.name)\" has an unknown kind") }
        self.kind = kind
        switch (record.selectionKind, record.selectionValue) {
        case ("tag", let tag?): target = .tag(tag)
        case ("project", let name?): target = .project(name)
        default: target = .all
        }
        if let seconds = record.everySeconds {
            timing = .every(seconds: seconds)
        } else {
            timing = try ScheduleTiming.parse(cron: record.cron, timeZone: record.timeZone, every: nil)
        }
        retention = ScheduleRetention(
            keepLast: record.keepLast, keepDaily: record.keepDaily, keepWeekly: record.keepWeekly, keepMonthly: record.keepMonthly)
    }
}

/// A schedule with what `schedule list` shows: when it runs next, and how it last ended.
public struct ScheduleStatus: Sendable, Equatable {
    public var schedule: Schedule
    public var nextRun: Date?
    public var lastRun: ScheduleRunRecord?
}
