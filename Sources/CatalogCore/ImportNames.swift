import Foundation

/// Names for the databases an import makes, within PostgreSQL's 63 bytes (the rules of `BackupRestoreNames`),
/// and how the next run recognises a temporary database that a killed import left behind.
enum ImportNames {
    static let temporaryMarker = "_importing_"

    /// `<database>_importing_<timestamp>`: where the bundle is restored before it takes the target's name.
    static func temporary(_ database: String, at date: Date, taken: Set<String>) -> String {
        BackupRestoreNames.unique(database, suffix: temporaryMarker + BackupRestoreNames.stamp(date), taken: taken)
    }

    /// `<database>_before_import_<timestamp>`: where `--replace` moves the old database until it is dropped.
    static func setAside(_ database: String, at date: Date, taken: Set<String>) -> String {
        BackupRestoreNames.unique(database, suffix: "_before_import_" + BackupRestoreNames.stamp(date), taken: taken)
    }

    /// The temporary databases of earlier imports into `database` among `names`, oldest first.
    static func leftovers(of database: String, among names: Set<String>) -> [String] {
        names.filter { isTemporary($0, of: database) }.sorted()
    }

    /// True when `name` is exactly what `temporary` makes for `database` at some time, with any counter.
    static func isTemporary(_ name: String, of database: String) -> Bool {
        guard let marker = name.range(of: temporaryMarker, options: .backwards) else { return false }
        let parts = name[marker.upperBound...].split(separator: "_", omittingEmptySubsequences: false)
        let digits = parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } }
        guard digits, parts.count <= 2, parts[0].count == 14 else { return false }
        let base = String(name[..<marker.lowerBound])
        let suffixBytes = name.utf8.count - base.utf8.count
        return base == BackupRestoreNames.truncated(database, toBytes: BackupRestoreNames.maximumBytes - suffixBytes)
    }
}
