import CatalogStore
import Foundation

/// Where one backup is written: a hidden temporary file beside the final name, renamed only when
/// `pg_dump` has finished, so a backup file under its final name is always complete.
struct BackupFile: Sendable {
    let directory: String
    let finalPath: String
    let temporaryPath: String
    /// The store, whose files a backup never replaces.
    let store: StoreLocation

    /// `<backup dir>/<project>/<project>-<UTC time>-<random>.dump`, written first as
    /// `.<that name>.<pid>.partial`: the process id tells a later run whether its writer is still alive.
    init(backupDirectory: String, project: String, at date: Date, store: StoreLocation) {
        let stamp = BackupFile.stamp(date)
        let unique = UUID().uuidString.prefix(8).lowercased()
        let name = "\(project)-\(stamp)-\(unique).dump"
        directory = (backupDirectory as NSString).appendingPathComponent(project)
        finalPath = (directory as NSString).appendingPathComponent(name)
        temporaryPath = (directory as NSString).appendingPathComponent(".\(name).\(getpid()).partial")
        self.store = store
    }

    /// Creates the directory (0700), removes what killed runs left in it, checks the final name as every
    /// file output is checked, and creates an empty temporary file (0600), so the dump is private from its first byte.
    func prepare() throws {
        try Self.makeDirectories(directory)
        Self.removeAbandoned(in: directory)
        _ = try OutputTarget.file(finalPath, overwrite: false, store: store, flag: "backup directory")
        let descriptor = open(temporaryPath, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CatalogError(
                .failed, "cannot write to the backup directory \(directory): \(String(cString: strerror(errno)))",
                remedy: .makeBackupDirectoryWritable)
        }
        close(descriptor)
    }

    /// Flushes the finished dump to disk and gives it its final name.
    func commit() throws {
        let descriptor = open(temporaryPath, O_RDONLY | O_CLOEXEC)
        if descriptor >= 0 {
            let synced = fsync(descriptor)
            close(descriptor)
            guard synced == 0 else { throw writeError() }
        }
        _ = try OutputTarget.file(finalPath, overwrite: false, store: store, flag: "backup directory")
        guard rename(temporaryPath, finalPath) == 0 else { throw writeError() }
        let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Removes the partial file after a failure.
    func discard() {
        unlink(temporaryPath)
    }

    /// Removes the `.partial` files in `directory` whose run is no longer alive: its process id is gone, or,
    /// for the names older catalogs wrote without one, the file has not changed for a day.
    static func removeAbandoned(in directory: String, now: Date = Date()) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        where name.hasPrefix(".") && name.hasSuffix(".partial") {
            let path = (directory as NSString).appendingPathComponent(name)
            let owner = (name.dropLast(".partial".count) as Substring).split(separator: ".").last.flatMap { Int32($0) }
            if let owner {
                guard owner != getpid(), kill(owner, 0) != 0, errno == ESRCH else { continue }
            } else {
                let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate]) as? Date
                guard let modified, now.timeIntervalSince(modified) > 86_400 else { continue }
            }
            unlink(path)
        }
    }

    private func writeError() -> CatalogError {
        CatalogError(.failed, "cannot finish the backup file in \(directory): \(String(cString: strerror(errno)))", remedy: .freeBackupSpace)
    }

    /// UTC, to the second, safe in file and database names: `20260301T141502Z`.
    static func stamp(_ date: Date) -> String { UTCStamp.string(date, format: "yyyyMMdd'T'HHmmss'Z'") }

    /// `mkdir -p` with mode 0700, reporting the system's own reason (such as "Read-only file system").
    private static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            var status = stat()
            if stat(current, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFDIR else {
                    throw CatalogError(.failed, "\(current) is not a directory", remedy: .useAnotherBackupDirectory)
                }
                continue
            }
            guard mkdir(current, 0o700) == 0 || errno == EEXIST else {
                throw CatalogError(
                    .failed, "cannot create the backup directory \(current): \(String(cString: strerror(errno)))",
                    remedy: .makeBackupDirectoryWritable)
            }
        }
    }
}
