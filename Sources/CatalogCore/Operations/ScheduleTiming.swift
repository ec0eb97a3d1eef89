import Foundation

/// When a schedule runs: a cron expression in a time zone, or every fixed duration.
public enum ScheduleTiming: Sendable, Equatable {
    case cron(CronExpression, timeZone: TimeZone)
    case every(seconds: Int)

    /// Parses `--cron EXPR [--timezone TZ]` or `--every DUR`; exactly one of them must be given.
    public static func parse(cron: String?, timeZone: String?, every: String?) throws -> ScheduleTiming {
        switch (cron, every) {
        case (let cron?, nil):
            let zoneName = timeZone ?? "UTC"
            guard let zone = TimeZone(identifier: zoneName) else {
                throw CatalogError.usage("unknown time zone \"\(zoneName)\"; use an IANA name such as Europe/Berlin or UTC")
            }
            return .cron(try CronExpression(cron), timeZone: zone)
        case (nil, let every?):
            if timeZone != nil { throw CatalogError.usage("a time zone applies to cron schedules only; drop it or give a cron expression") }
            return .every(seconds: try parseDuration(every))
        case (nil, nil):
            throw CatalogError.usage("a schedule needs a cron expression or an interval (such as 6h)")
        case (.some, .some):
            throw CatalogError.usage("give a cron expression or an interval, not both")
        }
    }

    /// Parses a duration such as `30s`, `15m`, `6h`, `1d` or `1h30m` into seconds (at least one).
    public static func parseDuration(_ text: String) throws -> Int {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        var total = 0
        var digits = ""
        func bad() -> CatalogError {
            CatalogError.usage("duration \"\(text)\" is not valid; write a number and a unit s, m, h or d, such as 30s, 15m, 6h, 1d")
        }
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if let unit = units[character], let number = Int(digits), number <= 10_000_000 {
                total += number * unit
                digits = ""
            } else {
                throw bad()
            }
        }
        guard digits.isEmpty, total >= 1, total <= 366 * 86_400 else { throw bad() }
        return total
    }

    /// Formats seconds as `--every` takes them: `30s`, `15m`, `6h`, `1d`, `1h30m`.
    public static func formatDuration(_ seconds: Int) -> String {
        var rest = seconds
        var text = ""
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text.isEmpty ? "0s" : text
    }

    /// The first scheduled time strictly after `date`. `anchor` is where `--every` counts from.
    public func nextSlot(after date: Date, anchor: Date) -> Date? {
        switch self {
        case .cron(let expression, let zone):
            return expression.next(after: date, in: zone)
        case .every(let seconds):
            let elapsed = date.timeIntervalSince(anchor)
            let count = elapsed < 0 ? 0 : (elapsed / Double(seconds)).rounded(.down) + 1
            return anchor.addingTimeInterval(count * Double(seconds))
        }
    }

    /// The latest scheduled time in (`after`, `date`], or nil when none falls there.
    public func latestSlot(after: Date, atOrBefore date: Date, anchor: Date) -> Date? {
        guard date > after else { return nil }
        switch self {
        case .every(let seconds):
            let count = (date.timeIntervalSince(anchor) / Double(seconds)).rounded(.down)
            guard count >= 1 else { return nil }
            let slot = anchor.addingTimeInterval(count * Double(seconds))
            return slot > after ? slot : nil
        case .cron:
            var found: Date?
            var cursor = after
            // After a long downtime, jump near the end first: slots before a week back are never run.
            if date.timeIntervalSince(after) > 8 * 86_400 { cursor = date.addingTimeInterval(-8 * 86_400) }
            while let slot = nextSlot(after: cursor, anchor: anchor), slot <= date {
                found = slot
                cursor = slot
            }
            return found
        }
    }

    /// The usual time between runs, for jitter and staleness: the duration, or the gap between the
    /// two cron runs after `date`.
    public func interval(near date: Date, anchor: Date) -> Double {
        switch self {
        case .every(let seconds): return Double(seconds)
        case .cron:
            guard let first = nextSlot(after: date, anchor: anchor), let second = nextSlot(after: first, anchor: anchor) else { return 86_400 }
            return second.timeIntervalSince(first)
        }
    }

    /// True for UTC, which Foundation on Linux names GMT.
    static func isUTC(_ zone: TimeZone) -> Bool { ["UTC", "GMT", "Etc/UTC", "Etc/GMT"].contains(zone.identifier) }

    /// How the timing reads in `schedule list`.
    public var description: String {
        switch self {
        case .cron(let expression, let zone): Self.isUTC(zone) ? "cron \(expression.text)" : "cron \(expression.text) \(zone.identifier)"
        case .every(let seconds): "every \(Self.formatDuration(seconds))"
        }
    }
}

/// When a schedule is due: pure, so tests drive it with any clock.
public struct ScheduleClock: Sendable, Equatable {
    public var timing: ScheduleTiming
    /// When the schedule was added: `--every` counts from it, and nothing before it is run.
    public var anchor: Date
    /// The scheduled time last claimed; nil when it never ran.
    public var lastSlot: Date?
    /// A fixed delay, at most 10 % of the interval, so schedules with the same timing do not all start at once.
    public var jitter: Double

    public init(timing: ScheduleTiming, anchor: Date, lastSlot: Date?, name: String) {
        self.timing = timing
        self.anchor = anchor
        self.lastSlot = lastSlot
        self.jitter = Self.jitter(name: name, interval: timing.interval(near: anchor, anchor: anchor))
    }

    /// The delay of a schedule: a fraction in [0, 0.1) of the interval (of at most 50 minutes, so a
    /// nightly run starts within 5 minutes of its time), the same for a name every time.
    public static func jitter(name: String, interval: Double) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Double(hash % 1_000) / 10_000 * min(interval, 3_000)
    }

    /// The slot to run at `now`, or nil when none is due. After downtime only the latest missed
    /// slot is returned, so a missed run is made once, not once per missed slot.
    public func due(at now: Date) -> Date? {
        timing.latestSlot(after: lastSlot ?? anchor, atOrBefore: now.addingTimeInterval(-jitter), anchor: anchor)
    }

    /// When the next run will start (its slot plus the jitter).
    public func nextRun(after now: Date) -> Date? {
        if let due = due(at: now) { return due.addingTimeInterval(jitter) }
        let from = max(lastSlot ?? anchor, now.addingTimeInterval(-jitter))
        return timing.nextSlot(after: from, anchor: anchor)?.addingTimeInterval(jitter)
    }
}
