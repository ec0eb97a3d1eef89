import Foundation

extension PostgresStore {
    /// Records a web session under the SHA-256 of its identifier until `expires`, and forgets expired ones.
    public func openWebSession(idHash: String, name: String, expires: Date, at now: Date) throws {
        try write { session in
            try session.execute("DELETE FROM web_session WHERE expires_at <= $1", [now.timeIntervalSince1970])
            try session.execute(
                "INSERT INTO web_session (id_hash, name, expires_at) VALUES ($1, $2, $3)", [idHash, name, expires.timeIntervalSince1970])
        }
    }

    /// The name of the live session with this hash, or nil.
    public func webSession(idHash: String, at now: Date) throws -> String? {
        try read { session in
            try session.row("SELECT name FROM web_session WHERE id_hash = $1 AND expires_at > $2", [idHash, now.timeIntervalSince1970])?
                .string(0)
        }
    }

    /// Ends a session (sign-out) on every replica.
    public func closeWebSession(idHash: String) throws {
        try write { session in _ = try session.execute("DELETE FROM web_session WHERE id_hash = $1", [idHash]) }
    }
}
