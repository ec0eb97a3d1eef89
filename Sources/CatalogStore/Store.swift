import CatalogSchema
import Foundation
import GRDB

/// Whether a command only reads the store (`readOnly`) or may change it.
public enum StoreAccess: Sendable {
    case readWrite
    /// The store is opened read-only when it exists and is up to date, so a user who may only
    /// read the file can still list and query; a missing or older store is created or upgraded.
    case readOnly
}

/// The local store: one SQLite file holding the registry, shared definitions, the search index
/// and history. WAL mode, foreign keys on, every change one transaction.
public final class Store: Sendable {
    let pool: any DatabaseWriter
    public let location: StoreLocation

    /// Opens (creating or upgrading) the store. A store written by a newer catalog is refused, and
    /// so is an SQLite file of another program.
    public init(location: StoreLocation, access: StoreAccess = .readWrite) throws {
        self.location = location
        if access == .readOnly, let reader = try Store.openForReading(location) {
            pool = reader
            return
        }
        try location.prepare()
        try Store.refuseForeignRollbackJournalFile(location.path)
        do {
            pool = try DatabasePool(path: location.path, configuration: Store.configuration(readonly: false))
        } catch let error as DatabaseError {
            throw Store.describe(error, path: location.path)
        }
        try migrate()
    }

    /// Opens the store at a path the user named.
    public convenience init(path: String, access: StoreAccess = .readWrite) throws {
        try self.init(location: StoreLocation(path: path, isExplicit: true), access: access)
    }

    /// Every connection's settings.
    static func configuration(readonly: Bool) -> Configuration {
        var configuration = Configuration()
        configuration.readonly = readonly
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.label = "catalog.store"
        configuration.prepareDatabase { db in
            // Pages are read, not mapped: a search over a thousand projects touches thousands of
            // index rows spread over the file, and with the file mapped the kernel's fault-around
            // maps the pages next to each one too, so the process's resident size grew by the whole
            // store (46 MB at N = 1000) for no saving in CPU (perf and sqlite3, same query: 10 ms
            // either way; peak RSS 50 MB mapped, 7 MB read).
            try db.execute(sql: "PRAGMA mmap_size = 0")
            // Deleted rows (a removed project's DSN) are overwritten, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        return configuration
    }

    /// The identifiers of the migrations this store has applied, oldest first.
    public func appliedMigrations() throws -> [String] {
        try read { db in
            guard try db.tableExists(Store.migrationsTable) else { return [] }
            return try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        }
    }

    /// The table that records applied migrations, named as GRDB's migrator names it (stores
    /// written before catalog ran its own migrations keep working).
    static let migrationsTable = "grdb_migrations"

    /// The store's schema, read once per process when it is needed: to create or upgrade a store,
    /// or to build `catalog sql`'s empty relations.
    static let migrations = CatalogSchema.sqlite()

    /// What an up-to-date store has applied: the migrations' identifiers, from their file names.
    static let knownIdentifiers = Set(CatalogSchema.sqliteIdentifiers())

    /// How far a database's schema is from this catalog's.
    enum SchemaState {
        case current, behind, newer, foreign
    }

    static func schemaState(_ db: Database) throws -> SchemaState {
        // Asked of `sqlite_master` directly: GRDB's `tableExists` loads its schema cache first, a
        // fifth of opening an up-to-date store for a search.
        let hasLedger = try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)", arguments: [migrationsTable])
        guard hasLedger == true else {
            let objects = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
            return objects == 0 ? .behind : .foreign
        }
        let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        if !applied.isSubset(of: knownIdentifiers) { return .newer }
        return applied == knownIdentifiers ? .current : .behind
    }

    /// The error for a store this catalog must not touch; nil for one it may use or upgrade.
    func refusal(_ state: SchemaState) -> StoreError? {
        Store.refusal(state, path: location.path)
    }

    static func refusal(_ state: SchemaState, path: String) -> StoreError? {
        switch state {
        case .newer:
            StoreError("the store \(path) was written by a newer version of catalog", remedy: .upgradeOrUseAnotherStore)
        case .foreign:
            StoreError(
                "\(path) is an SQLite database of another program (it has tables but no catalog migrations), so catalog leaves it alone",
                remedy: .useAnotherStore)
        case .current, .behind:
            nil
        }
    }

    /// Applies the missing migrations. An up-to-date store is only read: no write transaction on
    /// every command. Otherwise every missing migration runs in one `BEGIN IMMEDIATE` transaction
    /// that first looks again at what is applied, so processes that open a missing or older store
    /// at the same moment take turns, and each later one finds the work done.
    private func migrate() throws {
        do {
            let state = try pool.read { db in try Store.schemaState(db) }
            if let refusal = refusal(state) { throw refusal }
            if state == .current { return }
            try pool.writeWithoutTransaction { db in
                // As GRDB's migrator does: foreign keys are checked once, before the commit.
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
                try db.inTransaction(.immediate) {
                    let state = try Store.schemaState(db)
                    if let refusal = refusal(state) { throw refusal }
                    if state == .current { return .commit }
                    try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                    let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
                    for migration in Store.migrations where !applied.contains(migration.identifier) {
                        try db.execute(sql: migration.sql)
                        try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [migration.identifier])
                    }
                    if let violation = try Row.fetchOne(db, sql: "PRAGMA foreign_key_check") {
                        throw StoreError(
                            "the store \(location.path) could not be upgraded: a foreign key of table \(violation[0] as String? ?? "?") does not hold; nothing was changed"
                        )
                    }
                    return .commit
                }
            }
        } catch let error as DatabaseError {
            throw Store.describe(error, path: location.path)
        }
    }

    /// Refuses another program's SQLite file before anything is written to it: opening it as a
    /// pool would already switch a rollback-journal database to WAL mode. Stores are always in WAL
    /// mode, so only a file that is not is looked into.
    ///
    /// The file is read through SQLite, never through a descriptor of catalog's own: POSIX locks
    /// belong to the process, and closing any descriptor of the file drops every lock the process
    /// holds on it. A second store opened beside a first (as `catalog serve` does beside the test's
    /// own) then left the first without its shared lock, so another process that closed its
    /// connection took itself for the last one and removed the WAL under the open connections.
    private static func refuseForeignRollbackJournalFile(_ path: String) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        guard size > 0 else { return }
        var configuration = configuration(readonly: true)
        configuration.label = "catalog.store.check"
        let state: SchemaState
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            guard let journal = try queue.read({ db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }), journal != "wal" else { return }
            state = try queue.read { db in try schemaState(db) }
        } catch let error as DatabaseError {
            throw describe(error, path: path)
        }
        if state == .foreign, let refusal = refusal(state, path: path) { throw refusal }
    }

    /// A read-only connection to an existing, up-to-date store; nil when the store is missing,
    /// empty or older, so that the caller creates or upgrades it.
    static func openForReading(_ location: StoreLocation) throws -> (any DatabaseWriter)? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: location.path)
        guard attributes?[.type] as? FileAttributeType == .typeRegular,
            let size = attributes?[.size] as? NSNumber, size.intValue > 0
        else { return nil }
        do {
            var reader: any DatabaseWriter
            do {
                reader = try DatabasePool(path: location.path, configuration: configuration(readonly: true))
                try reader.read { db in try db.execute(sql: "SELECT count(*) FROM sqlite_master") }
            } catch let error as DatabaseError where needsImmutable(error, path: location.path) {
                reader = try immutableQueue(location.path)
            }
            let state = try reader.read { db in try schemaState(db) }
            if let refusal = refusal(state, path: location.path) { throw refusal }
            return state == .current ? reader : nil
        } catch let error as DatabaseError {
            throw describe(error, path: location.path)
        }
    }

    /// One read-only connection to the store file.
    static func readOnlyQueue(_ path: String) throws -> DatabaseQueue {
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration(readonly: true))
            try queue.read { db in try db.execute(sql: "SELECT count(*) FROM sqlite_master") }
            return queue
        } catch let error as DatabaseError where needsImmutable(error, path: path) {
            return try immutableQueue(path)
        }
    }

    /// A WAL database read-only needs its `-shm` file. When that is missing and cannot be created
    /// (a directory the user may not write), and the `-wal` file is missing or empty (no change
    /// waits in it, so the file itself is whole), the file is opened as immutable instead.
    private static func needsImmutable(_ error: DatabaseError, path: String) -> Bool {
        let walSize = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.intValue ?? 0
        return [.SQLITE_READONLY, .SQLITE_CANTOPEN].contains(error.resultCode) && walSize == 0 && access(path, R_OK) == 0
    }

    /// The store file opened as an immutable URI (`file:…?immutable=1`), which takes no locks.
    private static func immutableQueue(_ path: String) throws -> DatabaseQueue {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let encoded = absolute.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? absolute
        return try DatabaseQueue(path: "file:\(encoded)?immutable=1", configuration: configuration(readonly: true))
    }

    /// The change version: `PRAGMA data_version`, which moves when another connection (this
    /// process's readers or another process) commits, plus the rows this connection has changed
    /// (`total_changes()`), which moves with its own writes. Both are read on the one writer
    /// connection, so the sum only ever grows.
    public func changeVersion() throws -> Int64 {
        do {
            return try pool.writeWithoutTransaction { db in
                (try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0) + Int64(db.totalChangesCount)
            }
        } catch let error as DatabaseError {
            throw Store.describe(error, path: location.path)
        }
    }

    /// An SQLite store announces nothing: this waits `timeout` seconds and says no.
    public func waitForChange(timeout: Double) throws -> Bool {
        Thread.sleep(forTimeInterval: max(0, timeout))
        return false
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
            StoreError(.readOnly, "the store \(path) is read-only; make it writable (chmod u+w)", remedy: .useAnotherStore)
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
            StoreError("cannot open the store \(path); check that it and its directory are readable and writable", remedy: .useAnotherStore)
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            StoreError("\(path) is not a catalog store (not an SQLite database)", remedy: .useAnotherStore)
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            StoreError(.busy, "the store \(path) is locked by another catalog command; try again when it has finished")
        case .SQLITE_FULL:
            StoreError("the disk holding the store \(path) is full; free some space and try again")
        default:
            StoreError("store error in \(path): \(error.message ?? "\(error.resultCode)")")
        }
    }
}
