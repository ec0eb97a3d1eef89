import Foundation

/// A moment as catalog writes it into file and database names: UTC, to the second, ASCII only.
enum UTCStamp {
    /// `date` in `format` (a `DateFormatter` pattern), in UTC with the POSIX locale.
    static func string(_ date: Date, format: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter.string(from: date)
    }
}
