import Foundation
import GRDB
import GRDBSQLite

/// A date column of the SQLite store, read without GRDB's decoder where the text has the one shape
/// GRDB writes (`2026-12-03 05:50:38.123`). GRDB's decoder goes through a Gregorian `Calendar`,
/// 1,800 instructions a date, and every search reads the registry: 3,000 dates at N = 1000, a third
/// of reading it. The arithmetic is Foundation's (`Calendar_Gregorian.date(from:)`), so the result
/// is the same `Date` to the bit (`StoredDateTests`); any other shape, and NULL, goes to GRDB.
enum StoredDate {
    /// A row's date, parsed where SQLite holds the text.
    static func read(_ row: SteppedRow, _ column: Int32) -> Date? {
        // The type first: asking a number for its text converts it in place.
        if sqlite3_column_type(row.handle, column) == SQLITE_TEXT, let bytes = row.bytes(column), let date = parse(bytes) { return date }
        return Date.fromDatabaseValue(DatabaseValue(sqliteStatement: row.handle, index: column))
    }

    /// `YYYY-MM-DD HH:MM:SS`, with or without `.SSS`, UTC; nil for anything else.
    static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// The same shape, as UTF-8 bytes.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Date? {
        guard bytes.count == 19 || (bytes.count == 23 && bytes[19] == UInt8(ascii: ".")) else { return nil }
        func number(_ range: Range<Int>) -> Int? { decimalNumber(bytes, range) }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: " "),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1600...9999).contains(year), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        var nanoseconds = 0
        if bytes.count == 23 {
            guard let milliseconds = number(20..<23) else { return nil }
            nanoseconds = milliseconds * 1_000_000
        }
        // Foundation's calendar adds the time of day, fraction included, to the day's start: the
        // same sums in the same order give the same Double.
        var secondsInDay = Double(hour) * 3600
        secondsInDay += Double(minute) * 60
        secondsInDay += Double(second)
        secondsInDay += Double(nanoseconds) / 1_000_000_000
        // Days counted on the proleptic Gregorian calendar: what Foundation's gives from 1582 on,
        // hence the years from 1600 only (older ones go to GRDB).
        let dayStart = Double(CivilDay.number(year: year, month: month, day: day) * 86_400) - Date.timeIntervalBetween1970AndReferenceDate
        return Date(timeIntervalSinceReferenceDate: dayStart + secondsInDay)
    }
}
