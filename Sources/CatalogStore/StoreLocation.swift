import Foundation
import PostgresClient

/// Where the store lives: `--store`, else `CATALOG_STORE`, else the platform data directory. A
/// `postgresql://` or `postgres://` URI, or a `key=value` connection string, names a registry in
/// PostgreSQL (`registry`); anything else is the path of an SQLite file.
public struct StoreLocation: Sendable, Equatable {
    /// The SQLite file; for a PostgreSQL registry, the local name that backups, exports and
    /// `serve`'s token are kept beside (in the platform data directory), never the registry itself.
    public var path: String
    /// True when the user named the path; a missing directory is then refused rather than created.
    public var isExplicit: Bool
    /// The registry's connection string when the store is kept in PostgreSQL; nil for an SQLite file.
    /// It may hold a password: show it only through `label`.
    public var registry: String?

    public init(path: String, isExplicit: Bool) {
        self.path = path
        self.isExplicit = isExplicit
        self.registry = nil
    }

    /// A store kept in PostgreSQL, with its local files in `localPath`'s directory.
    public init(registry: String, localPath: String) {
        self.path = localPath
        self.isExplicit = false
        self.registry = registry
    }

    /// Resolves the location from an option value and the environment.
    public static func resolve(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> StoreLocation {
        let dataHome =
            environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        let named = option.flatMap { $0.isEmpty ? nil : $0 } ?? environment["CATALOG_STORE"].flatMap { $0.isEmpty ? nil : $0 }
        if let named {
            if isRegistry(named) { return StoreLocation(registry: named, localPath: dataHome + "/catalog/registry") }
            return StoreLocation(path: named, isExplicit: true)
        }
        return StoreLocation(path: dataHome + "/catalog/catalog.sqlite", isExplicit: false)
    }

    /// True for a value that names a PostgreSQL registry: a `postgresql://` or `postgres://` URI, or
    /// `key=value` pairs (a keyword of letters and underscores, then `=`). Everything else is a path.
    public static func isRegistry(_ value: String) -> Bool {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("postgresql://") || trimmed.hasPrefix("postgres://") { return true }
        let keyword = trimmed.prefix { $0.isASCII && ($0.isLetter || $0 == "_") }
        guard !keyword.isEmpty else { return false }
        return trimmed.dropFirst(keyword.count).drop { $0 == " " }.first == "="
    }

    /// True when the store is kept in PostgreSQL.
    public var isRegistry: Bool { registry != nil }

    /// How messages name the store: the SQLite path, or the registry's connection string masked.
    public var label: String {
        guard let registry else { return path }
        return (try? ConnectionString(registry).masked) ?? "(an invalid PostgreSQL connection string)"
    }

    /// The directory the store file lives in.
    public var directory: String { (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent }

    /// Makes sure the directory exists (creating only the default one) and the file exists with mode 0600.
    func prepare() throws {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if !fileManager.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard !isExplicit else {
                throw StoreError(
                    "the directory \(directory) for the store does not exist ('mkdir -p \(directory)' creates it)", remedy: .useAnotherStore)
            }
            do {
                try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError("cannot create the store directory \(directory): \(error.localizedDescription)", remedy: .useAnotherStore)
            }
        } else if !isDirectory.boolValue {
            throw StoreError("\(directory) is not a directory, so the store cannot be in it", remedy: .useAnotherStore)
        }
        if fileManager.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue {
                throw StoreError("the store path \(path) is a directory, not a file (such as \(path)/catalog.sqlite)", remedy: .useAnotherStore)
            }
            // An empty file someone made beforehand (touch) is about to receive DSNs: 0600 as if we made it.
            let size = (try? fileManager.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
            if size == 0, chmod(path, 0o600) != 0 {
                let reason = String(cString: strerror(errno))
                throw StoreError("cannot make the empty store file \(path) private (chmod 600): \(reason); remove it", remedy: .useAnotherStore)
            }
            return
        }
        // Create the file ourselves so it is 0600 from the first byte; SQLite gives its -wal and
        // -shm files the same mode as the database file.
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if descriptor < 0, errno != EEXIST {
            let reason = String(cString: strerror(errno))
            throw StoreError("cannot create the store \(path): \(reason); check the directory's permissions", remedy: .useAnotherStore)
        }
        if descriptor >= 0 { close(descriptor) }
    }
}
