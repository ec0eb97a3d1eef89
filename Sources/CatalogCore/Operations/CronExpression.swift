import Foundation
import CatalogStore

/// A standard 5-field cron expression (minute, hour, day of month, month, day of week), read in
/// one time zone. Fields take `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b`, and
/// month and weekday names (`jan`, `mon`); weekday 7 is Sunday, as 0 is. When both day fields are
/// restricted a day matches either, as in Vixie cron.
///
/// Across a daylight-saving change a local time that does not exist runs once at the change, and
/// a local time that happens twice runs once, at its first occurrence.
public struct CronExpression: Sendable, Equatable {
    /// The expression as given.
    public let text: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let weekdays: Set<Int>
    let dayOfMonthRestricted: Bool
    let weekdayRestricted: Bool

    /// Parses an expression; a malformed one throws a one-line `bad_input` error naming the field.
    public init(_ text: String) throws {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw CatalogError.usage(
                "cron expression \"\(text)\" has \(fields.count) field\(fields.count == 1 ? "" : "s"); it needs 5: minute hour day-of-month month day-of-week, such as '0 3 * * *'"
            )
        }
        self.text = fields.joined(separator: " ")
        minutes = try Self.field(fields[0], name: "minute", range: 0...59, names: [:], expression: text)
        hours = try Self.field(fields[1], name: "hour", range: 0...23, names: [:], expression: text)
        daysOfMonth = try Self.field(fields[2], name: "day of month", range: 1...31, names: [:], expression: text)
        months = try Self.field(fields[3], name: "month", range: 1...12, names: Self.monthNames, expression: text)
        let weekdays = try Self.field(fields[4], name: "day of week", range: 0...7, names: Self.weekdayNames, expression: text)
        self.weekdays = Set(weekdays.map { $0 % 7 })
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        weekdayRestricted = !fields[4].hasPrefix("*")
        if !dayOfMonthRestricted || weekdayRestricted {
            return
        }
        // Only the day of month restricts: refuse a day no month in the expression has (such as 31 in April).
        let longest = months.map { Self.daysIn(month: $0, year: 2024) }.max() ?? 31
        if (daysOfMonth.min() ?? 1) > longest {
            throw CatalogError.usage(
                "cron expression \"\(text)\" never runs: no month it names has that day; check the day-of-month and month fields")
        }
    }

    static let monthNames = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    ]
    static let weekdayNames = ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]

    private static func field(
        _ text: String, name: String, range: ClosedRange<Int>, names: [String: Int], expression: String
    ) throws -> Set<Int> {
        func bad(_ why: String) -> CatalogError {
            CatalogError.usage(
                "cron expression \"\(expression)\": the \(name) field \"\(text)\" \(why); use numbers \(range.lowerBound)-\(range.upperBound), '*', ranges a-b, steps */n and lists a,b"
            )
        }
        func value(_ part: Substring) throws -> Int {
            if let number = Int(part) {
                guard range.contains(number) else { throw bad("is out of range") }
                return number
            }
            if let named = names[part.lowercased()] { return named }
            throw bad("is not a number")
        }
        var result = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw bad("has an empty list item") }
            let pieces = item.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw bad("has more than one step") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed >= 1, parsed <= range.upperBound + 1 else { throw bad("has an invalid step") }
                step = parsed
            }
            let base = pieces[0]
            var low: Int
            var high: Int
            if base == "*" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                low = try value(base[..<dash])
                high = try value(base[base.index(after: dash)...])
                guard low <= high else { throw bad("has a range that runs backwards") }
            } else {
                low = try value(base)
                high = pieces.count == 2 ? range.upperBound : low
            }
            result.formUnion(stride(from: low, through: high, by: step))
        }
        return result
    }

    /// True when a local calendar day matches the day-of-month, month and weekday fields.
    func matches(year: Int, month: Int, day: Int) -> Bool {
        guard months.contains(month) else { return false }
        let weekday = CivilDay.weekday(year: year, month: month, day: day)
        switch (dayOfMonthRestricted, weekdayRestricted) {
        case (true, true): return daysOfMonth.contains(day) || weekdays.contains(weekday)
        case (true, false): return daysOfMonth.contains(day)
        case (false, true): return weekdays.contains(weekday)
        case (false, false): return true
        }
    }

    /// The first run strictly after `date`, in `timeZone`; nil when none falls in the next eight years.
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        let after = date.timeIntervalSince1970
        let startLocal = Int((after + Double(timeZone.secondsFromGMT(for: date))).rounded(.down))
        var dayNumber = CivilDay.floorDivide(startLocal, 86_400) - 1
        let sortedHours = hours.sorted()
        let sortedMinutes = minutes.sorted()
        for _ in 0..<(366 * 8 + 2) {
            let (year, month, day) = CivilDay.civil(dayNumber)
            if matches(year: year, month: month, day: day) {
                for hour in sortedHours {
                    for minute in sortedMinutes {
                        let wall = dayNumber * 86_400 + hour * 3_600 + minute * 60
                        if let instant = Self.firstInstant(ofWall: wall, in: timeZone), instant > after {
                            return Date(timeIntervalSince1970: instant)
                        }
                    }
                }
            }
            dayNumber += 1
        }
        return nil
    }

    /// The first instant whose local time in `timeZone` is `wall` (seconds since 1970 on the local
    /// clock). A wall time skipped by a daylight-saving change maps to the change itself.
    static func firstInstant(ofWall wall: Int, in timeZone: TimeZone) -> Double? {
        let wallDate = Date(timeIntervalSince1970: Double(wall))
        let before = timeZone.secondsFromGMT(for: wallDate.addingTimeInterval(-86_400))
        let after = timeZone.secondsFromGMT(for: wallDate.addingTimeInterval(86_400))
        let candidates = Set([wall - before, wall - after]).sorted()
        for candidate in candidates where candidate + timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(candidate))) == wall {
            return Double(candidate)
        }
        // In a gap: the local clock jumps over `wall`; run at the jump.
        let earliest = Date(timeIntervalSince1970: Double(candidates.first ?? wall) - 1)
        return timeZone.nextDaylightSavingTimeTransition(after: earliest)?.timeIntervalSince1970
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
