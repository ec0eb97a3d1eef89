import Foundation
import PostgresClient

/// The session advisory locks that order lifecycle steps on one server, taken on a connection to the
/// server's maintenance database (advisory locks are per database, so every catalog takes them in the
/// same one). Session locks, because `CREATE DATABASE` cannot run inside a transaction; a killed run's
/// locks go with its session.
enum LifecycleLock {
    /// The server's create lock: held around the name checks and `CREATE DATABASE`, and again around the
    /// final rename, so creates on one server take turns there.
    static let serverKey: Int64 = 0x6361_7461_6C6F_6702

    /// The first half of a run's own lock, held from its record in the store until it is registered or
    /// cleaned up: a record whose lock can be taken belongs to a run that is gone.
    static let runClass: Int32 = 0x6C69_6665

    /// Waits for the server's create lock, without a statement timeout: the wait is not part of
    /// `--timeout`. Returns the seconds waited.
    static func lockServer(_ connection: Connection) throws -> Double {
        let start = ContinuousClock.now
        try connection.execute(script: "SET statement_timeout = 0")
        try connection.query("SELECT pg_advisory_lock($1)", [serverKey])
        return (ContinuousClock.now - start).seconds
    }

    static func unlockServer(_ connection: Connection) throws {
        try connection.query("SELECT pg_advisory_unlock($1)", [serverKey])
    }

    /// The second half of a run's lock, from its token (FNV-1a, folded to 32 bits).
    static func runKey(_ token: String) -> Int32 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in token.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int32(truncatingIfNeeded: hash ^ (hash >> 32))
    }

    static func lockRun(_ connection: Connection, token: String) throws {
        try connection.query("SELECT pg_advisory_lock($1::int4, $2::int4)", [Int(runClass), Int(runKey(token))])
    }

    /// True when no live session holds the run's lock (its run is gone); the lock is then held here.
    static func tryLockRun(_ connection: Connection, token: String) throws -> Bool {
        try connection.query("SELECT pg_try_advisory_lock($1::int4, $2::int4) AS locked", [Int(runClass), Int(runKey(token))])
            .records.first?.bool("locked") ?? false
    }

    static func unlockRun(_ connection: Connection, token: String) throws {
        try connection.query("SELECT pg_advisory_unlock($1::int4, $2::int4)", [Int(runClass), Int(runKey(token))])
    }
}
