import CatalogCore
import CatalogStore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import PostgresClient

/// The whole service, built without a socket: the router with its middleware and routes, the
/// warm pool, and the pool's upkeep. `catalog serve` runs `application`; tests drive it with
/// `application.test(.router)` and look at `routes` and `pool`.
public struct CatalogApplication: Sendable {
    /// The Hummingbird application: run it, or test it.
    public let application: Application<RouterResponder<CatalogRequestContext>>
    /// Every route the router serves, as Hummingbird's `router.routes` lists them.
    public let routes: [APIRoute]
    /// The warm pool the fan-outs borrow connections from.
    public let pool: WarmPool
    /// The revision query's kept-open connections, one per server.
    public let signalPool: WarmPool
    /// The index in memory searches answer from while the background check keeps it fresh.
    public let memory: IndexMemory
    /// The lease under which only one replica reads and writes what the background check finds changed.
    let indexRefreshLease: LeaderLease
    /// True while this replica leads the background index refresh.
    public var leadsIndexRefresh: Bool { indexRefreshLease.isLeader }
    /// The configuration the service was built from.
    let configuration: ServerConfiguration

    /// Opens the store and builds the router; throws if the configuration is refused.
    public init(_ configuration: ServerConfiguration) throws {
        try configuration.validate()
        let assets = try ServerAssets.bundled.get()
        AuditIdentity.replica = configuration.replica
        let catalog = try Catalog(location: configuration.store)
        let backend = CatalogBackend(configuration: configuration, catalog: catalog, serverPolicy: try configuration.policy())
        let table = RouteTable()
        let router = Router(context: CatalogRequestContext.self)
        router.add(middleware: RequestObserverMiddleware(metrics: backend.metrics))
        router.add(middleware: ErrorMiddleware(routes: table))
        router.add(
            middleware: HostCheckMiddleware(
                allowList: HostAllowList(
                    host: configuration.host, publicURLs: try configuration.parsedPublicURLs())))
        router.add(middleware: BodyLimitMiddleware(limit: configuration.maxBodyBytes))

        let root = router.group()
        OperationsRoutes(backend: backend, assets: assets).register(on: root)
        WebPageRoutes(assets: assets).register(on: root)

        let session = router.group("api/v1").add(middleware: OriginMiddleware())
        SessionRoutes(backend: backend).register(on: session)

        let api = router.group("api/v1").add(
            middleware: AuthMiddleware(token: configuration.token, tokenName: configuration.tokenName, sessions: backend.sessions))
        ProjectRoutes(backend: backend).register(on: api)
        LifecycleRoutes(backend: backend).register(on: api)
        SearchRoutes(backend: backend).register(on: api)
        SQLRoutes(backend: backend).register(on: api)
        SharedRoutes(backend: backend).register(on: api)
        SyncRoutes(backend: backend).register(on: api)
        DriftRoutes(backend: backend).register(on: api)
        BackupRoutes(backend: backend).register(on: api)
        ExportRoutes(backend: backend).register(on: api)
        GenerateRoutes(backend: backend).register(on: api)
        CurationRoutes(backend: backend).register(on: api)
        ScheduleRoutes(backend: backend).register(on: api)
        LintRoutes(backend: backend, config: configuration.lintConfig).register(on: api)
        HistoryRoutes(backend: backend).register(on: api)
        table.load(from: router)

        let logger = configuration.logger
        let authentication = configuration.token == nil ? "none (--insecure-no-auth, loopback only)" : "bearer token or session cookie"
        var metadata: Logger.Metadata = ["authentication": "\(authentication)"]
        if let file = configuration.tokenFile {
            metadata["token_file"] = "\(file)"
            if let warning = ServerToken.permissionWarning(file: file) { logger.warning("\(warning)") }
        }
        let idle = TimeAmount.nanoseconds(Int64(configuration.idleTimeout * 1_000_000_000))
        var application = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [RequestReadDeadline(limit: idle)], idleTimeout: idle)),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "catalog"),
            onServerRunning: { [metadata] channel in
                var metadata = metadata
                metadata["address"] = "\(channel.localAddress?.description ?? "?")"
                logger.notice("catalog serve is listening", metadata: metadata)
            },
            logger: logger)
        application.addServices(PoolMaintenance(backend: backend, logger: configuration.logger))
        if let interval = configuration.refreshInterval {
            application.addServices(IndexRefresh(backend: backend, interval: interval, logger: configuration.logger))
        }
        application.addServices(LeaderLeaseService(lease: backend.indexRefreshLease, catalog: catalog, logger: configuration.logger))
        if let scheduler = configuration.scheduler {
            application.addServices(ScheduleService(backend: backend, settings: scheduler, logger: configuration.logger))
        }
        self.application = application
        self.routes = table.all
        self.pool = backend.pool
        self.signalPool = backend.signalPool
        self.memory = backend.memory
        self.indexRefreshLease = backend.indexRefreshLease
        self.configuration = configuration
    }
}

extension CatalogApplication {
    /// Runs the service until SIGTERM or SIGINT, then stops accepting connections, lets in-flight
    /// requests finish and closes the pooled connections.
    /// A port already taken is a one-line error naming `--port`, not NIO's own.
    public func run() async throws {
        do {
            try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch  where Self.isAddressInUse(error) {
            throw CatalogError(
                "cannot listen on \(configuration.host) port \(configuration.port): the address is already in use; stop the other server, or pick another port with --port"
            )
        }
    }

    /// True for the bind failure EADDRINUSE, however NIO or the service group wraps it.
    static func isAddressInUse(_ error: any Error) -> Bool {
        let text = String(describing: error)
        return text.contains("errno: \(EADDRINUSE)") || text.contains("Address already in use")
    }
}

/// Builds the service for `configuration` with no socket open, so tests drive the same router
/// `catalog serve` runs.
public func buildApplication(_ configuration: ServerConfiguration) throws -> some ApplicationProtocol {
    try CatalogApplication(configuration).application
}
