import Foundation
import PostgresClient

/// What is checked before a scheduled backup: room in the backup directory for the database, and
/// transactions open long enough to hold the dump's snapshot back.
struct BackupPreflight: Sendable, Equatable {
    /// `pg_database_size` of the project's database.
    var databaseBytes: Int64
    /// Free bytes in the backup directory for an unprivileged writer.
    var freeBytes: Int64
    /// Transactions open on the database for more than `longTransactionSeconds`.
    var longTransactions: Int
    /// How long the oldest of them has been open, in seconds.
    var oldestTransactionSeconds: Double

    /// Room needed: the database's size plus 10 % and 16 MiB. A custom-format dump is usually far
    /// smaller, so this errs on the side of refusing before the disk fills.
    static func needed(databaseBytes: Int64) -> Int64 { databaseBytes + databaseBytes / 10 + 16 << 20 }

    /// Transactions open longer than this are reported.
    static let longTransactionSeconds = 300.0

    /// Why the backup must not start, or nil.
    var refusal: String? {
        let needed = Self.needed(databaseBytes: databaseBytes)
        guard freeBytes < needed else { return nil }
        return
            "not enough free space in the backup directory: \(ByteFormat.string(freeBytes)) free, \(ByteFormat.string(needed)) needed for a database of \(ByteFormat.string(databaseBytes)); free some space or use another backup directory; the backup was not started"
    }

    /// A note for the run's history, or nil.
    var note: String? {
        guard longTransactions > 0 else { return nil }
        return
            "\(longTransactions) transaction\(longTransactions == 1 ? "" : "s") open for more than 5 min (oldest \(Int(oldestTransactionSeconds / 60)) min)"
    }

    /// Reads the database's size and its long transactions, and the directory's free space.
    static func read(on connection: Connection, directory: String) throws -> BackupPreflight {
        let record = try connection.query(
            """
            SELECT pg_database_size(current_database())::text AS size,
                   count(*) FILTER (WHERE xact_start < now() - make_interval(secs => $1))::text AS long,
                   coalesce(extract(epoch FROM now() - min(xact_start)), 0)::text AS oldest
            FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
            """, [longTransactionSeconds]
        ).records.first
        return BackupPreflight(
            databaseBytes: Int64(record?["size"] ?? "") ?? 0, freeBytes: freeSpace(directory),
            longTransactions: Int(record?["long"] ?? "") ?? 0, oldestTransactionSeconds: Double(record?["oldest"] ?? "") ?? 0)
    }

    /// Free bytes where `directory` is, or in its nearest existing parent.
    static func freeSpace(_ directory: String) -> Int64 {
        var path = directory
        while !FileManager.default.fileExists(atPath: path), path != "/" { path = (path as NSString).deletingLastPathComponent }
        var status = statvfs()
        guard statvfs(path, &status) == 0 else { return Int64.max }
        return Int64(status.f_bavail) * Int64(status.f_frsize)
    }
}

/// Byte counts as people read them: 512 B, 3.2 MB, 1.5 GB.
public enum ByteFormat {
    public static func string(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : "\(String(format: "%.1f", value)) \(units[unit])"
    }
}
