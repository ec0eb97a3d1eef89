import CatalogCore
import CatalogSupport
import Foundation
import Logging
import ServiceLifecycle

/// Keeps `backend.memory`, the index searches answer from, fresh while the server runs (`--refresh-interval`):
/// - the background check: per server one revision query on the kept-open signal connection, then
///   only the projects that changed are read (on short-lived connections), written to the store's
///   index and swapped into memory. It runs every half interval, so the last completed check is
///   never more than one interval old while the servers answer;
/// - the watcher: every `min(interval, 1 s)` it reads the store's change version, and reloads what
///   moved when it moved (a project added or removed, an index copy written by the CLI or another
///   replica); on a PostgreSQL store it also LISTENs, so a write is seen at once, and a lost
///   notification costs at most one poll. A store that cannot be read leaves memory as it was;
///   searches then say it is stale.
///
/// The background check's index writes go through `Catalog.writeIndex` fenced by the epoch of the
/// `index-refresh` lease when this replica holds it (`LeaderLease`).
struct IndexRefresh: Service {
    let backend: CatalogBackend
    let interval: Double
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await checkLoop() }
                group.addTask { await watchLoop() }
            }
        }
    }

    /// The background check, at once at start and then every half interval.
    func checkLoop() async {
        let period = Duration.seconds(interval / 2)
        // Ask for the lease before the first check, so a replica alone reads what changed at once.
        let lease = backend.indexRefreshLease
        let catalog = backend.catalog
        _ = await OwnThread.run { lease.renew(catalog) }
        while !Task.isCancelled {
            let started = ContinuousClock.now
            await check()
            let rest = period - (ContinuousClock.now - started)
            if rest > .zero { try? await Task.sleep(for: rest) }
        }
    }

    /// One background check.
    func check() async {
        var unpooled = backend.fanOutOptions
        // Projects that changed are read on connections of their own, closed when read: between
        // checks a server holds only the revision query's one connection for this.
        unpooled.pool = nil
        let options = unpooled
        let memory = backend.memory
        // Only the replica that holds the index-refresh lease reads and writes what changed.
        let role: Catalog.RefreshRole = backend.indexRefreshLease.epoch().map { .leader(epoch: $0) } ?? .follower
        let started = ContinuousClock.now
        do {
            try await backend.blocking { catalog in try catalog.refresh(memory, options: options, role: role) }
            let took = ContinuousClock.now - started
            logger.debug(
                "background index check", metadata: ["ms": "\(took.components.seconds * 1000 + took.components.attoseconds / 1_000_000_000_000_000)"])
        } catch {
            logger.warning("the background index check failed", metadata: ["error": "\(error)"])
        }
    }

    /// Polls the store's change version every `min(interval, 1 s)`, or at once when a PostgreSQL
    /// store announces a write (LISTEN, on a thread of its own); reloads memory when the version
    /// moved, or while the store could not be read.
    func watchLoop() async {
        let memory = backend.memory
        let wait = min(interval, 1)
        while !Task.isCancelled {
            let heard = try? await backend.blocking { catalog in try catalog.waitForChange(timeout: wait) }
            if heard == nil { try? await Task.sleep(for: .seconds(wait)) }
            if Task.isCancelled { break }
            let held = memory.snapshot
            guard held.isLoaded else { continue }
            do {
                try await backend.blocking { catalog in
                    // A version that cannot be read is a reload that fails, and records why.
                    if held.registryProblem == nil, let version = try? catalog.changeVersion(), version == held.changeVersion { return }
                    try catalog.reload(memory)
                }
            } catch {
                logger.warning("cannot read the store; searches answer from memory, marked stale", metadata: ["error": "\(error)"])
            }
        }
    }
}
