import CatalogTestSupport
import Foundation
import Testing

@testable import CatalogCore

@Suite("Bundles: foreign-data-wrapper user mappings")
struct BundleUserMappingTests {
    static let secret = "fdw-secret-4711"

    @Test("a database with a user mapping is refused unless --include-user-mappings, so its password never lands in a bundle by default")
    func userMappingsRefused() throws {
        let source = try BundleTestSupport.source()
        let connection = try TestWorkspace.cluster().connect(database: source.database)
        try connection.execute(
            script: """
                CREATE EXTENSION postgres_fdw;
                CREATE SERVER billing_remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db.internal.example', dbname 'billing');
                CREATE USER MAPPING FOR postgres SERVER billing_remote OPTIONS (user 'app', password '\(Self.secret)');
                """)
        let directory = try TestWorkspace.temporaryDirectory()
        let path = directory.appendingPathComponent("saas.catalog").path
        #expect {
            try source.catalog.export(project: "saas", to: path, options: BundleTestSupport.exportOptions())
        } throws: { error in
            "\(error)".contains("1 foreign-data-wrapper user mapping(s) (server billing_remote for postgres)")
                && (error as? CatalogError)?.remedy == .dropOrIncludeUserMappings && !"\(error)".contains("--") && !"\(error)".contains(Self.secret)
        }
        let run = try CLIRun.run(["export", "saas", "-o", path], store: source.catalog.store.location.path)
        #expect(run.status == 2 && run.stderr.contains("--include-user-mappings") && !run.output.contains(Self.secret), "\(run.status) \(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
        #expect(try source.catalog.store.exports().isEmpty)

        // Asked for, the mappings go in, and the manifest says so.
        var options = try BundleTestSupport.exportOptions()
        options.includeUserMappings = true
        #expect(try source.catalog.export(project: "saas", to: path, options: options).manifest.userMappings == "included")

        // Without mappings the export goes ahead, and the manifest records that they would have been refused.
        try connection.execute(script: "DROP USER MAPPING FOR postgres SERVER billing_remote")
        let clean = directory.appendingPathComponent("clean.catalog").path
        let result = try source.catalog.export(project: "saas", to: clean, options: BundleTestSupport.exportOptions())
        #expect(result.manifest.userMappings == "refused")
        for (name, data) in try BundleTestSupport.entries(clean) {
            #expect(!String(decoding: data, as: UTF8.self).contains(Self.secret), "\(name)")
        }
    }
}
