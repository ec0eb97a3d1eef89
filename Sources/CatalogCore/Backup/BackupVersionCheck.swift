import CatalogSupport
import Foundation

/// The check before a restore that the PostgreSQL majors fit: the dump's server, the server restored
/// onto, and `pg_restore`. A dump of a newer major than the target (its objects may use features the
/// target lacks), or newer than `pg_restore` (which cannot read a newer archive), is refused before
/// anything is created.
enum BackupVersionCheck {
    /// The major of a version string such as `15.18` or `9.6.24`, times ten so that the old
    /// numbering compares right: 150 for 15, 96 for 9.6.
    static func major(_ version: String) -> Int? {
        let parts = version.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard let first = parts.first else { return nil }
        return first >= 10 ? first * 10 : first * 10 + (parts.dropFirst().first ?? 0)
    }

    /// A major as people write it: 15, or 9.6.
    static func shown(_ major: Int) -> String { major >= 100 ? "\(major / 10)" : "\(major / 10).\(major % 10)" }

    /// Why the restore must not start, or nil. `targetServerVersion` is libpq's number (150018).
    static func problem(dumpServerVersion: String, targetServerVersion: Int, toolsVersion: String?) -> String? {
        guard let dump = major(dumpServerVersion) else { return nil }
        let targetMajor = targetServerVersion / 10_000
        let target = targetMajor >= 10 ? targetMajor * 10 : targetMajor * 10 + targetServerVersion / 100 % 100
        if dump > target {
            return
                "the backup was taken on PostgreSQL \(dumpServerVersion) and the project's server runs major \(shown(target)); restore onto a server of major \(shown(dump)) or newer"
        }
        if let toolsVersion, let tools = major(toolsVersion), tools < dump {
            return
                "pg_restore is from PostgreSQL \(toolsVersion), older than the backup's \(dumpServerVersion); install pg_restore \(shown(dump)) or newer, or set PG_BINDIR"
        }
        return nil
    }

    /// `pg_restore --version`'s number, such as `15.18`; nil when it cannot be read.
    static func toolsVersion(_ tools: PgTools) -> String? {
        guard let outcome = try? ChildProcess(tools.pgRestore, ["--version"]).run(), outcome.status == 0 else { return nil }
        return outcome.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}
