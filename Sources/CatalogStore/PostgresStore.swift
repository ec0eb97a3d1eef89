import CatalogSchema
import Foundation
import PostgresClient

/// The store kept in PostgreSQL: the registry a team shares, in the `catalog` schema of a database
/// the user names. Same tables and behaviour as the SQLite `Store` (`StoreContractTests` holds both
/// to one contract); the SQL is under `schema/registry/`.
///
/// Every method is one transaction on a connection of its own small idle list, run on the calling
/// thread with blocking libpq calls: callers are already off Swift's cooperative pool (the CLI's
/// main thread, `serve`'s `OwnThread` work, `BoundedWorkers`). Writes take one transaction-scoped
/// advisory lock, so they follow one another as SQLite's do, on any number of hosts; reads are
/// repeatable-read snapshots. Every value is bound; the few identifiers spliced are catalog's own.
public final class PostgresStore: Sendable {
    public let location: StoreLocation
    let connectionString: ConnectionString
    let connections = RegistryConnections()
    /// The connection that LISTENs for `changeChannel`, opened by the first `waitForChange`.
    let listener = RegistryListener()

    /// The schema the registry lives in.
    static let schema = "catalog"
    /// The table that records applied migrations.
    static let migrationsTable = "registry_migration"
    /// The registry's migrations, once per process.
    static let migrations = CatalogSchema.registry()
    /// The advisory lock keys: one for migrations, one every write takes.
    static let migrationLock: Int64 = 0x6361_7461_6C6F_6701
    static let writeLock: Int64 = 0x6361_7461_6C6F_6702

    /// Connects to the registry and creates or upgrades its schema. A registry written by a newer
    /// catalog is refused, and so is a project DSN with a password later (see `refusePassword`).
    public init(location: StoreLocation) throws {
        guard let registry = location.registry else {
            throw StoreError(.badInput, "\(location.path) is not a PostgreSQL connection string")
        }
        self.location = location
        do {
            connectionString = try ConnectionString(registry)
        } catch let error as PostgresError {
            throw StoreError(.badInput, "the store's connection string is not valid: \(error.message)", remedy: .useAnotherStore)
        }
        try prepareLocalDirectory()
        try migrate()
    }

    /// Opens the registry named by a connection string (local files in the default data directory).
    public convenience init(registry: String) throws {
        try self.init(location: StoreLocation.resolve(option: registry))
    }

    /// Backups, exports and `serve`'s token are kept beside `location.path`: its directory is made
    /// (mode 0700) when missing.
    private func prepareLocalDirectory() throws {
        let directory = location.directory
        guard !FileManager.default.fileExists(atPath: directory) else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError("cannot create the directory \(directory) for the store's local files: \(error.localizedDescription)")
        }
    }

    // MARK: Migrations

    /// The identifiers of the migrations this registry has applied, oldest first.
    public func appliedMigrations() throws -> [String] {
        try read { session in try session.appliedMigrations() ?? [] }
    }

    /// Applies the missing migrations. An up-to-date registry is only read; otherwise every missing
    /// migration runs in one transaction under a transaction-scoped advisory lock, which first looks
    /// again at what is applied, so replicas that start at the same moment take turns.
    private func migrate() throws {
        let applied = try read { session in try session.appliedMigrations() }
        if let refusal = refusal(applied) { throw refusal }
        if let applied, Set(applied) == Set(Self.migrations.map(\.identifier)) { return }
        try transaction(.migration) { session in
            let applied = try session.appliedMigrations()
            if let refusal = refusal(applied) { throw refusal }
            if try !session.schemaExists() {
                try session.script("CREATE SCHEMA \(Self.schema); SET LOCAL search_path TO \(Self.schema)")
            }
            try session.execute(
                """
                CREATE TABLE IF NOT EXISTS \(Self.migrationsTable) (
                    identifier text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """)
            let done = Set(applied ?? [])
            for migration in Self.migrations where !done.contains(migration.identifier) {
                try session.script(migration.sql)
                try session.execute("INSERT INTO \(Self.migrationsTable) (identifier) VALUES ($1)", [migration.identifier])
            }
        }
    }

    /// The error for a registry this catalog must not touch: one written by a newer catalog.
    private func refusal(_ applied: [String]?) -> StoreError? {
        guard let applied else { return nil }
        let known = Set(Self.migrations.map(\.identifier))
        guard Set(applied).isSubset(of: known) else {
            return StoreError("the store \(location.label) was written by a newer version of catalog", remedy: .upgradeOrUseAnotherStore)
        }
        return nil
    }

    // MARK: Transactions

    /// What a transaction may do.
    enum TransactionKind {
        /// A consistent snapshot, no writes.
        case read
        /// Changes, one writer at a time.
        case write
        /// Schema changes, one migrator at a time.
        case migration

        var begin: String {
            let settings = "SET LOCAL search_path TO \(PostgresStore.schema); SET LOCAL TimeZone TO 'UTC'; SET LOCAL DateStyle TO 'ISO'"
            switch self {
            case .read:
                return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \(settings)"
            case .write:
                // Every write moves the change version and notifies listeners, both only if it commits.
                return
                    "BEGIN; \(settings); SELECT pg_advisory_xact_lock(\(PostgresStore.writeLock)); \(PostgresStore.bumpChangeVersion)"
            case .migration:
                return "BEGIN; \(settings); SELECT pg_advisory_xact_lock(\(PostgresStore.migrationLock))"
            }
        }
    }

    /// The notification channel a committed write signals on.
    public static let changeChannel = "catalog_changed"
    /// What every write transaction runs first (`schema/registry/0003_change_version.sql`).
    static let bumpChangeVersion = "UPDATE change_version SET version = version + 1; NOTIFY \(changeChannel)"

    /// The change version, which every committed write moves (`bumpChangeVersion`).
    public func changeVersion() throws -> Int64 {
        try read { session in try session.row("SELECT version FROM change_version")?.int64(0) ?? 0 }
    }

    /// Waits for `NOTIFY catalog_changed` on a connection of its own that LISTENs (opened on first
    /// use, dropped after an error so the next call opens another). A notification sent while no
    /// one listened is lost; the caller's next `changeVersion` poll finds the write anyway.
    public func waitForChange(timeout: Double) throws -> Bool {
        try listener.withConnection(open: {
            let connection = try Connection(connectionString)
            try connection.execute(script: "LISTEN \(Self.changeChannel)")
            return connection
        }) { connection in
            try !connection.waitForNotifications(timeout: timeout).isEmpty
        } failure: { error in
            describe(error)
        }
    }

    /// Runs `body` in one read-only snapshot.
    func read<T>(_ body: (RegistrySession) throws -> T) throws -> T {
        try transaction(.read, body)
    }

    /// Runs `body` in one write transaction: all of it commits, or none of it.
    func write<T>(_ body: (RegistrySession) throws -> T) throws -> T {
        try transaction(.write, body)
    }

    func transaction<T>(_ kind: TransactionKind, _ body: (RegistrySession) throws -> T) throws -> T {
        var (connection, reused) = try borrow()
        var reusable = true
        defer { if reusable { connections.giveBack(connection) } }
        do {
            try connection.execute(script: kind.begin)
        } catch let error as PostgresError {
            // An idle connection that went stale (the registry restarted): drop every idle one and
            // begin again, once, on a new connection. Nothing had started, so nothing is repeated.
            guard reused, error.isReachabilityFailure else {
                reusable = false
                throw describe(error)
            }
            connections.dropAll()
            do {
                connection = try Connection(connectionString)
                try connection.execute(script: kind.begin)
            } catch let error as PostgresError {
                reusable = false
                throw describe(error)
            }
        }
        do {
            let value = try body(RegistrySession(connection: connection))
            try connection.execute(script: "COMMIT")
            return value
        } catch {
            do { try connection.execute(script: "ROLLBACK") } catch { reusable = false }
            if let error = error as? PostgresError {
                if error.isReachabilityFailure {
                    reusable = false
                    connections.dropAll()
                }
                throw describe(error)
            }
            throw error
        }
    }

    /// An idle connection (reused: true), or a new one.
    private func borrow() throws -> (Connection, reused: Bool) {
        if let idle = connections.take() { return (idle, true) }
        do {
            return (try Connection(connectionString), false)
        } catch let error as PostgresError {
            throw describe(error)
        }
    }

    /// A registry error in words a user can act on; the connection string is only ever shown masked.
    func describe(_ error: PostgresError) -> StoreError {
        let label = location.label
        if error.kind == .connection || error.isReachabilityFailure {
            let reason = error.message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            return StoreError(.unreachable, "cannot reach the store \(label): \(reason)", remedy: .retryWhenStoreIsBack)
        }
        switch error.sqlState {
        case SQLState.insufficientPrivilege:
            return StoreError(
                .refused,
                "the store \(label) refused: \(error.message); its role needs CREATE on the database (or on schema \(Self.schema)) and rights on its tables",
                remedy: .useAnotherStore)
        case SQLState.readOnlySQLTransaction:
            return StoreError(
                .readOnly, "the store \(label) is read-only (a standby or a read-only role): \(error.message)", remedy: .useAnotherStore)
        default:
            return StoreError("store error in \(label): \(error.description)")
        }
    }

    // MARK: Secrets

    /// A shared registry holds no passwords: a project connection string with one is refused, and the
    /// password belongs in a passfile or a service file, which libpq reads on each host.
    static func refusePassword(_ dsn: String, project: String) throws {
        guard let parsed = try? ConnectionString(dsn), parsed["password"] != nil else { return }
        throw StoreError(
            .badInput,
            "project \"\(project)\": a store kept in PostgreSQL does not keep passwords; put the password in a passfile (~/.pgpass or PGPASSFILE) or a service file (pg_service.conf) and give the connection string without it; nothing was changed"
        )
    }
}

/// The registry connections not in use, reused by the next transaction.
final class RegistryConnections: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [Connection] = []
    /// More idle connections than this are closed: a burst does not keep its connections open.
    private let limit = 4

    func take() -> Connection? {
        lock.lock()
        defer { lock.unlock() }
        return idle.popLast()
    }

    /// Closes every idle connection: after a lost connection, the others are likely stale too.
    func dropAll() {
        lock.lock()
        defer { lock.unlock() }
        idle.removeAll()
    }

    func giveBack(_ connection: Connection) {
        lock.lock()
        defer { lock.unlock() }
        if idle.count < limit { idle.append(connection) }
    }
}

/// The one connection that LISTENs for committed writes; one waiter at a time.
final class RegistryListener: @unchecked Sendable {
    private let lock = NSLock()
    private var connection: Connection?

    func withConnection<T>(
        open: () throws -> Connection, _ body: (Connection) throws -> T, failure: (PostgresError) -> StoreError
    ) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            let current = try connection ?? open()
            connection = current
            return try body(current)
        } catch let error as PostgresError {
            connection = nil
            throw failure(error)
        } catch {
            connection = nil
            throw error
        }
    }
}
