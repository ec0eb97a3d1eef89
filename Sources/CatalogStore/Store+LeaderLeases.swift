import Foundation
import GRDB

extension Store {
    /// Takes or renews the lease `name` for `holder` until `now + seconds`; returns its epoch, or nil
    /// while another holder's lease has not expired. A new holder gets a larger epoch; the same holder keeps its own.
    public func acquireLease(named name: String, holder: String, seconds: Double, at now: Date) throws -> Int64? {
        try write { db in
            let expires = now.timeIntervalSince1970 + seconds
            guard let row = try Row.fetchOne(db, sql: "SELECT holder, epoch, expires_at FROM leader_lease WHERE name = ?", arguments: [name])
            else {
                try db.execute(
                    sql: "INSERT INTO leader_lease (name, holder, epoch, expires_at) VALUES (?, ?, 1, ?)", arguments: [name, holder, expires])
                return 1
            }
            let current: String = row["holder"]
            let epoch: Int64 = row["epoch"]
            let expiresAt: Double = row["expires_at"]
            if current == holder {
                try db.execute(sql: "UPDATE leader_lease SET expires_at = ? WHERE name = ?", arguments: [expires, name])
                return epoch
            }
            guard expiresAt <= now.timeIntervalSince1970 else { return nil }
            try db.execute(
                sql: "UPDATE leader_lease SET holder = ?, epoch = ?, expires_at = ? WHERE name = ?", arguments: [holder, epoch + 1, expires, name])
            return epoch + 1
        }
    }

    /// Gives the lease up, so another replica takes over at once.
    public func releaseLease(named name: String, holder: String) throws {
        try write { db in
            try db.execute(sql: "UPDATE leader_lease SET expires_at = 0 WHERE name = ? AND holder = ?", arguments: [name, holder])
        }
    }

    /// Applies index updates only while the lease `lease` still has `epoch` and has not expired;
    /// false (nothing written) when it moved on.
    public func applyIndexUpdates(_ updates: [IndexUpdate], at date: Date, lease: String, epoch: Int64) throws -> Bool {
        try write { db in
            guard try Store.holds(lease: lease, epoch: epoch, at: date, db) else { return false }
            try Self.writeIndexUpdates(updates, at: date, db)
            return true
        }
    }

    /// True while the lease `lease` has `epoch` and has not expired at `now`.
    static func holds(lease: String, epoch: Int64, at now: Date, _ db: Database) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT 1 FROM leader_lease WHERE name = ? AND epoch = ? AND expires_at > ?",
            arguments: [lease, epoch, now.timeIntervalSince1970]) == true
    }
}
