import CatalogCore
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@Suite("catalog generate")
struct GenerateCLITests {
    /// The billing fixture with its human fields.
    static func billing() throws -> SampleFleet {
        let fleet = try SampleFleet.make(["billing"])
        try fleet.connect("billing").execute(script: try String(contentsOf: Fixtures.url("codegen/billing-metadata.sql"), encoding: .utf8))
        return fleet
    }

    @Test("the output for the billing fixture is pinned, warnings go to stderr, and the exit status is 0")
    func goldenOutputs() throws {
        let fleet = try Self.billing()
        let files = [
            CodegenFormat.graphql: "billing.graphql", .typescript: "billing.ts", .jsonschema: "billing.schema.json", .openapi: "billing.openapi.yaml",
        ]
        for (format, file) in files.sorted(by: { $0.value < $1.value }) {
            let run = try CLIRun.run(["generate", format.rawValue, "--project", "billing"], store: fleet.storePath)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(try Golden.matches(run.stdout, "codegen/\(file)"))
            #expect(run.stderr.contains("warning: public.customers.name: validation rule \"x-widget\" has no JSON Schema keyword"))
            let again = try CLIRun.run(["generate", format.rawValue, "--project", "billing"], store: fleet.storePath)
            #expect(again.stdout == run.stdout)
            let cached = try CLIRun.run(["generate", format.rawValue, "--project", "billing", "--cached"], store: fleet.storePath)
            #expect(cached.status == 0, "\(cached.stderr)")
        }
    }

    @Test("--out writes each file atomically beside foreign files; --check exits 0 when fresh and 1 when stale")
    func outAndCheck() throws {
        let fleet = try Self.billing()
        let directory = try TestWorkspace.temporaryDirectory().appendingPathComponent("schemas")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let foreign = directory.appendingPathComponent("README.md")
        try Data("mine\n".utf8).write(to: foreign)
        let check = ["generate", "jsonschema", "--project", "billing", "--out", directory.path, "--check"]
        let missing = try CLIRun.run(check, store: fleet.storePath)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("stale in \(directory.path): ArchiveInvoices.json, Customer.json"))
        let written = try CLIRun.run(["generate", "jsonschema", "--project", "billing", "--out", directory.path], store: fleet.storePath)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout == "wrote 6 file(s) to \(directory.path)\n")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(
            names == [
                "ArchiveInvoices.json", "Customer.json", "Invoices.json", "OpenInvoices.json", "Payments.json", "README.md", "RevenueByMonth.json",
            ])
        #expect(try String(contentsOf: foreign, encoding: .utf8) == "mine\n")
        let fresh = try CLIRun.run(check, store: fleet.storePath)
        #expect(fresh.status == 0, "\(fresh.stderr)")
        try fleet.connect("billing").execute(
            script: "UPDATE _metadata.mappings_table SET label = 'Clients' WHERE table_name = 'customers'")
        let stale = try CLIRun.run(check, store: fleet.storePath)
        #expect(stale.status == 1)
        #expect(
            stale.stderr.hasSuffix(
                "stale in \(directory.path): Customer.json; run 'catalog generate jsonschema --project billing --out \(directory.path)'\n"))
    }

    @Test("bad input exits 2 with one line and writes nothing")
    func badInput() throws {
        let fleet = try Self.billing()
        let bare = try TestWorkspace.database(script: "CREATE TABLE t (id int);", on: fleet.cluster)
        try fleet.catalog.addProject(name: "bare", dsn: bare.url)
        let scratch = try TestWorkspace.temporaryDirectory()
        let out = scratch.appendingPathComponent("out").path
        let file = scratch.appendingPathComponent("file.txt")
        try Data().write(to: file)
        let cases: [([String], String)] = [
            (["generate", "graphql", "--project", "nope"], "project \"nope\" is not registered"),
            (["generate", "graphql", "--project", "bare", "--out", out], "project \"bare\" has no _metadata schema"),
            (["generate", "typescript", "--project", "billing", "--out", file.path], "is a regular file, not a directory"),
            (["generate", "typescript", "--project", "billing", "--out", file.path + "/sub"], "cannot create the directory"),
        ]
        for (arguments, expected) in cases {
            let run = try CLIRun.run(arguments, store: fleet.storePath)
            #expect(run.status == 2, "\(arguments): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.contains(expected), "\(run.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
        let connection = try fleet.connect("billing")
        try connection.execute(
            script: "UPDATE _metadata.mappings_table SET graphql_type = 'Bad Name' WHERE pg_schema = 'public' AND table_name = 'invoices'")
        let badType = try CLIRun.run(["generate", "graphql", "--project", "billing"], store: fleet.storePath)
        #expect(badType.status == 2)
        #expect(
            badType.stderr.hasPrefix(
                "error: graphql_type \"Bad Name\" of public.invoices is not a valid GraphQL name (letters, digits and _, not starting with a digit or __); fix that row of _metadata.mappings_table"
            ), "\(badType.stderr)")
        try connection.execute(
            script: """
                UPDATE _metadata.mappings_table SET graphql_type = NULL WHERE table_name = 'invoices';
                ALTER TABLE _metadata.mappings_column DROP CONSTRAINT mappings_column_validation_rules_check;
                UPDATE _metadata.mappings_column SET validation_rules = '"max 5"' WHERE pg_column = 'reminders';
                """)
        let badRules = try CLIRun.run(["generate", "openapi", "--project", "billing"], store: fleet.storePath)
        #expect(badRules.status == 2)
        #expect(badRules.stderr.contains("validation_rules of public.invoices.reminders is not a JSON object"), "\(badRules.stderr)")
        #expect(badRules.stdout.isEmpty)
    }
}
