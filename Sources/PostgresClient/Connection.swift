import CLibPQ

/// A blocking connection to one PostgreSQL database; owns its `PGconn*` and closes it on release.
///
/// Blocking calls belong on the main thread of a command or on a thread of catalog's own
/// (`OwnThread.run`), never on Swift's cooperative pool. For many databases at once use `FanOut`.
public final class Connection {
    let handle: OpaquePointer
    /// The connection this was opened with, for messages (always shown masked).
    public let connectionString: ConnectionString

    /// Connects, or throws the libpq message (which never contains the password).
    public init(_ connectionString: ConnectionString, connectTimeout: Int = 10) throws {
        try LibPQLoading.ensureLoaded()
        let parameters = ConnectionParameters(connectionString, defaultConnectTimeout: connectTimeout)
        let handle = parameters.withCArrays { keywords, values in PQconnectdbParams(keywords, values, 1) }
        guard let handle else {
            throw PostgresError(kind: .connection, message: "out of memory while connecting")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let error = PostgresError(connection: handle)
            PQfinish(handle)
            throw error
        }
        silenceNotices(handle)
        self.handle = handle
        self.connectionString = connectionString
    }

    deinit { PQfinish(handle) }

    /// Runs one statement with bound parameters (`PQexecParams`) and returns its rows.
    @discardableResult
    public func query(_ query: Query) throws -> QueryResult {
        let raw = query.parameters.withCStringArray { values in
            PQexecParams(handle, query.sql, Int32(values.count), nil, values, nil, nil, 0)
        }
        guard let raw else { throw PostgresError(connection: handle, kind: .query) }
        return try ResultHandle(raw).checked()
    }

    /// Runs one statement with bound parameters.
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PostgresBindable)?] = []) throws -> QueryResult {
        try query(Query(sql, parameters))
    }

    /// Runs a script of one or more statements that take no parameters (`PQexec`), such as a migration file.
    public func execute(script: String) throws {
        guard let raw = PQexec(handle, script) else { throw PostgresError(connection: handle, kind: .query) }
        _ = try ResultHandle(raw).checked()
    }

    /// Runs `body` inside `BEGIN`/`COMMIT`; any error rolls the whole transaction back.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute(script: "BEGIN")
        do {
            let value = try body()
            try execute(script: "COMMIT")
            return value
        } catch {
            try? execute(script: "ROLLBACK")
            throw error
        }
    }

    /// Quotes an identifier (`PQescapeIdentifier`), for the few statements that cannot bind one.
    public func quoteIdentifier(_ identifier: String) throws -> String {
        try escape(identifier, with: PQescapeIdentifier)
    }

    /// Quotes a literal (`PQescapeLiteral`), for statements that take no parameters such as `CREATE DATABASE`.
    public func quoteLiteral(_ literal: String) throws -> String {
        try escape(literal, with: PQescapeLiteral)
    }

    private func escape(
        _ text: String,
        with function: (OpaquePointer?, UnsafePointer<CChar>?, Int) -> UnsafeMutablePointer<CChar>?
    ) throws -> String {
        let length = text.utf8.count
        guard let escaped = function(handle, text, length) else {
            throw PostgresError(connection: handle, kind: .query)
        }
        // The escaped copy is malloc'ed by libpq and must be released with PQfreemem.
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }

    /// The server's version as an integer, such as 150018.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// The database this connection is attached to.
    public var databaseName: String { String(cString: PQdb(handle)) }

    /// The server process serving this connection (`PQbackendPID`), as `pg_locks.pid` names it.
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// A handle that cancels this connection's running statement from another thread; nil if libpq has none.
    public func cancelHandle() -> CancelHandle? { CancelHandle(connection: handle) }

    /// The server this connection reached, as `host:port` (for a Unix socket, its directory and port), as libpq reports it.
    public var serverAddress: String { "\(String(cString: PQhost(handle))):\(String(cString: PQport(handle)))" }

    /// The role this connection is authenticated as.
    public var userName: String { String(cString: PQuser(handle)) }
}
