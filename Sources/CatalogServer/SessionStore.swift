import CatalogCore
import CatalogSupport
import Foundation
import Synchronization

/// The web page's sessions, kept in the store (`Catalog.openWebSession`), so a cookie from one
/// replica works on every other and a sign-out anywhere ends the session everywhere. The store holds
/// only the SHA-256 of an identifier; identifiers are 256 random bits.
///
/// A session seen in the store is remembered here for at most `cacheSeconds` (1 s), so a sign-out on
/// another replica ends it here within a second; a sign-out on this replica ends it at once. While
/// the store is unreachable no sign-out can be recorded anywhere, so a session this replica has seen
/// stays valid until its lifetime runs out.
final class SessionStore: Sendable {
    private let catalog: Catalog
    private let lifetime: Double
    private let limit: Int
    /// Identifier → the name it signed in as, when the store last confirmed it, and when it expires at the latest.
    private let seen = Mutex<[String: (name: String, checked: Double, expires: Double)]>([:])

    /// How long a confirmation from the store is trusted without asking again.
    static let cacheSeconds = 1.0

    init(catalog: Catalog, lifetime: Double, limit: Int = 10_000) {
        self.catalog = catalog
        self.lifetime = lifetime
        self.limit = limit
    }

    /// Starts a session for `name` and returns its identifier, for the cookie.
    func open(name: String) async throws -> String {
        let catalog = catalog
        let lifetime = lifetime
        let identifier = try await OwnThread.run { try catalog.openWebSession(name: name, lifetime: lifetime) }
        remember(identifier, name: name, now: Date().timeIntervalSince1970, expires: Date().timeIntervalSince1970 + lifetime)
        return identifier
    }

    /// The name a live session signed in as, or nil when `identifier` names no live session.
    func name(of identifier: String, now: Date = Date()) async throws -> String? {
        let time = now.timeIntervalSince1970
        let cached = seen.withLock { $0[identifier] }
        if let cached, time - cached.checked < Self.cacheSeconds, time < cached.expires { return cached.name }
        let catalog = catalog
        do {
            guard let name = try await OwnThread.run({ try catalog.webSessionName(identifier, now: now) }) else {
                _ = seen.withLock { $0.removeValue(forKey: identifier) }
                return nil
            }
            remember(identifier, name: name, now: time, expires: min(cached?.expires ?? .infinity, time + lifetime))
            return name
        } catch let error as CatalogError where error.code == .unreachable {
            if let cached, time < cached.expires { return cached.name }
            throw error
        }
    }

    /// Ends a session (sign-out) here at once and on every replica through the store.
    func close(_ identifier: String) async throws {
        _ = seen.withLock { $0.removeValue(forKey: identifier) }
        let catalog = catalog
        try await OwnThread.run { try catalog.closeWebSession(identifier) }
    }

    /// How long a session lasts, for the cookie's Max-Age.
    var maxAge: Int { Int(lifetime) }

    private func remember(_ identifier: String, name: String, now: Double, expires: Double) {
        seen.withLock { seen in
            if seen.count >= limit { seen = seen.filter { now - $0.value.checked < Self.cacheSeconds } }
            if seen.count >= limit { seen.removeAll() }
            seen[identifier] = (name, now, expires)
        }
    }
}
