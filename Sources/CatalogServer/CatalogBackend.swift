import CatalogCore
import CatalogStore
import CatalogSupport
import Foundation
import Logging
import PostgresClient

/// What every route shares: the catalog, the warm pool, the revision query's connections, the
/// fan-out gate, sessions and metrics.
///
/// Searches take the fresh path: per server one revision query on a kept-open connection to its
/// `postgres` database (`signalPool`, one per server), then only the projects that changed are
/// read, on connections from `pool`, which keeps at most `poolIdlePerServer` of them idle per
/// server. So between requests a server holds at most `poolIdlePerServer + 1` of the service's
/// connections, however many projects it has.
///
/// `Catalog`'s methods block (SQLite, libpq), so every call goes through `blocking`, which runs it
/// on a thread of catalog's own; Swift's cooperative pool (two threads here) never waits on I/O.
final class CatalogBackend: Sendable {
    let configuration: ServerConfiguration
    let catalog: Catalog
    let pool: WarmPool
    /// One kept-open connection per server for the revision query, keyed by server.
    let signalPool: WarmPool
    let gate: FanOutGate
    let sessions: SessionStore
    let metrics: ServerMetrics
    /// Which servers the API may register projects on.
    let serverPolicy: ProjectServerPolicy
    /// The schedule runner, when this server runs schedules.
    let scheduleRunner = RunnerBox()
    /// The index in memory that searches answer from when a background check keeps it fresh (`IndexRefresh`).
    let memory = IndexMemory()
    /// The lease the background index refresh runs under: only its holder writes the index, fenced by its epoch.
    let indexRefreshLease: LeaderLease
    /// Memory answers rendered once per memory generation and second.
    let rendered = RenderedAnswers()

    init(configuration: ServerConfiguration, catalog: Catalog, serverPolicy: ProjectServerPolicy) {
        self.configuration = configuration
        self.catalog = catalog
        self.serverPolicy = serverPolicy
        pool = WarmPool(
            perServerLimit: configuration.poolPerServerLimit, perProjectLimit: configuration.poolPerProjectLimit,
            idleTimeout: configuration.poolIdleTimeout, idlePerServerLimit: configuration.poolIdlePerServer)
        signalPool = WarmPool(perServerLimit: 1, perProjectLimit: 1, idleTimeout: configuration.poolIdleTimeout)
        gate = FanOutGate(limit: configuration.maxConcurrentFanOuts)
        sessions = SessionStore(catalog: catalog, lifetime: configuration.sessionLifetime)
        indexRefreshLease = LeaderLease(name: Catalog.indexRefreshLease, replica: configuration.replica, seconds: configuration.leaseSeconds)
        metrics = ServerMetrics(pool: pool, signalPool: signalPool)
    }

    /// The database the revision query's kept-open connection is on: never a project's own, so a
    /// restore, rename or archive finds no session of the service there.
    static let signalDatabase = "postgres"

    /// How a request fans out: every project at once over the warm pool, each within the query
    /// timeout, with the revision query on the kept-open signal connection.
    var fanOutOptions: FanOutOptions {
        FanOutOptions(
            concurrency: configuration.fanOutConcurrency, timeout: configuration.queryTimeout, pool: pool,
            signal: FanOutOptions.SignalConnection(pool: signalPool, database: Self.signalDatabase))
    }

    /// Runs blocking catalog work on a thread of its own.
    /// The request's audit actor (`AuditIdentity.taskActor`) goes with it to that thread.
    func blocking<T: Sendable>(_ body: @escaping @Sendable (Catalog) throws -> T) async throws -> T {
        let catalog = catalog
        let actor = AuditIdentity.taskActor
        return try await OwnThread.run { try AuditIdentity.withThreadActor(actor) { try body(catalog) } }
    }

    /// Runs blocking work that reaches project databases: queued behind the fan-out cap, counted in metrics.
    func fanOut<T: Sendable>(_ body: @escaping @Sendable (Catalog, FanOutOptions) throws -> T) async throws -> T {
        let options = fanOutOptions
        let metrics = metrics
        return try await gate.run {
            metrics.fanOutStarted()
            defer { metrics.fanOutEnded() }
            return try await self.blocking { catalog in try body(catalog, options) }
        }
    }

    /// Throws 404 for the first name that is not registered, before any connection is made. Only
    /// for routes that would do other work first: the library's own `not_found` (with its remedy)
    /// answers the rest.
    func requireRegistered(_ names: [String]) async throws {
        guard !names.isEmpty else { return }
        let registered = Set(try await blocking { catalog in try catalog.listProjects().map(\.name) })
        if let unknown = names.first(where: { !registered.contains($0) }) { throw APIError.unknownProject(unknown) }
    }

    /// Runs work with the query timeout as a deadline: past it the request answers 504 at once,
    /// while the abandoned work finishes on its own thread.
    func withDeadline<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let seconds = configuration.queryTimeout
        let timeout = APIError(
            .gatewayTimeout, code: "timeout",
            message: "the query took longer than \(String(format: "%g", seconds)) s; narrow it, or raise --query-timeout")
        return try await Deadline.run(seconds: seconds, timeout: timeout, body)
    }
}
