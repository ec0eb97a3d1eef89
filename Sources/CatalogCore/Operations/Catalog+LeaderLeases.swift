import CatalogStore
import Foundation

/// Named leader leases (`scheduler`, `index-refresh`): one replica at a time holds each until it
/// expires, and every new holder gets a larger epoch, the fencing token its job's writes carry.
extension Catalog {
    /// The lease the background index refresh holds.
    public static let indexRefreshLease = "index-refresh"

    /// Takes or renews the lease `name` for `holder`; its epoch, or nil while another replica holds it.
    public func acquireLease(named name: String, holder: String, seconds: Double, now: Date = Date()) throws -> Int64? {
        do { return try store.acquireLease(named: name, holder: holder, seconds: seconds, at: now) } catch { throw CatalogError.wrap(error) }
    }

    /// Gives the lease up, so another replica takes over at once.
    public func releaseLease(named name: String, holder: String) throws {
        do { try store.releaseLease(named: name, holder: holder) } catch { throw CatalogError.wrap(error) }
    }

    /// Writes index updates only while this replica's `index-refresh` lease still has `epoch`; false
    /// (nothing written) when another replica took the lease over.
    public func applyIndexUpdates(_ updates: [IndexUpdate], fencedBy epoch: Int64, now: Date = Date()) throws -> Bool {
        guard !updates.isEmpty else { return true }
        do {
            return try store.applyIndexUpdates(updates, at: now, lease: Self.indexRefreshLease, epoch: epoch)
        } catch { throw CatalogError.wrap(error) }
    }
}
