import Crypto
import Foundation

/// The SHA-256 of a backup file, read in chunks so a large dump never sits in memory.
enum BackupChecksum {
    static func sha256(ofFile path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CatalogError("cannot read the backup file \(path); check that it exists and is readable")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
