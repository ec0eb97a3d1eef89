import CatalogStore
import Foundation

/// A place catalog may write a file or a directory of files, checked before anything else happens (and
/// before any database connection): an output never lands on the store, its `-wal`/`-shm`/`-journal`
/// files, a device node, a FIFO, a directory, or a symbolic link to any of them. Every file output
/// (`export -o`, backup files, exports through the API, directory outputs) goes through this one check.
public struct OutputTarget: Sendable, Equatable {
    /// The absolute path checked.
    public var path: String
    /// True for a directory output, whose files are written inside it with `write(_:named:)`.
    public var isDirectory: Bool
    /// The store file, whose own files are never an output.
    var storePath: String
    /// Whether an earlier bundle at `path` may be replaced.
    var overwrite = false
    /// The option that named the path, for messages.
    var flag = "-o"

    /// Checks a file output. Without `overwrite` nothing may exist at `path`; with it, only a regular
    /// file that is a catalog bundle (its ZIP holds a catalog `manifest.json`) may be replaced.
    public static func file(_ path: String, overwrite: Bool, store: StoreLocation, flag: String = "-o") throws -> OutputTarget {
        let target = OutputTarget(
            path: absolute(path), isDirectory: false, storePath: absolute(store.path),
            overwrite: overwrite, flag: flag)
        try target.recheck()
        return target
    }

    /// Checks a file output again, just before it is renamed into place: the path may have changed since.
    func recheck() throws {
        try checkNotStoreFile(flag: flag)
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw refusal("\(path) is \(Self.describe(status.st_mode)), not a file catalog may write", flag: flag)
        }
        guard overwrite else {
            // `-o` is the default name: the library's own callers name their option, the CLI's words name `-o`.
            guard flag == "-o" else { throw CatalogError(.alreadyExists, "\(path) already exists; choose another \(flag)") }
            throw CatalogError(.alreadyExists, "\(path) already exists", remedy: .chooseAnotherOutputOrOverwrite)
        }
        do {
            _ = try BundleReader.manifest(path)
        } catch {
            guard flag == "-o" else {
                throw CatalogError(
                    .refused, "\(path) is not a catalog bundle, so it will not be replaced; choose another \(flag) or remove the file yourself")
            }
            throw CatalogError(.refused, "\(path) is not a catalog bundle, so it will not be replaced", remedy: .chooseAnotherOutputOrRemove)
        }
    }

    /// Checks a directory output: a real directory (created, mode 0700, when missing), never a symbolic
    /// link, and never the store file itself.
    public static func directory(_ path: String, store: StoreLocation, flag: String = "output directory") throws -> OutputTarget {
        let target = OutputTarget(path: absolute(path), isDirectory: true, storePath: absolute(store.path), flag: flag)
        try target.checkNotStoreFile(flag: flag)
        var status = stat()
        if lstat(target.path, &status) != 0 {
            guard errno == ENOENT, mkdir(target.path, 0o700) == 0 || errno == EEXIST else {
                throw CatalogError(
                    "cannot create the directory \(target.path): \(String(cString: strerror(errno))); create it yourself or choose another \(flag)")
            }
            guard lstat(target.path, &status) == 0 else {
                throw CatalogError("cannot read \(target.path): \(String(cString: strerror(errno))); choose another \(flag)")
            }
        }
        if status.st_mode & S_IFMT == S_IFLNK {
            let resolved = (target.path as NSString).resolvingSymlinksInPath
            throw CatalogError("\(target.path) is a symbolic link (to \(resolved)); give a real directory as \(flag)")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw CatalogError("\(target.path) is \(Self.describe(status.st_mode)), not a directory; choose another \(flag)")
        }
        return target
    }

    /// Writes one file inside a directory output atomically: a private temporary file beside it, flushed,
    /// then renamed over the name. A name with a slash, a hidden name, or a name of the store's files is
    /// refused, and so is replacing anything but a regular file.
    public func write(_ data: Data, named name: String) throws {
        guard isDirectory, !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            throw CatalogError("cannot write \"\(name)\" into \(path): give a plain file name")
        }
        let destination = (path as NSString).appendingPathComponent(name)
        let file = OutputTarget(path: destination, isDirectory: false, storePath: storePath, flag: "file name")
        try file.checkNotStoreFile(flag: file.flag)
        var status = stat()
        if lstat(destination, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            throw CatalogError("\(destination) is \(Self.describe(status.st_mode)); remove it or choose another directory")
        }
        let temporary = (path as NSString).appendingPathComponent(".\(name).\(getpid())-\(UUID().uuidString.prefix(8).lowercased()).partial")
        let descriptor = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CatalogError("cannot write to \(path): \(String(cString: strerror(errno))); make it writable or choose another directory")
        }
        var failure: Int32 = 0
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        close(descriptor)
        if failure == 0, rename(temporary, destination) != 0 { failure = errno }
        guard failure == 0 else {
            unlink(temporary)
            throw CatalogError("cannot write \(destination): \(String(cString: strerror(failure))); free some space or choose another directory")
        }
    }

    /// Refuses the store file and the files SQLite keeps beside it, by name (they may not exist yet) and
    /// by identity (a hard or symbolic link to them).
    func checkNotStoreFile(flag: String) throws {
        let store = Self.canonical(storePath)
        let candidates = [store, store + "-wal", store + "-shm", store + "-journal"]
        let refusal = refusal("\(path) is catalog's store or one of its files", flag: flag)
        if candidates.contains(Self.canonical(path)) { throw refusal }
        var target = stat()
        guard stat(path, &target) == 0 else { return }
        for candidate in candidates {
            var status = stat()
            if stat(candidate, &status) == 0, status.st_dev == target.st_dev, status.st_ino == target.st_ino { throw refusal }
        }
    }

    /// A refused output: for `-o`, the default name of the output, the next step is a remedy the CLI words
    /// as a flag and the API in its own terms; the library's own callers name their option themselves.
    private func refusal(_ what: String, flag: String) -> CatalogError {
        flag == "-o" ? CatalogError(.refused, what, remedy: .chooseAnotherOutput) : CatalogError(.refused, "\(what); choose another \(flag)")
    }

    /// An absolute path with `.`, `..` and empty components taken out by their text alone: a symbolic
    /// link at the end stays a link, so the check sees it (`standardizingPath` would follow it).
    static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var components: [Substring] = []
        for component in full.split(separator: "/") where component != "." {
            if component == ".." { _ = components.popLast() } else { components.append(component) }
        }
        return "/" + components.joined(separator: "/")
    }

    /// The path with its directory's symbolic links resolved, so two spellings of one file compare equal.
    private static func canonical(_ path: String) -> String {
        let directory = ((path as NSString).deletingLastPathComponent as NSString).resolvingSymlinksInPath
        return (directory as NSString).appendingPathComponent((path as NSString).lastPathComponent)
    }

    /// What kind of file a mode is, as messages say it.
    private static func describe(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFCHR, S_IFBLK: "a device node"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "not a regular file"
        }
    }
}
