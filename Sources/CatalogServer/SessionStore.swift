import Foundation
import Synchronization

/// The web page's sessions: random identifiers handed out for the token, kept in memory only.
///
/// A restart signs everyone out, which is the safe direction. Identifiers are 256 random bits from
/// the system generator, compared as dictionary keys (they are not secrets a caller can narrow
/// down byte by byte: a wrong guess matches nothing).
final class SessionStore: Sendable {
    private let lifetime: Double
    private let limit: Int
    private let sessions = Mutex<[String: Date]>([:])

    init(lifetime: Double, limit: Int = 10_000) {
        self.lifetime = lifetime
        self.limit = limit
    }

    /// Starts a session and returns its identifier, for the cookie.
    func open(now: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        let identifier = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        sessions.withLock { sessions in
            sessions = sessions.filter { $0.value > now }
            if sessions.count >= limit, let oldest = sessions.min(by: { $0.value < $1.value }) {
                sessions.removeValue(forKey: oldest.key)
            }
            sessions[identifier] = now.addingTimeInterval(lifetime)
        }
        return identifier
    }

    /// True when `identifier` names a session that has not expired.
    func isValid(_ identifier: String, now: Date = Date()) -> Bool {
        sessions.withLock { sessions in
            guard let expiry = sessions[identifier] else { return false }
            if expiry <= now { sessions.removeValue(forKey: identifier) }
            return expiry > now
        }
    }

    /// Ends a session (sign-out).
    func close(_ identifier: String) {
        _ = sessions.withLock { $0.removeValue(forKey: identifier) }
    }

    /// How long a session lasts, for the cookie's Max-Age.
    var maxAge: Int { Int(lifetime) }
}
