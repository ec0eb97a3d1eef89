import CatalogCore
import CatalogSupport
import Logging
import ServiceLifecycle

/// Renews a `LeaderLease` every third of its length while `catalog serve` runs, logs when this
/// replica starts or stops leading, and gives the lease up at shutdown. When the leader dies, its row
/// expires and another replica's next renewal, at most a third of the lease later, takes it over.
struct LeaderLeaseService: Service {
    let lease: LeaderLease
    let catalog: Catalog
    let logger: Logger

    func run() async throws {
        let lease = lease
        let catalog = catalog
        await cancelWhenGracefulShutdown {
            var leading: Int64?
            while !Task.isCancelled {
                // The first renewal waits one interval: a server that fails to start (its port taken) never leads.
                try? await Task.sleep(for: .seconds(lease.seconds / 3))
                if Task.isCancelled { break }
                let epoch = await OwnThread.run { lease.renew(catalog) }
                if epoch != leading {
                    if let epoch {
                        logger.notice("this replica leads \(lease.name)", metadata: ["lease": "\(lease.name)", "epoch": "\(epoch)"])
                    } else {
                        logger.notice("this replica no longer leads \(lease.name)", metadata: ["lease": "\(lease.name)"])
                    }
                    leading = epoch
                }
            }
        }
        await OwnThread.run { lease.release(catalog) }
    }
}
