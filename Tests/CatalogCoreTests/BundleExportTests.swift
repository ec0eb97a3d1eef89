import CatalogSupport
import CatalogTestSupport
import Foundation
import Testing

@testable import CatalogCore

@Suite("Bundles: export")
struct BundleExportTests {
    @Test("the bundle holds a manifest, the schema, the data, _metadata and the shared versions used, all checked")
    func contents() throws {
        let source = try BundleTestSupport.source()
        let bundle = try BundleTestSupport.export(source)
        #expect(
            try BundleTestSupport.entryNames(bundle).sorted() == [
                "database.dump", "manifest.json", "metadata.jsonl", "schema.sql",
                "shared/permissions/1.json", "shared/users/1.json", "shared/users/2.json",
            ])
        let manifest = try Catalog.inspectBundle(bundle)
        #expect(manifest.format == "catalog-bundle" && manifest.formatVersion == 1 && manifest.catalogVersion == "test")
        #expect(manifest.project == "saas" && !manifest.metadataOnly && manifest.source.database == source.database)
        #expect(manifest.source.serverVersion.hasPrefix("15") && manifest.metadataVersion == MetadataSchema.latestVersion)
        let counts = Dictionary(uniqueKeysWithValues: manifest.tables.map { ($0.qualifiedName, $0.rows) })
        // Partitioned tables hold no rows of their own: their partitions are counted.
        let live = try BackupTestSupport.rowCounts(source.database).filter { $0.key != "public.audit_logs" }
        #expect(counts == live)
        #expect(counts["public.users"] == 3 && counts["public.audit_logs_2026_h1"] == 1)
        #expect(manifest.objects["view"] == 1 && manifest.objects["partition"] == 2 && manifest.objects["sequence"] ?? 0 >= 3)
        #expect(
            manifest.shared.map { "\($0.name) \($0.versions.map(\.version)) \($0.syncedVersion ?? 0)" } == ["permissions [1] 1", "users [1, 2] 2"])

        // Every file's size and SHA-256, computed with sha256sum from what unzip unpacks.
        let entries = try BundleTestSupport.entries(bundle)
        for file in manifest.files {
            let data = try #require(entries[file.path])
            #expect(Int64(data.count) == file.size)
            #expect(try BackupTestSupport.sha256(of: data) == file.sha256, "\(file.path)")
        }
        let schema = String(decoding: try #require(entries["schema.sql"]), as: UTF8.self)
        #expect(schema.contains("CREATE TABLE public.users") && schema.contains("PARTITION BY RANGE"))
        let metadataLines = String(decoding: try #require(entries["metadata.jsonl"]), as: UTF8.self).split(separator: "\n")
        #expect(metadataLines.count == manifest.metadataTables.reduce(0) { $0 + $1.rows })

        // Recorded in the store's history, private on disk, and nothing left beside it.
        let record = try #require(try source.catalog.store.exports(project: "saas").first)
        let digest = try BackupTestSupport.sha256(ofFile: bundle)
        #expect(record.file == bundle && record.sha256 == digest && !record.metadataOnly)
        let attributes = try FileManager.default.attributesOfItem(atPath: bundle)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: (bundle as NSString).deletingLastPathComponent) == ["saas.catalog"])
        #expect(try source.catalog.store.auditLog().first?.action == "bundle.export")
    }

    @Test("rows written while the export runs never make it inconsistent: counts, dumps and _metadata share one snapshot")
    func oneSnapshot() throws {
        let source = try BundleTestSupport.source()
        let writer = BackgroundWriter(database: source.database)
        writer.start()
        let bundle = try BundleTestSupport.export(source)
        let written = writer.stop()
        #expect(written > 0)
        let result = try BundleTestSupport.importBundle(
            bundle, into: TestEnvironment.catalog(),
            BundleTestSupport.request(BundleTestSupport.newDatabaseName()))
        #expect(result.verification.isOK, "\(result.verification.problems)")
    }

    @Test("no password and no connection string goes into any entry of the bundle")
    func noSecrets() throws {
        let source = try BundleTestSupport.source()
        let bundle = try BundleTestSupport.export(source)
        let cluster = try TestWorkspace.cluster()
        let secrets = [cluster.password, "postgresql://", "127.0.0.1:\(cluster.port)", "password"]
        var haystacks = try BundleTestSupport.entries(bundle)
        haystacks["(the bundle file)"] = try Data(contentsOf: URL(fileURLWithPath: bundle))
        for (name, data) in haystacks {
            for secret in secrets {
                #expect(data.firstRange(of: Data(secret.utf8)) == nil, "\(name) contains \(secret)")
            }
        }
    }

    @Test("--metadata-only keeps the schema and _metadata, and no other data")
    func metadataOnly() throws {
        let source = try BundleTestSupport.source()
        let bundle = try BundleTestSupport.export(source, metadataOnly: true)
        let manifest = try Catalog.inspectBundle(bundle)
        #expect(manifest.metadataOnly && manifest.tables.first { $0.qualifiedName == "public.users" }?.rows == 3)

        let target = try TestEnvironment.catalog()
        let database = BundleTestSupport.newDatabaseName()
        let result = try BundleTestSupport.importBundle(bundle, into: target, BundleTestSupport.request(database))
        #expect(result.verification.isOK)
        #expect(result.verification.checks.allSatisfy { $0.object.hasPrefix("_metadata.") })
        let cluster = try TestWorkspace.cluster()
        let counts = try BundleTestSupport.rowCounts(database, cluster: cluster)
        #expect(counts["public.users"] == 0 && counts["public.jobs"] == 0 && counts["_metadata.mappings_table"] ?? 0 > 0)
        #expect(try BundleTestSupport.metadataRows(database, cluster: cluster) == BundleTestSupport.metadataRows(source.database, cluster: cluster))
        #expect(try target.store.exports().isEmpty && source.catalog.store.exports().first?.metadataOnly == true)
    }

    @Test("an export that fails leaves no file behind, and an existing file is kept unless --overwrite")
    func failures() throws {
        let source = try BundleTestSupport.source()
        let directory = try TestWorkspace.temporaryDirectory()
        try source.catalog.addProject(name: "down", dsn: "postgresql://nobody@127.0.0.1:\(try TemporaryCluster.freePort())/gone")
        let path = directory.appendingPathComponent("down.catalog").path
        #expect(throws: CatalogError.self) {
            try source.catalog.export(project: "down", to: path, options: BundleTestSupport.exportOptions())
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)

        let existing = directory.appendingPathComponent("saas.catalog").path
        try "keep me".write(toFile: existing, atomically: true, encoding: .utf8)
        #expect {
            try source.catalog.export(project: "saas", to: existing, options: BundleTestSupport.exportOptions())
        } throws: { error in
            "\(error)".contains("already exists") && (error as? CatalogError)?.remedy == .chooseAnotherOutputOrOverwrite
        }
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")
        var options = try BundleTestSupport.exportOptions()
        options.overwrite = true
        #expect {
            try source.catalog.export(project: "saas", to: existing, options: options)
        } throws: { error in
            "\(error)".contains("is not a catalog bundle, so it will not be replaced")
        }
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")
        try FileManager.default.removeItem(atPath: existing)
        let first = try source.catalog.export(project: "saas", to: existing, options: BundleTestSupport.exportOptions())
        _ = try source.catalog.export(project: "saas", to: existing, options: options)
        #expect(try Catalog.inspectBundle(existing).project == "saas")
        #expect(try BackupTestSupport.sha256(ofFile: existing) != first.record.sha256)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["saas.catalog"])
    }

    @Test("a killed export leaves no bundle, and the next export removes what it left")
    func killed() throws {
        let source = try BundleTestSupport.source(setup: BackupTestSupport.bulkScript(rows: 300_000))
        let directory = try TestWorkspace.temporaryDirectory()
        let path = directory.appendingPathComponent("saas.catalog").path
        let command = [CLIRun.binary, "export", "saas", "-o", path, "--store", source.catalog.store.location.path].map { "'\($0)'" }.joined(
            separator: " ")
        let started = try ChildProcess(
            "/bin/sh", ["-c", "\(command) >/dev/null 2>&1 & echo $!"],
            environment: ["PG_BINDIR": try TestWorkspace.cluster().binDirectory]
        ).run()
        let pid = try #require(Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let parts = { try FileManager.default.contentsOfDirectory(atPath: directory.path) }
        // Killed as soon as the export starts writing, long before it could finish.
        try TestWorkspace.wait(upTo: 30, every: 0.002) { try !parts().isEmpty }
        kill(pid, SIGKILL)
        TestWorkspace.wait(upTo: 5) { kill(pid, 0) != 0 }  // until it is gone and reaped
        let left = try parts()
        #expect(!left.isEmpty && !left.contains("saas.catalog") && left.allSatisfy { $0.hasPrefix(".saas.catalog.\(pid)-") })

        _ = try source.catalog.export(project: "saas", to: path, options: BundleTestSupport.exportOptions())
        #expect(try parts() == ["saas.catalog"])
        #expect(try Catalog.inspectBundle(path).tables.first { $0.name == "bulk" }?.rows == 300_000)
    }

    @Test("the CLI exports, and bundle inspect shows the manifest with every file checked")
    func cli() throws {
        let source = try BundleTestSupport.source()
        let store = source.catalog.store.location.path
        let path = try TestWorkspace.temporaryDirectory().appendingPathComponent("saas.catalog").path
        let export = try CLIRun.run(
            ["export", "saas", "-o", path], store: store,
            environment: ["PG_BINDIR": try TestWorkspace.cluster().binDirectory])
        #expect(export.status == 0, "\(export.output)")
        #expect(export.stdout.contains(path) && export.stderr.isEmpty)
        let inspect = try CLIRun.run(["bundle", "inspect", path])
        #expect(inspect.status == 0, "\(inspect.output)")
        #expect(inspect.stdout.contains("database.dump") && inspect.stdout.contains("users") && inspect.stdout.contains("ok"))
        let json = try CLIRun.run(["bundle", "inspect", path, "--format", "json"])
        #expect(try BundleManifest.decode(Data(json.stdout.utf8), file: path).project == "saas")
    }
}

/// Inserts jobs and edits a `_metadata` label in a loop on a thread of its own, until stopped.
private final class BackgroundWriter: @unchecked Sendable {
    let database: String
    private let lock = NSLock()
    private var running = true
    private var count = 0
    private let done = DispatchSemaphore(value: 0)

    init(database: String) { self.database = database }

    func start() {
        Thread {
            defer { self.done.signal() }
            guard let connection = try? TestWorkspace.cluster().connect(database: self.database) else { return }
            while self.lock.withLock({ self.running }) {
                try? connection.execute(
                    script: """
                        INSERT INTO jobs (kind) VALUES ('during_export');
                        UPDATE _metadata.mappings_table SET label = 'Jobs ' || clock_timestamp() WHERE table_name = 'jobs';
                        """)
                self.lock.withLock { self.count += 1 }
            }
        }.start()
    }

    /// Stops the loop and returns how many rounds it wrote.
    func stop() -> Int {
        lock.withLock { running = false }
        done.wait()
        return lock.withLock { count }
    }
}
