import Foundation
import GRDB

extension Store {
    /// Records a web session under the SHA-256 of its identifier until `expires`, and forgets expired ones.
    public func openWebSession(idHash: String, name: String, expires: Date, at now: Date) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM web_session WHERE expires_at <= ?", arguments: [now.timeIntervalSince1970])
            try db.execute(
                sql: "INSERT INTO web_session (id_hash, name, expires_at) VALUES (?, ?, ?)",
                arguments: [idHash, name, expires.timeIntervalSince1970])
        }
    }

    /// The name of the live session with this hash, or nil.
    public func webSession(idHash: String, at now: Date) throws -> String? {
        try read { db in
            try String.fetchOne(
                db, sql: "SELECT name FROM web_session WHERE id_hash = ? AND expires_at > ?", arguments: [idHash, now.timeIntervalSince1970])
        }
    }

    /// Ends a session (sign-out) on every replica.
    public func closeWebSession(idHash: String) throws {
        try write { db in try db.execute(sql: "DELETE FROM web_session WHERE id_hash = ?", arguments: [idHash]) }
    }
}
