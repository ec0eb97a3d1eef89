import CatalogCore
import CatalogStore
import Foundation

/// Where `catalog serve`'s token comes from: the operator's `--token-file`, or a file generated
/// beside the store (mode 0600) when none is given. The token itself is never printed; the path is.
public struct ServerToken: Sendable {
    /// The token.
    public var token: String
    /// The file it was read from, or written to.
    public var file: String
    /// True when catalog wrote the file.
    public var generated: Bool

    /// The generated token's file for a store: `<store>.serve-token`, beside it.
    public static func generatedFile(for store: StoreLocation) -> String {
        store.path + ".serve-token"
    }

    /// Reads `tokenFile`, or the token generated beside `store` (made now if missing).
    public static func resolve(tokenFile: String?, store: StoreLocation) throws -> ServerToken {
        if let tokenFile {
            return ServerToken(token: try ServerConfiguration.readToken(path: tokenFile), file: tokenFile, generated: false)
        }
        let file = generatedFile(for: store)
        if FileManager.default.fileExists(atPath: file) {
            return ServerToken(token: try ServerConfiguration.readToken(path: file), file: file, generated: true)
        }
        try generate(at: file, directory: store.directory)
        return ServerToken(token: try ServerConfiguration.readToken(path: file), file: file, generated: true)
    }

    /// Writes 256 random bits as hex to a private temporary file, then links it into place, so a
    /// second `catalog serve` starting at the same moment reads one whole token, never half of one.
    static func generate(at file: String, directory: String) throws {
        var generator = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let failure = CatalogError("cannot write a generated token to \(file); make the store's directory writable, or pass --token-file PATH")
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw failure
        }
        let temporary = file + ".\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure }
        let bytes = Array((token + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        defer { unlink(temporary) }
        guard written == bytes.count, synced else { throw failure }
        if link(temporary, file) != 0, errno != EEXIST { throw failure }
    }

    /// A warning when other users may read the token file (group or others have read permission).
    public static func permissionWarning(file: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file),
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o044 != 0
        else { return nil }
        return "the token file \(file) is readable by other users (mode \(String(mode & 0o777, radix: 8))); run 'chmod 600 \(file)'"
    }
}
