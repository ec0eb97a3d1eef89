import CatalogStore
import CatalogSupport
import Foundation
import PostgresClient

/// What `backup verify` found: the file's checksum against the store, and whether `pg_restore` can read it.
public struct BackupVerification: Sendable, Equatable {
    /// The backup checked.
    public var backup: BackupRecord
    /// True when the file is gone, so there was no checksum to compare.
    public var fileMissing: Bool
    /// True when the file still has the SHA-256 recorded when it was taken.
    public var checksumMatches: Bool
    /// True when `pg_restore --list` read its table of contents.
    public var archiveReadable: Bool
    /// The archive's table-of-contents entries, as `pg_restore --list` counts them.
    public var entries: Int
    /// Why it failed, with what to do next; nil when it passed.
    public var problem: String?

    /// True when both checks passed.
    public var isOK: Bool { problem == nil }
}

extension Catalog {
    /// Checks a backup's SHA-256 and reads its table of contents with `pg_restore --list`; records the outcome.
    public func verifyBackup(id: Int64, tools: PgTools? = nil) throws -> BackupVerification {
        let backup = try backupRecord(id: id)
        let tools = try tools ?? PgTools.locate()
        var verification = BackupVerification(
            backup: backup, fileMissing: !FileManager.default.fileExists(atPath: backup.file),
            checksumMatches: false, archiveReadable: false, entries: 0, problem: nil)
        do {
            try Self.checkIntegrity(backup)
            verification.checksumMatches = true
            let listing = try ChildProcess(tools.pgRestore, ["--list", backup.file]).run()
            guard listing.status == 0 else {
                throw CatalogError("pg_restore cannot read backup \(id): \(PgTools.summary(listing.stderr)); the file is damaged, take a new backup")
            }
            verification.archiveReadable = true
            verification.entries = listing.stdout.split(separator: "\n").filter { !$0.hasPrefix(";") && !$0.isEmpty }.count
        } catch {
            verification.problem = CatalogError.wrap(error).message
        }
        try wrapped { try store.recordVerification(backupID: id, ok: verification.isOK) }
        audit(
            "backup.verify", target: backup.project, result: verification.isOK ? "ok" : "failed",
            detail: verification.problem ?? "backup \(id)")
        return verification
    }

    /// One recorded backup, or an error that says how to find the right id.
    func backupRecord(id: Int64) throws -> BackupRecord {
        guard let backup = try wrapped({ try store.backup(id: id) }) else {
            throw CatalogError(.notFound, "there is no backup with id \(id)", remedy: .listBackups(project: nil))
        }
        return backup
    }

    /// Refuses a backup whose file is missing or no longer matches the SHA-256 recorded when it was taken.
    static func checkIntegrity(_ backup: BackupRecord) throws {
        let id = backup.id ?? 0
        guard FileManager.default.fileExists(atPath: backup.file) else {
            throw CatalogError(
                .notFound, "backup \(id) of project \"\(backup.project)\": its file \(backup.file) is missing",
                remedy: .pickAnotherBackup(project: backup.project))
        }
        let actual = try BackupChecksum.sha256(ofFile: backup.file)
        guard actual == backup.sha256 else {
            throw CatalogError(
                .failed,
                "backup \(id) of project \"\(backup.project)\" is corrupted: its file's SHA-256 is \(actual.prefix(12))…, but \(backup.sha256.prefix(12))… was recorded when it was taken",
                remedy: .pickAnotherBackup(project: backup.project))
        }
    }
}
