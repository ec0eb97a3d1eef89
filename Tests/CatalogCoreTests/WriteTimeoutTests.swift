import CatalogCore
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

/// `--timeout` bounds every project's whole conversation on the write paths too: a project whose
/// `_metadata` is locked by another session times out, names the lock, and the others finish.
@Suite("write timeouts")
struct WriteTimeoutTests {
    /// Three projects, `shop` locked by another session's open transaction until `body` returns.
    static func withLockedShop(_ body: (SampleFleet, Int32) throws -> Void) throws {
        let fleet = try SampleFleet.make(["crm", "saas", "shop"])
        let holder = try fleet.connect("shop")
        try holder.execute(script: "BEGIN; LOCK TABLE _metadata.mappings_column IN ACCESS EXCLUSIVE MODE")
        defer { try? holder.execute(script: "ROLLBACK") }
        // Without a working timeout the command would wait for ever; end the lock after 8 s so such a
        // failure shows as failed expectations rather than a hung test run.
        let pid = holder.backendPID
        let cluster = fleet.cluster
        Thread {
            sleep(8)
            _ = try? cluster.connect().query("SELECT pg_terminate_backend($1::int)", [Int(pid)])
        }.start()
        try body(fleet, holder.backendPID)
    }

    @Test("metadata scan: the locked project times out naming the lock; the other two finish")
    func scanTimesOutOnALock() throws {
        try Self.withLockedShop { fleet, holder in
            let start = Date()
            let results = try fleet.catalog.scanMetadata(.everything, options: FanOutOptions(timeout: 2))
            let elapsed = Date().timeIntervalSince(start)
            let byName = Dictionary(uniqueKeysWithValues: results.map { ($0.project, $0.outcome) })
            #expect(byName["crm"] == .ok)
            #expect(byName["saas"] == .ok)
            let shop = try #require(byName["shop"])
            #expect(shop.label == "timed_out")
            let reason = shop.message ?? ""
            #expect(shop.remedy == .endSessionOrRaiseTimeout)
            #expect(reason.contains("_metadata.mappings_column"), "\(reason)")
            #expect(reason.contains("AccessShareLock") || reason.contains("RowExclusiveLock"), "\(reason)")
            #expect(reason.contains("held by the session with pid \(holder)"), "\(reason)")
            #expect(elapsed < 2 + 2, "took \(elapsed) s")
        }
    }

    @Test("catalog metadata scan --timeout 2 exits 1 within the bound and says which lock")
    func cliExitStatus() throws {
        try Self.withLockedShop { fleet, _ in
            let start = Date()
            let run = try CLIRun.run(["metadata", "scan", "--all", "--timeout", "2"], store: fleet.storePath)
            let elapsed = Date().timeIntervalSince(start)
            #expect(run.status == 1, "\(run.output)")
            #expect(run.output.contains("shop"))
            #expect(run.output.contains("_metadata.mappings_column"), "\(run.output)")
            #expect(elapsed < 2 + 2 + 1, "took \(elapsed) s")
        }
    }
}
