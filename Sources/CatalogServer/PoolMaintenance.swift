import CatalogCore
import CatalogSupport
import Logging
import ServiceLifecycle

/// Keeps the warm pool tidy while the server runs: closes connections idle too long and those of
/// projects removed from the registry (also by a CLI in another process). At shutdown it closes
/// every pooled connection, the revision query's too.
struct PoolMaintenance: Service {
    let backend: CatalogBackend
    let logger: Logger

    func run() async throws {
        let interval = backend.configuration.poolMaintenanceInterval
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                if Task.isCancelled { break }
                await tidy()
            }
        }
        let pool = backend.pool
        let signalPool = backend.signalPool
        await OwnThread.run {
            pool.closeAll()
            signalPool.closeAll()
        }
    }

    func tidy() async {
        let pool = backend.pool
        let signalPool = backend.signalPool
        do {
            let registered = try await backend.blocking { catalog in try catalog.listProjects().map { (name: $0.name, dsn: $0.dsn) } }
            let closed = await OwnThread.run { () -> Int in
                pool.retain(registered: registered)
                return pool.closeIdle() + signalPool.closeIdle()
            }
            if closed > 0 { logger.debug("closed idle pooled connections", metadata: ["count": "\(closed)"]) }
        } catch {
            logger.warning("pool maintenance could not read the registry", metadata: ["error": "\(error)"])
        }
    }
}
