import CatalogCore
import CatalogStore
import CatalogTestSupport
import Foundation
import Testing

@Suite("catalog lint on the command line")
struct LintCLITests {
    /// The divergent fixture fleet in a fresh store, and its config written to a file.
    static func fleet() throws -> (store: String, config: String, directory: URL) {
        let directory = try TestWorkspace.temporaryDirectory()
        let store = directory.appendingPathComponent("catalog.sqlite").path
        try LintFleet.make(at: store, divergent: true)
        let config = directory.appendingPathComponent("catalog-lint.yaml").path
        try LintFleet.configYAML.write(toFile: config, atomically: true, encoding: .utf8)
        return (store, config, directory)
    }

    /// The divergent fleet in a store of `kind`: built in SQLite and, for PostgreSQL, copied into a
    /// new registry with `store copy`'s library call.
    static func fleet(on kind: StoreKind) throws -> (store: TestStore, config: String, directory: URL) {
        let (path, config, directory) = try fleet()
        if kind == .sqlite { return (TestStore(sqlite: path), config, directory) }
        let store = try TestStore.make(kind)
        _ = try StoreCopy.run(from: StoreLocation(path: path, isExplicit: true), to: store.location)
        return (store, config, directory)
    }

    @Test("table, JSON and SARIF outputs are pinned on both stores; SARIF passes the SARIF 2.1.0 schema", arguments: StoreKind.allCases)
    func outputsArePinned(_ kind: StoreKind) throws {
        let (store, config, directory) = try Self.fleet(on: kind)
        let table = try store.run(["lint", "--config", config])
        #expect(table.status == 1, "errors were found")
        #expect(try Golden.matches(table.stdout, "format/lint.txt"))
        #expect(table.stderr.contains("answered from the local index for 20 project(s)"))
        #expect(table.stderr.contains("finding(s) at or above error"))
        let json = try store.run(["lint", "--config", config, "--format", "json"])
        #expect(try Golden.matches(json.stdout, "format/lint.json"))
        let sarif = try store.run(["lint", "--config", config, "--format", "sarif"])
        #expect(try Golden.matches(sarif.stdout, "format/lint.sarif"))
        #expect(!(table.output + json.output + sarif.output).contains(try TestWorkspace.cluster().password))
        let file = directory.appendingPathComponent("lint.sarif")
        try sarif.stdout.write(to: file, atomically: true, encoding: .utf8)
        let check = try ChildRun.python(
            """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            document = json.load(open(sys.argv[2]))
            jsonschema.Draft4Validator.check_schema(schema)
            jsonschema.Draft4Validator(schema).validate(document)
            results = document["runs"][0]["results"]
            assert results and all(r["partialFingerprints"]["catalogLint/v1"] for r in results)
            print("valid", len(results))
            """, arguments: [Fixtures.url("sarif/sarif-schema-2.1.0.json").path, file.path])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.hasPrefix("valid "))
    }

    @Test("--fail-on and baselines decide the exit status")
    func exitStatus() throws {
        let (store, config, directory) = try Self.fleet()
        let baseline = directory.appendingPathComponent("lint-baseline.json").path
        #expect(try CLIRun.run(["lint", "--config", config, "--tag", "eu", "--fail-on", "error"], store: store).status == 1)
        let written = try CLIRun.run(["lint", "--config", config, "--write-baseline", baseline], store: store)
        #expect(written.status == 0)
        #expect(written.stderr.contains("to the baseline"))
        let accepted = try CLIRun.run(["lint", "--config", config, "--baseline", baseline, "--fail-on", "info"], store: store)
        #expect(accepted.status == 0)
        #expect(accepted.stdout.contains("no findings in 22 project(s)"))
        // Written again over itself: a baseline may replace a baseline.
        #expect(try CLIRun.run(["lint", "--config", config, "--write-baseline", baseline], store: store).status == 0)
        // Only naming and unused-suppression findings left on: warnings fail at warning, not at error.
        let quiet = directory.appendingPathComponent("quiet.yaml").path
        try """
        rules: {type-mismatch: off, nullability-mismatch: off, shared-divergence: off, shared-candidate: off, missing-metadata: off}
        naming: {case: snake_case}
        """.write(toFile: quiet, atomically: true, encoding: .utf8)
        #expect(try CLIRun.run(["lint", "--config", quiet], store: store).status == 0)
        #expect(try CLIRun.run(["lint", "--config", quiet, "--fail-on", "warning"], store: store).status == 1)
        // --rule runs only the rules named: the type mismatches are errors, the naming findings warnings.
        #expect(try CLIRun.run(["lint", "--config", config, "--rule", "naming"], store: store).status == 0)
        let types = try CLIRun.run(["lint", "--config", config, "--rule", "type-mismatch"], store: store)
        #expect(types.status == 1)
        #expect(types.stdout.hasPrefix("type-mismatch:") && !types.stdout.contains("\nnaming:"), "\(types.stdout)")
        let explained = try CLIRun.run(["lint", "--explain", "shared-candidate"], store: store)
        #expect(explained.status == 0)
        #expect(explained.stdout.hasPrefix("shared-candidate (default severity: warning)"))
    }

    @Test("bad input gets one line and exit 2")
    func badInput() throws {
        let (store, config, directory) = try Self.fleet()
        func write(_ name: String, _ text: String) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let cases: [([String], String)] = [
            (["--config", try write("bad.yaml", "rules: [unclosed")], "not valid YAML"),
            (["--config", try write("rule.yaml", "rules:\n  no-such-rule: error\n")], "unknown lint rule \"no-such-rule\""),
            (["--config", try write("regex.yaml", "naming:\n  forbidden: [\"(x\"]\n")], "does not compile"),
            (["--explain", "no-such-rule"], "unknown lint rule"),
            (["--rule", "no-such-rule"], "unknown lint rule \"no-such-rule\""),
            (["--baseline", try write("sarif.json", #"{"version": "2.1.0", "runs": []}"#)], "not a catalog lint baseline"),
            (["--baseline", try write("newer.json", #"{"format": "catalog-lint-baseline", "version": 2, "findings": []}"#)], "newer"),
            (["--fail-on", "fatal"], "--fail-on \"fatal\" is not a severity"),
            (["--write-baseline", config], "is not a catalog lint baseline, so it will not be replaced"),
            (["--config", directory.appendingPathComponent("missing.yaml").path], "cannot read the lint config"),
        ]
        for (arguments, message) in cases {
            let run = try CLIRun.run(["lint"] + arguments, store: store)
            #expect(run.status == 2, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
        #expect(try String(contentsOfFile: config, encoding: .utf8) == LintFleet.configYAML, "the config was not overwritten")

        // catalog serve reads its --lint-config at start: a bad one stops it with one line, before it writes a token file.
        let serveStore = directory.appendingPathComponent("serve.sqlite").path
        let serve = try CLIRun.run(["serve", "--port", "0", "--lint-config", try write("serve.yaml", "rules: [unclosed")], store: serveStore)
        #expect(serve.status == 64, "\(serve.stderr)")
        #expect(serve.stderr.contains("not valid YAML") && serve.stderr.split(separator: "\n").count == 1, "\(serve.stderr)")
        #expect(!FileManager.default.fileExists(atPath: serveStore + ".serve-token"))
    }
}

/// Runs python3 with a script, for checks done with PyPI tools (scripts/bootstrap installs them).
enum ChildRun {
    static func python(_ script: String, arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}
