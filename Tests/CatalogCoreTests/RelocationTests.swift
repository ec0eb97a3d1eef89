import CatalogSupport
import CatalogTestSupport
import Foundation
import Testing

@testable import CatalogCore

@Suite("Relocation: export on one cluster, import on another")
struct RelocationTests {
    @Test("export → import under a new name on a second cluster: identical schema, row counts and _metadata, and drift is clean")
    func relocate() throws {
        let source = try BundleTestSupport.source()
        let sourceCluster = try TestWorkspace.cluster()
        #expect(try !source.catalog.drift(ProjectSelection(names: ["saas"])).hasDrift)
        let bundle = try BundleTestSupport.export(source)

        let second = try TemporaryCluster()
        defer { second.stop() }
        let target = try TestEnvironment.catalog()
        let result = try BundleTestSupport.importBundle(bundle, into: target, BundleTestSupport.request("saas_moved", cluster: second, name: "moved"))
        #expect(result.plan.mode == .create)
        #expect(result.verification.isOK && !result.verification.checks.isEmpty)
        #expect(try BundleTestSupport.databases(startingWith: "saas_moved", cluster: second) == ["saas_moved"])

        // The schema, every table's rows and _metadata, row for row.
        #expect(
            try BundleTestSupport.schemaDump(source.database, cluster: sourceCluster)
                == BundleTestSupport.schemaDump("saas_moved", cluster: second))
        let counts = try BundleTestSupport.rowCounts(source.database, cluster: sourceCluster)
        #expect(counts["public.users"] == 3 && counts["public.audit_logs_2026_h2"] == 2)
        #expect(try BundleTestSupport.rowCounts("saas_moved", cluster: second) == counts)
        let metadata = try BundleTestSupport.metadataRows(source.database, cluster: sourceCluster)
        #expect(metadata["mappings_table"]?.isEmpty == false)
        #expect(try BundleTestSupport.metadataRows("saas_moved", cluster: second) == metadata)
        #expect(try BackupTestSupport.dataDigest(source.database) == dataDigest("saas_moved", cluster: second))

        // The target store has the same shared definitions, attached and synced, so drift is clean there.
        #expect(
            try target.store.sharedVersions().map { "\($0.name)@\($0.version) \($0.sha256)" }
                == source.catalog.store.sharedVersions().map { "\($0.name)@\($0.version) \($0.sha256)" })
        #expect(
            try target.store.attachments().map { "\($0.project) \($0.definition) \($0.syncedVersion ?? 0)" }
                == ["moved permissions 1", "moved users 2"])
        let drift = try target.drift(ProjectSelection(names: ["moved"]))
        #expect(!drift.hasDrift && drift.failures.isEmpty, "\(drift.items) \(drift.failures)")
        #expect(try target.project(named: "moved").dsn == second.url(database: "saas_moved"))
    }

    /// `pg_dump --data-only`'s SHA-256 on another cluster, without the random `\restrict` lines.
    private func dataDigest(_ database: String, cluster: TemporaryCluster) throws -> String {
        let dump = try ChildProcess(
            "\(cluster.binDirectory)/pg_dump",
            [
                "--data-only", "--no-password", "--dbname=postgresql://\(cluster.superuser)@127.0.0.1:\(cluster.port)/\(database)",
            ], environment: ["PGPASSWORD": cluster.password]
        ).run()
        let kept = dump.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("\\restrict") && !$0.hasPrefix("\\unrestrict") }
            .joined(separator: "\n")
        return try BackupTestSupport.sha256(of: Data(kept.utf8))
    }
}
