import Foundation
import PostgresClient

/// A date as the registry binds and reads it: UTC, to the millisecond, as the SQLite store keeps it.
struct RegistryDate: PostgresBindable {
    let date: Date

    init(_ date: Date) { self.date = date }

    /// `2026-01-15T08:00:00.123Z`, which PostgreSQL reads as a timestamptz.
    var postgresText: String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        var seconds = time_t((milliseconds / 1000).rounded(.down))
        let fraction = Int(milliseconds - Double(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), fraction)
    }

    /// Reads `2026-01-15 08:00:00.123456+00` (DateStyle ISO, TimeZone UTC, as every transaction sets),
    /// rounded to the millisecond.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int? { decimalNumber(bytes, range) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var fraction = 0.0
        var index = 19
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < bytes.count, (48...57).contains(bytes[index]) {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            let rest = Array(bytes[(index + 1)...]).split(separator: UInt8(ascii: ":")).map { Int(String(decoding: $0, as: UTF8.self)) ?? 0 }
            offsetSeconds = sign * ((rest.first ?? 0) * 3600 + (rest.count > 1 ? rest[1] * 60 : 0))
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = Double(timegm(&parts) - offsetSeconds)
        let milliseconds = ((seconds + fraction) * 1000).rounded()
        return Date(timeIntervalSince1970: milliseconds / 1000)
    }
}

extension Optional where Wrapped == Date {
    /// The date bound as a timestamptz, or NULL.
    var bound: RegistryDate? { map(RegistryDate.init) }
}

extension Date {
    /// The date bound as a timestamptz.
    var bound: RegistryDate { RegistryDate(self) }
}
