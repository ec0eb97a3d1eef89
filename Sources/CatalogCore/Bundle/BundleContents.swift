import Foundation

/// A bundle whose every file was checked against its manifest, unpacked into a private temporary
/// directory (mode 0700) that is removed when this is released. Import works from these checked copies,
/// so nothing it restores can differ from what was verified.
public final class BundleContents: Sendable {
    /// The bundle file, as given.
    public let path: String
    /// The checked manifest.
    public let manifest: BundleManifest
    let directory: String

    /// Verifies the bundle and unpacks it; throws a one-line error, touching nothing, if any check fails.
    public init(path: String) throws {
        Self.removeAbandoned()
        let directory = (NSTemporaryDirectory() as NSString)
            .appendingPathComponent("\(Self.prefix)\(getpid())-\(UUID().uuidString.prefix(8).lowercased())")
        guard mkdir(directory, 0o700) == 0 else {
            throw CatalogError(
                "cannot create a temporary directory in \(NSTemporaryDirectory()): \(String(cString: strerror(errno))); set TMPDIR to a writable directory"
            )
        }
        do {
            manifest = try BundleReader.verify(path, extractingTo: directory)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        self.path = path
        self.directory = directory
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `catalog-bundle-<pid>-<random>`: the process id tells whose a directory is.
    static let prefix = "catalog-bundle-"

    /// Removes what imports that were killed left unpacked: directories of processes that no longer exist.
    static func removeAbandoned() {
        let temporary = NSTemporaryDirectory()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }), pid != getpid(),
                kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            try? FileManager.default.removeItem(atPath: (temporary as NSString).appendingPathComponent(name))
        }
    }

    /// Where an entry of the bundle was unpacked.
    func file(_ entry: String) -> String {
        (directory as NSString).appendingPathComponent(entry)
    }

    /// The `_metadata` rows the bundle holds, by table.
    func metadataRows() throws -> [String: [String]] {
        try BundleMetadataRows.parse(String(contentsOfFile: file(BundleLayout.metadataRows), encoding: .utf8))
    }

    /// The canonical JSON of one bundled shared definition version.
    func sharedBody(_ name: String, version: Int) throws -> String {
        try String(contentsOfFile: file(BundleLayout.sharedVersion(name, version)), encoding: .utf8)
    }
}

extension Catalog {
    /// Reads a bundle's manifest and checks every file's size and SHA-256, without any database or store.
    public static func inspectBundle(_ path: String) throws -> BundleManifest {
        try BundleReader.verify(path)
    }
}
