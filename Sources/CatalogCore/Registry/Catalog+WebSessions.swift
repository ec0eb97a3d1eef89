import CatalogStore
import Crypto
import Foundation

/// The web page's sessions, kept in the store so every replica of `catalog serve` knows them: the
/// store holds only the SHA-256 of each identifier (a leaked store opens no session), with the name
/// the session signed in as and its expiry.
extension Catalog {
    /// Starts a session for `name` lasting `lifetime` seconds; returns its identifier, for the cookie
    /// (256 random bits from the system generator).
    public func openWebSession(name: String, lifetime: Double, now: Date = Date()) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let identifier = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        do {
            try store.openWebSession(idHash: Self.sessionHash(identifier), name: name, expires: now.addingTimeInterval(lifetime), at: now)
        } catch { throw CatalogError.wrap(error) }
        return identifier
    }

    /// The name a live session signed in as, or nil for an unknown or expired identifier.
    public func webSessionName(_ identifier: String, now: Date = Date()) throws -> String? {
        do { return try store.webSession(idHash: Self.sessionHash(identifier), at: now) } catch { throw CatalogError.wrap(error) }
    }

    /// Ends a session on every replica (sign-out).
    public func closeWebSession(_ identifier: String) throws {
        do { try store.closeWebSession(idHash: Self.sessionHash(identifier)) } catch { throw CatalogError.wrap(error) }
    }

    /// The SHA-256 of a session identifier, in hex: what the store keeps.
    static func sessionHash(_ identifier: String) -> String {
        SHA256.hash(data: Data(identifier.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
