import Foundation
import ZIPFoundation

/// Builds a bundle file. The parts are staged in a private directory beside the destination, packed into a
/// ZIP archive under a hidden temporary name, flushed to disk, and only then renamed to the destination, so
/// a file under the destination's name is always a complete bundle and a failure leaves nothing behind.
struct BundleWriter {
    /// The checked output, checked again just before the rename.
    let target: OutputTarget
    let destination: String
    let temporaryPath: String
    /// Where `pg_dump` and the other parts are written before they are packed.
    let stagingDirectory: String

    /// `.<name>.<pid>-<random>.partial` and `.parts` beside the destination: the process id tells whose they are.
    init(target: OutputTarget) {
        let destination = target.path
        let directory = (destination as NSString).deletingLastPathComponent
        let name = (destination as NSString).lastPathComponent
        let unique = "\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
        self.target = target
        self.destination = destination
        temporaryPath = (directory as NSString).appendingPathComponent(".\(name).\(unique).partial")
        stagingDirectory = (directory as NSString).appendingPathComponent(".\(name).\(unique).parts")
    }

    /// Removes what killed exports to the destination left, and creates the staging directory,
    /// readable by this user only.
    func prepare() throws {
        removeAbandoned()
        guard mkdir(stagingDirectory, 0o700) == 0 else {
            let directory = (destination as NSString).deletingLastPathComponent
            throw CatalogError("cannot write to \(directory): \(String(cString: strerror(errno))); create it, make it writable, or choose another -o")
        }
    }

    /// The staged file for a bundle entry, creating its parent directories.
    func stagedPath(_ entry: String) throws -> String {
        let path = (stagingDirectory as NSString).appendingPathComponent(entry)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        return path
    }

    /// The size and SHA-256 of a staged entry, for the manifest.
    func describe(_ entry: String) throws -> BundleManifest.File {
        let path = try stagedPath(entry)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64 ?? 0
        return BundleManifest.File(path: entry, size: size, sha256: try BackupChecksum.sha256(ofFile: path))
    }

    /// Packs the manifest and every file it lists, then renames the archive into place. Files in
    /// `stored` are packed as they are (a `pg_dump -Fc` archive is compressed already); the rest are deflated.
    func commit(_ manifest: BundleManifest, stored: Set<String>) throws {
        do {
            try pack(manifest, stored: stored)
            try flush(temporaryPath)
        } catch let error as CatalogError {
            throw error
        } catch {
            throw CatalogError("cannot write the bundle \(destination): \(error); free some space or choose another -o")
        }
        try target.recheck()
        guard rename(temporaryPath, destination) == 0 else {
            throw CatalogError("cannot rename the finished bundle to \(destination): \(String(cString: strerror(errno))); choose another -o")
        }
        try? flush((destination as NSString).deletingLastPathComponent)
    }

    /// Removes the staged parts, and the temporary archive if it was never renamed.
    func cleanUp() {
        try? FileManager.default.removeItem(atPath: stagingDirectory)
        unlink(temporaryPath)
    }

    /// Removes the temporary files of exports to the same destination whose process no longer exists.
    private func removeAbandoned() {
        let directory = (destination as NSString).deletingLastPathComponent
        let prefix = ".\((destination as NSString).lastPathComponent)."
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        where name.hasPrefix(prefix) && (name.hasSuffix(".partial") || name.hasSuffix(".parts")) {
            guard let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }), pid != getpid(),
                kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
    }

    private func pack(_ manifest: BundleManifest, stored: Set<String>) throws {
        let archive = try Archive(url: URL(fileURLWithPath: temporaryPath), accessMode: .create)
        // The archive holds the project's data: private from its first byte, as backups are.
        chmod(temporaryPath, 0o600)
        let data = try manifest.encoded()
        try archive.addEntry(
            with: BundleLayout.manifest, type: .file, uncompressedSize: Int64(data.count),
            compressionMethod: .deflate
        ) { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }
        for file in manifest.files {
            try archive.addEntry(
                with: file.path, fileURL: URL(fileURLWithPath: try stagedPath(file.path)),
                compressionMethod: stored.contains(file.path) ? .none : .deflate)
        }
    }

    /// `fsync` of a file or directory, so a rename never publishes data still in the page cache.
    private func flush(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw CatalogError("cannot write the bundle \(destination): \(String(cString: strerror(errno))); free some space or choose another -o")
        }
    }
}
