import Foundation

extension PostgresStore {
    /// Takes or renews the lease `name` for `holder` until `now + seconds`; returns its epoch, or nil
    /// while another holder's lease has not expired. A new holder gets a larger epoch; the same holder keeps its own. Writes are
    /// serialized by the write lock, so two replicas never both take the lease.
    public func acquireLease(named name: String, holder: String, seconds: Double, at now: Date) throws -> Int64? {
        try write { session in
            let expires = now.timeIntervalSince1970 + seconds
            guard let row = try session.row("SELECT holder, epoch, expires_at FROM leader_lease WHERE name = $1", [name]) else {
                try session.execute("INSERT INTO leader_lease (name, holder, epoch, expires_at) VALUES ($1, $2, 1, $3)", [name, holder, expires])
                return 1
            }
            let epoch = row.int64(1) ?? 0
            let expiresAt = row.double(2) ?? 0
            if row.string(0) == holder {
                try session.execute("UPDATE leader_lease SET expires_at = $1 WHERE name = $2", [expires, name])
                return epoch
            }
            guard expiresAt <= now.timeIntervalSince1970 else { return nil }
            try session.execute(
                "UPDATE leader_lease SET holder = $1, epoch = $2, expires_at = $3 WHERE name = $4", [holder, epoch + 1, expires, name])
            return epoch + 1
        }
    }

    /// Gives the lease up, so another replica takes over at once.
    public func releaseLease(named name: String, holder: String) throws {
        try write { session in
            _ = try session.execute("UPDATE leader_lease SET expires_at = 0 WHERE name = $1 AND holder = $2", [name, holder])
        }
    }

    /// Applies index updates only while the lease `lease` still has `epoch` and has not expired;
    /// false (nothing written) when it moved on.
    public func applyIndexUpdates(_ updates: [IndexUpdate], at date: Date, lease: String, epoch: Int64) throws -> Bool {
        try write { session in
            guard try Self.holds(lease: lease, epoch: epoch, at: date, session) else { return false }
            try Self.writeIndexUpdates(updates, at: date, session)
            return true
        }
    }

    /// True while the lease `lease` has `epoch` and has not expired at `now`.
    static func holds(lease: String, epoch: Int64, at now: Date, _ session: RegistrySession) throws -> Bool {
        try session.row(
            "SELECT 1 FROM leader_lease WHERE name = $1 AND epoch = $2 AND expires_at > $3", [lease, epoch, now.timeIntervalSince1970]) != nil
    }
}
