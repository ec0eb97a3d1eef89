import CatalogCore
import CatalogStore
import CatalogTestSupport
import Foundation
import Testing

@Suite("catalog store copy")
struct StoreCopyCLITests {
    @Test("store copy fills an empty registry, says the counts match, and refuses a second copy in one line")
    func copyAndRefuse() throws {
        let path = try TestWorkspace.temporaryDirectory().appendingPathComponent("catalog.sqlite").path
        let add = try CLIRun.run(["project", "add", "billing", "--dsn", "host=pg1 dbname=billing"], store: path)
        #expect(add.status == 0, "\(add.output)")
        let registry = try TestWorkspace.database(prefix: "registry").url
        let home = try TestWorkspace.temporaryDirectory().path
        let copy = try CLIRun.run(["store", "copy", "--from", path, "--to", registry], environment: ["HOME": home])
        #expect(copy.status == 0, "\(copy.output)")
        let rows = copy.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.contains(["project", "1", "1"]))
        #expect(rows.contains(["audit_log", "1", "1"]))
        #expect(copy.stdout.contains("every table's row count matches"))
        #expect(!copy.output.contains(try TestWorkspace.cluster().password))

        let list = try CLIRun.run(["project", "list", "--format", "csv"], store: registry, environment: ["HOME": home])
        #expect(list.status == 0, "\(list.output)")
        #expect(list.stdout.contains("billing"))

        let again = try CLIRun.run(["store", "copy", "--from", path, "--to", registry], environment: ["HOME": home])
        #expect(again.status == 2)
        #expect(again.stdout.isEmpty)
        #expect(again.stderr.contains("is not empty"))
        #expect(again.stderr.split(separator: "\n").count == 1)
        #expect(!again.stderr.contains(try TestWorkspace.cluster().password))
    }
}
