import Foundation
import PostgresClient

/// One transaction on the registry: statements with bound values, and rows read by position.
struct RegistrySession {
    let connection: Connection

    /// Runs one statement with bound values; returns its rows.
    @discardableResult
    func execute(_ sql: String, _ parameters: [(any PostgresBindable)?] = []) throws -> QueryResult {
        try connection.query(sql, parameters)
    }

    /// Runs one statement and returns how many rows it changed (from its command tag, such as `UPDATE 3`).
    func changes(_ sql: String, _ parameters: [(any PostgresBindable)?] = []) throws -> Int {
        let tag = try execute(sql, parameters).commandTag
        return tag.split(separator: " ").last.flatMap { Int($0) } ?? 0
    }

    /// The rows of one query.
    func rows(_ sql: String, _ parameters: [(any PostgresBindable)?] = []) throws -> [RegistryRow] {
        try execute(sql, parameters).rows.map(RegistryRow.init)
    }

    /// The first row of one query, or nil.
    func row(_ sql: String, _ parameters: [(any PostgresBindable)?] = []) throws -> RegistryRow? {
        try rows(sql, parameters).first
    }

    /// Runs a script without parameters, such as a migration file.
    func script(_ sql: String) throws {
        try connection.execute(script: sql)
    }

    /// True when the registry's schema exists.
    func schemaExists() throws -> Bool {
        try row("SELECT to_regnamespace($1) IS NOT NULL", [PostgresStore.schema])?.bool(0) ?? false
    }

    /// The applied migrations, oldest first; nil when the registry has no ledger yet.
    func appliedMigrations() throws -> [String]? {
        let ledger = "\(PostgresStore.schema).\(PostgresStore.migrationsTable)"
        guard try row("SELECT to_regclass($1) IS NOT NULL", [ledger])?.bool(0) == true else { return nil }
        return try rows("SELECT identifier FROM \(PostgresStore.migrationsTable) ORDER BY identifier").map { $0.string(0) }
    }
}

/// One row of a registry query, in PostgreSQL's text format, read by position.
struct RegistryRow {
    let values: [String?]

    func optionalString(_ index: Int) -> String? { values[index] }
    func string(_ index: Int) -> String { values[index] ?? "" }
    func int64(_ index: Int) -> Int64? { values[index].flatMap { Int64($0) } }
    func int(_ index: Int) -> Int? { values[index].flatMap { Int($0) } }
    func double(_ index: Int) -> Double? { values[index].flatMap { Double($0) } }
    func bool(_ index: Int) -> Bool? {
        switch values[index] {
        case "t", "true": true
        case "f", "false": false
        default: nil
        }
    }
    func date(_ index: Int) -> Date? { values[index].flatMap(RegistryDate.parse) }
}

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
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(bytes[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
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
