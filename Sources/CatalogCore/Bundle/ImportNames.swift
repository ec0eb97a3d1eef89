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
        BackupRestoreNames.leftovers(of: database, marker: temporaryMarker, among: names)
    }
}
