import CatalogSchema
import Foundation
import GRDB

/// The local store: one SQLite file holding the registry, shared definitions, the search index
/// and history. WAL mode, foreign keys on, every change one transaction.
public final class Store: Sendable {
    let pool: DatabasePool
    public let location: StoreLocation

    /// Opens (creating or upgrading) the store. A store written by a newer catalog is refused.
    public init(location: StoreLocation) throws {
        try location.prepare()
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.label = "catalog.store"
        // Reads map the file instead of copying pages out of the kernel: a cached search over a
        // thousand projects touches thousands of index rows spread over the file.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA mmap_size = 268435456") }
        do {
            pool = try DatabasePool(path: location.path, configuration: configuration)
        } catch let error as DatabaseError {
            throw Store.describe(error, path: location.path)
        }
        self.location = location
        try migrate()
    }

    /// Opens the store at a path the user named.
    public convenience init(path: String) throws {
        try self.init(location: StoreLocation(path: path, isExplicit: true))
    }

    /// The identifiers of the migrations this store has applied, oldest first.
    public func appliedMigrations() throws -> [String] {
        try read { db in try Store.migrator.appliedIdentifiers(db).sorted() }
    }

    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        for migration in CatalogSchema.sqlite() {
            migrator.registerMigration(migration.identifier) { db in
                try db.execute(sql: migration.sql)
            }
        }
        return migrator
    }()

    private func migrate() throws {
        do {
            let superseded = try pool.read { db in try Store.migrator.hasBeenSuperseded(db) }
            if superseded {
                throw StoreError("the store \(location.path) was written by a newer version of catalog; upgrade catalog, or pass --store to use another store")
            }
            // A store that is up to date is only read: no write transaction on every command.
            if try pool.read({ db in try Store.migrator.hasCompletedMigrations(db) }) { return }
            try Store.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw Store.describe(error, path: location.path)
        }
    }

    /// Runs `body` in one read transaction.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let error as DatabaseError { throw Store.describe(error, path: location.path) }
    }

    /// Runs `body` in one write transaction: all of it commits, or none of it.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let error as DatabaseError { throw Store.describe(error, path: location.path) }
    }

    static func describe(_ error: DatabaseError, path: String) -> StoreError {
        switch error.resultCode {
        case .SQLITE_READONLY:
            StoreError(.readOnly, "the store \(path) is read-only; make it writable (chmod u+w) or pass another --store")
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
            StoreError("cannot open the store \(path); check that it and its directory are readable and writable, or pass another --store")
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            StoreError("\(path) is not a catalog store (not an SQLite database); pass --store with the right path")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            StoreError(.busy, "the store \(path) is locked by another catalog command; try again when it has finished")
        case .SQLITE_FULL:
            StoreError("the disk holding the store \(path) is full; free some space and try again")
        default:
            StoreError("store error in \(path): \(error.message ?? "\(error.resultCode)")")
        }
    }
}
