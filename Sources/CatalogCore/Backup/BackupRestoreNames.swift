import Foundation

/// Names for the databases a restore creates: PostgreSQL cuts names at 63 bytes, so the original
/// name is shortened (on a character boundary) to keep the suffix, and a counter keeps it unique.
/// A later run recognises the temporary databases an interrupted one left behind.
enum BackupRestoreNames {
    static let maximumBytes = 63
    static let temporaryMarker = "_restoring_"

    /// `<database>_before_restore_<timestamp>`: where the original goes.
    static func setAside(_ database: String, at date: Date, taken: Set<String>) -> String {
        unique(database, suffix: "_before_restore_" + stamp(date), taken: taken)
    }

    /// `<database>_restoring_<timestamp>`: where the backup is restored before the swap.
    static func temporary(_ database: String, at date: Date, taken: Set<String>) -> String {
        unique(database, suffix: temporaryMarker + stamp(date), taken: taken)
    }

    /// The temporary databases that earlier runs made for `database` with `marker`, among `names`, oldest first.
    static func leftovers(of database: String, marker: String = temporaryMarker, among names: Set<String>) -> [String] {
        names.filter { isTemporary($0, of: database, marker: marker) }.sorted()
    }

    /// True when `name` is exactly what `unique(database, suffix: marker + stamp, …)` makes, with any counter.
    static func isTemporary(_ name: String, of database: String, marker: String) -> Bool {
        guard let found = name.range(of: marker, options: .backwards) else { return false }
        let parts = name[found.upperBound...].split(separator: "_", omittingEmptySubsequences: false)
        let digits = parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } }
        guard digits, parts.count <= 2, parts[0].count == 14 else { return false }
        let base = String(name[..<found.lowerBound])
        let suffixBytes = name.utf8.count - base.utf8.count
        return base == truncated(database, toBytes: maximumBytes - suffixBytes)
    }

    static func unique(_ base: String, suffix: String, taken: Set<String>) -> String {
        var attempt = 1
        while true {
            let fullSuffix = attempt == 1 ? suffix : "\(suffix)_\(attempt)"
            let candidate = truncated(base, toBytes: maximumBytes - fullSuffix.utf8.count) + fullSuffix
            if !taken.contains(candidate) { return candidate }
            attempt += 1
        }
    }

    /// The longest prefix of whole characters that fits in `limit` UTF-8 bytes.
    static func truncated(_ text: String, toBytes limit: Int) -> String {
        var result = ""
        var bytes = 0
        for character in text {
            let size = String(character).utf8.count
            guard bytes + size <= limit else { break }
            result.append(character)
            bytes += size
        }
        return result
    }

    /// UTC, to the second: `20260301141502`.
    static func stamp(_ date: Date) -> String { UTCStamp.string(date, format: "yyyyMMddHHmmss") }
}
