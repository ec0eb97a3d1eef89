import CatalogCore
import Foundation
import Synchronization

/// One named leader lease as this replica sees it (`scheduler`, `index-refresh`): whether this replica
/// leads, and with which epoch, the fencing token the leader's writes carry.
///
/// `LeaderLeaseService` renews it every third of its length. This replica counts itself leader only
/// until its last successful renewal, timed from before the call, runs out, so it stops leading no
/// later than the store's row lets another replica take over.
final class LeaderLease: Sendable {
    /// The lease's name in the store.
    let name: String
    /// Who this replica is in the lease row: its replica name, process and a random part.
    let holder: String
    /// How long one renewal lasts.
    let seconds: Double
    private let state = Mutex<(epoch: Int64?, until: Double)>((nil, 0))

    init(name: String, replica: String, seconds: Double) {
        self.name = name
        self.seconds = seconds
        holder = "\(replica):\(getpid()):\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// The epoch while this replica leads, else nil.
    func epoch(now: Date = Date()) -> Int64? {
        state.withLock { state in now.timeIntervalSince1970 < state.until ? state.epoch : nil }
    }

    /// True while this replica leads.
    var isLeader: Bool { epoch() != nil }

    /// Takes or renews the lease in the store (blocking: call it on a thread of catalog's own); returns
    /// the epoch when this replica leads. A store that cannot be reached ends the leadership.
    @discardableResult
    func renew(_ catalog: Catalog, now: Date = Date()) -> Int64? {
        let acquired = try? catalog.acquireLease(named: name, holder: holder, seconds: seconds, now: now)
        let epoch = acquired ?? nil
        state.withLock { state in
            state = epoch.map { ($0, now.timeIntervalSince1970 + seconds) } ?? (nil, 0)
        }
        return epoch
    }

    /// Gives the lease up (shutdown), so another replica takes over at once.
    func release(_ catalog: Catalog) {
        state.withLock { $0 = (nil, 0) }
        try? catalog.releaseLease(named: name, holder: holder)
    }
}
