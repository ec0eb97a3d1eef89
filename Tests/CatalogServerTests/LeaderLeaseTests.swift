import CatalogCore
import CatalogStore
import CatalogTestSupport
import Foundation
import Testing

@testable import CatalogServer

/// `LeaderLease`, as two replicas on one registry see it: one leads at a time, with an epoch that
/// grows with every new leader, and a replica stops counting itself leader when its lease runs out.
@Suite struct LeaderLeaseTests {
    @Test("one replica leads a named lease at a time; a new leader gets a larger epoch")
    func oneLeaderAtATime() throws {
        let registry = try TestWorkspace.database(prefix: "registry").url
        let local = try TestWorkspace.temporaryDirectory().appendingPathComponent("registry").path
        let catalog = try Catalog(location: StoreLocation(registry: registry, localPath: local))
        let a = LeaderLease(name: Catalog.indexRefreshLease, replica: "a:8080", seconds: 5)
        let b = LeaderLease(name: Catalog.indexRefreshLease, replica: "b:8080", seconds: 5)
        let now = Date()
        #expect(a.renew(catalog, now: now) == 1)
        #expect(a.isLeader && a.epoch() == 1)
        #expect(b.renew(catalog, now: now) == nil)
        #expect(!b.isLeader)
        // A leader that stops renewing stops counting itself leader when its lease runs out.
        #expect(a.epoch(now: now.addingTimeInterval(4.9)) == 1)
        #expect(a.epoch(now: now.addingTimeInterval(5)) == nil)
        // Past the expiry another replica takes over with a larger epoch, and the old leader cannot come back.
        #expect(b.renew(catalog, now: now.addingTimeInterval(5.1)) == 2)
        #expect(a.renew(catalog, now: now.addingTimeInterval(5.2)) == nil)
        #expect(!a.isLeader)
        // The old epoch no longer writes the index; the new one does.
        try catalog.addProject(name: "one", dsn: "host=127.0.0.1 port=1 dbname=one")
        let update = IndexUpdate.replace(project: "one", revision: 1, incarnation: "1/one", metadataVersion: 2, tables: [], columns: [])
        #expect(try catalog.applyIndexUpdates([update], fencedBy: 1, now: now.addingTimeInterval(5.3)) == false)
        #expect(try catalog.applyIndexUpdates([update], fencedBy: 2, now: now.addingTimeInterval(5.3)))
        // A release hands over at once.
        b.release(catalog)
        #expect(!b.isLeader)
        #expect(a.renew(catalog, now: now.addingTimeInterval(5.4)) == 3)
    }
}
