import Crypto
import Foundation
import ZIPFoundation

/// Reads a bundle and checks it before anything else happens: that it is a ZIP archive, that it has a
/// catalog manifest of a format this catalog reads, and that every file it lists is there with the size
/// and SHA-256 the manifest gives, and nothing else is. Files are streamed, never held whole in memory.
enum BundleReader {
    /// The manifest is small; anything larger is not one.
    static let manifestLimit = 64 << 20

    /// Checks every file; with `directory`, also writes each file there (mode 0600) as it is checked.
    static func verify(_ path: String, extractingTo directory: String? = nil) throws -> BundleManifest {
        let archive = try open(path)
        let manifest = try readManifest(archive, path: path)
        try checkCompleteness(manifest, archive: archive, path: path)
        for file in manifest.files {
            guard let entry = archive[file.path] else {
                throw CatalogError("\(path) is incomplete: \(file.path) is missing; export the project again")
            }
            try check(entry, against: file, in: archive, path: path, writingTo: directory.map { ($0 as NSString).appendingPathComponent(file.path) })
        }
        return manifest
    }

    /// The manifest alone, without checking the other files: enough to tell a bundle from any other file.
    static func manifest(_ path: String) throws -> BundleManifest {
        try readManifest(open(path), path: path)
    }

    /// Opens the archive, telling "not a ZIP file at all" from "a ZIP file cut short".
    private static func open(_ path: String) throws -> Archive {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CatalogError("cannot read \(path): \(String(cString: strerror(errno))); check the path")
        }
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        try? handle.close()
        guard magic == Data([0x50, 0x4B, 0x03, 0x04]) || magic == Data([0x50, 0x4B, 0x05, 0x06]) else {
            throw CatalogError(.failed, "\(path) is not a catalog bundle (not a ZIP archive)", remedy: .giveABundle)
        }
        do {
            return try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw CatalogError(
                "\(path) is truncated or damaged (its ZIP directory cannot be read); copy the whole file again, or export the project again")
        }
    }

    private static func readManifest(_ archive: Archive, path: String) throws -> BundleManifest {
        guard let entry = archive[BundleLayout.manifest] else {
            throw CatalogError(
                .failed, "\(path) is a ZIP archive but not a catalog bundle (it has no \(BundleLayout.manifest))", remedy: .giveABundle)
        }
        guard entry.uncompressedSize <= manifestLimit else {
            throw CatalogError(
                .failed, "\(path) is not a catalog bundle (its \(BundleLayout.manifest) is too large to be a manifest)", remedy: .giveABundle
            )
        }
        let damaged = CatalogError(
            "\(path) is corrupted: its \(BundleLayout.manifest) cannot be read intact; copy the whole file again, or export the project again")
        var data = Data()
        let crc: CRC32
        do {
            crc = try archive.extract(entry) { data.append($0) }
        } catch {
            throw damaged
        }
        guard crc == entry.checksum else { throw damaged }
        return try BundleManifest.decode(data, file: path)
    }

    /// Every part an import needs is listed, every listed path is a plain relative path, and the archive
    /// holds no file the manifest does not list.
    private static func checkCompleteness(_ manifest: BundleManifest, archive: Archive, path: String) throws {
        let listed = Set(manifest.files.map(\.path))
        let required =
            [BundleLayout.schema, BundleLayout.database, BundleLayout.metadataRows]
            + manifest.shared.flatMap { use in use.versions.map { BundleLayout.sharedVersion(use.name, $0.version) } }
        if let missing = required.first(where: { !listed.contains($0) }) {
            throw CatalogError("\(path) is incomplete: its manifest does not list \(missing); export the project again")
        }
        for file in manifest.files where !isPlainRelative(file.path) {
            throw CatalogError(
                .failed, "\(path) is not a valid bundle: its manifest lists the unsafe path \"\(file.path)\"", remedy: .giveABundle)
        }
        // Directory entries (which other ZIP tools add) carry no data.
        let unlisted = archive.filter { $0.type != .directory }.map(\.path).filter { $0 != BundleLayout.manifest && !listed.contains($0) }
        guard unlisted.isEmpty else {
            throw CatalogError(
                "\(path) holds files its manifest does not list (\(unlisted.prefix(3).joined(separator: ", "))); it was changed after export: export the project again"
            )
        }
    }

    private static func isPlainRelative(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return !path.hasPrefix("/") && !parts.isEmpty && parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    /// Streams one entry through SHA-256 (and to disk when asked), then compares size, ZIP checksum and SHA-256.
    private static func check(_ entry: Entry, against file: BundleManifest.File, in archive: Archive, path: String, writingTo target: String?) throws
    {
        let output = try target.map(createPrivateFile)
        defer { try? output?.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        var writeError: Error?
        let crc: CRC32
        do {
            crc = try archive.extract(entry) { chunk in
                hasher.update(data: chunk)
                size += Int64(chunk.count)
                do { try output?.write(contentsOf: chunk) } catch {
                    writeError = error
                    throw error
                }
            }
        } catch {
            if let writeError, let target {
                throw CatalogError(
                    "cannot unpack the bundle into \(target): \((writeError as NSError).localizedDescription); free some space in the temporary directory or set TMPDIR"
                )
            }
            throw CatalogError("\(path) is corrupted: \(file.path) cannot be read (\(error)); copy the whole file again, or export the project again")
        }
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        guard size == file.size, crc == entry.checksum, digest == file.sha256 else {
            throw CatalogError(
                "\(path) is corrupted: the SHA-256 of \(file.path) does not match its manifest; copy the whole file again, or export the project again"
            )
        }
    }

    private static func createPrivateFile(_ path: String) throws -> FileHandle {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        let descriptor = Foundation.open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CatalogError(
                "cannot unpack the bundle into \(path): \(String(cString: strerror(errno))); free some space in the temporary directory or set TMPDIR"
            )
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
    }
}
