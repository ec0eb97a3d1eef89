import CatalogTestSupport
import Foundation
import Testing

@testable import CatalogCore

/// Every bad input is refused with a one-line message before the target or the store is touched.
@Suite("Bundles: bad input")
struct BundleBadInputTests {
    /// One exported bundle shared by the tests of this suite, which only read it.
    static let exported: Result<String, Error> = Result(catching: { try BundleTestSupport.export(BundleTestSupport.source()) })

    /// Tries `path` through inspect, through an import (checking the target and the store stay untouched) and
    /// through the CLI (exit status 2), and returns the message, which must be the same everywhere.
    func refused(_ path: String) throws -> String {
        let inspectError = #expect(throws: CatalogError.self) { try Catalog.inspectBundle(path) }
        let catalog = try TestEnvironment.catalog()
        let before = try BundleTestSupport.state(catalog)
        let database = BundleTestSupport.newDatabaseName()
        #expect(throws: CatalogError.self) {
            try BundleTestSupport.importBundle(path, into: catalog, BundleTestSupport.request(database))
        }
        #expect(try BundleTestSupport.state(catalog) == before)
        #expect(try BundleTestSupport.databases(startingWith: database).isEmpty)
        let run = try CLIRun.run(
            ["import", path, "--as", "copy", "--dsn", try TestWorkspace.cluster().url(database: database), "--create-database"],
            store: catalog.store.location.path)
        #expect(run.status == 2 && run.stdout.isEmpty)
        let message = inspectError?.message ?? ""
        // The CLI adds the advice the error's remedy carries; the library's message names no command.
        let advice = inspectError?.remedy == .giveABundle ? "; give a file written by 'catalog export'" : ""
        #expect(run.stderr == "error: \(message)\(advice)\n" && !message.contains("'catalog "))
        #expect(!message.contains("\n") && message.contains(path))
        return message
    }

    @Test("a truncated bundle")
    func truncated() throws {
        let message = try refused(BundleTestSupport.truncated(Self.exported.get()))
        #expect(message.contains("is truncated or damaged") && message.contains("copy the whole file again"))
    }

    @Test("a bundle with one byte flipped fails its checksum")
    func flipped() throws {
        let message = try refused(BundleTestSupport.flipped(Self.exported.get()))
        #expect(message.contains("is corrupted: the SHA-256 of database.dump does not match its manifest"))
    }

    @Test("a bundle from a newer format version")
    func newerFormat() throws {
        let newer = try BundleTestSupport.rewritten(Self.exported.get()) {
            $0.replacingOccurrences(of: "\"format_version\" : 1", with: "\"format_version\" : 2")
        }
        let message = try refused(newer)
        #expect(message.contains("was written by a newer catalog (bundle format 2; this catalog reads up to 1); upgrade catalog"))
    }

    @Test("a file that is not a bundle: not a ZIP archive, or a ZIP archive without a manifest")
    func notABundle() throws {
        let text = try TestWorkspace.temporaryDirectory().appendingPathComponent("notes.catalog").path
        try "just some text\n".write(toFile: text, atomically: true, encoding: .utf8)
        #expect(try refused(text).contains("is not a catalog bundle (not a ZIP archive)"))
        #expect(try refused(BundleTestSupport.plainZip()).contains("is a ZIP archive but not a catalog bundle (it has no manifest.json)"))
        let foreign = try BundleTestSupport.rewritten(Self.exported.get()) {
            $0.replacingOccurrences(of: "\"catalog-bundle\"", with: "\"something-else\"")
        }
        #expect(try refused(foreign).contains("is not a catalog bundle (its manifest.json is not a catalog manifest)"))
    }

    @Test("a manifest that no longer matches its files")
    func altered() throws {
        let edited = try BundleTestSupport.rewritten(Self.exported.get()) {
            $0.replacingOccurrences(of: "\"size\" : ", with: "\"size\" : 1")
        }
        #expect(try refused(edited).contains("is corrupted: the SHA-256 of"))
    }
}
