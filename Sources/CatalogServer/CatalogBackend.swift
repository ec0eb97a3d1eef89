import CatalogCore
import CatalogSupport
import Foundation
import Logging
import PostgresClient

/// What every route shares: the catalog, the warm pool, the fan-out gate, sessions and metrics.
///
/// `Catalog`'s methods block (SQLite, libpq), so every call goes through `blocking`, which runs it
/// on a thread of catalog's own; Swift's cooperative pool (two threads here) never waits on I/O.
final class CatalogBackend: Sendable {
    let configuration: ServerConfiguration
    let catalog: Catalog
    let pool: WarmPool
    let gate: FanOutGate
    let sessions: SessionStore
    let metrics: ServerMetrics
    /// Which servers the API may register projects on.
    let serverPolicy: ProjectServerPolicy
    /// The schedule runner, when this server runs schedules.
    let scheduleRunner = RunnerBox()

    init(configuration: ServerConfiguration, catalog: Catalog, serverPolicy: ProjectServerPolicy) {
        self.configuration = configuration
        self.catalog = catalog
        self.serverPolicy = serverPolicy
        pool = WarmPool(
            perServerLimit: configuration.poolPerServerLimit, perProjectLimit: configuration.poolPerProjectLimit,
            idleTimeout: configuration.poolIdleTimeout)
        gate = FanOutGate(limit: configuration.maxConcurrentFanOuts)
        sessions = SessionStore(lifetime: configuration.sessionLifetime)
        metrics = ServerMetrics(pool: pool)
    }

    /// How a request fans out: every project at once over the warm pool, each within the query timeout.
    var fanOutOptions: FanOutOptions {
        FanOutOptions(concurrency: configuration.fanOutConcurrency, timeout: configuration.queryTimeout, pool: pool)
    }

    /// Runs blocking catalog work on a thread of its own.
    func blocking<T: Sendable>(_ body: @escaping @Sendable (Catalog) throws -> T) async throws -> T {
        let catalog = catalog
        return try await OwnThread.run { try body(catalog) }
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
