import CatalogCore
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CatalogCLI

/// `catalog describe` and `catalog metadata set|unset|edit` as users run them: outputs, exit
/// statuses, and every bad input with its one line and nothing written.
@Suite("Describe and curate from the command line")
struct CurationCLITests {
    static func revisions(_ fleet: SampleFleet) throws -> [String?] {
        try fleet.databases.keys.sorted().map { try fleet.connect($0).query("SELECT value FROM _metadata.revision").records.first?["value"] }
    }

    /// Runs `catalog` on the fleet's store and checks that the bad input changed nothing anywhere.
    static func refused(_ arguments: [String], _ fleet: SampleFleet, status: Int32, saying text: String, environment: [String: String] = [:]) throws {
        let before = try revisions(fleet)
        let run = try CLIRun.run(arguments, store: fleet.storePath, environment: environment)
        #expect(run.status == status, "\(run.output)")
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix("error: ") == true, "\(run.stderr)")
        #expect(run.stderr.contains(text), "\(run.stderr)")
        #expect(try revisions(fleet) == before)
    }

    /// A small editor: a shell script that runs `sed` with these expressions on the file.
    static func editor(_ expressions: [String]) throws -> String {
        let script = try TestWorkspace.temporaryDirectory().appendingPathComponent("editor.sh")
        let quoted = expressions.map { "-e '\($0)'" }.joined(separator: " ")
        try "#!/bin/sh\nsed -i \(quoted) \"$1\"\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return script.path
    }

    @Test(
        "--help texts are pinned",
        arguments: [
            ("describe.txt", ["describe"]), ("metadata-set.txt", ["metadata", "set"]), ("metadata-unset.txt", ["metadata", "unset"]),
            ("metadata-edit.txt", ["metadata", "edit"]),
        ])
    func helpIsPinned(file: String, path: [String]) throws {
        let command = try #require(CatalogCommand.commandType(for: path))
        #expect(try Golden.matches(CatalogCommand.helpMessage(for: command, columns: 100) + "\n", "help/\(file)"))
    }

    @Test("describe, a single set, and a fleet plan over the sample projects are pinned", arguments: StoreKind.allCases)
    func outputsArePinned(_ store: StoreKind) throws {
        let fleet = try SampleFleet.make(store: store)
        let set = try fleet.run([
            "metadata", "set", "saas", "public.users.email", "--label", "Email address", "--validation", #"{"format":"email","maxLength":254}"#,
        ])
        #expect(set.status == 0, "\(set.output)")
        #expect(try Golden.matches(set.stdout, "format/metadata-set.txt"))
        try fleet.connect("shop").query("UPDATE _metadata.mappings_column SET label = 'E-mail' WHERE pg_column = 'email'")
        let describe = try fleet.run(["describe", "saas", "public.users"])
        #expect(try Golden.matches(describe.stdout, "format/describe-relation.txt"))
        let json = try fleet.run(["describe", "saas", "public.users", "--format", "json"])
        #expect(try Golden.matches(json.stdout, "format/describe-relation.json"))
        let yaml = try fleet.run(["describe", "saas", "public.users", "--format", "yaml", "--cached"])
        #expect(yaml.stdout.contains("  label: Email address\n") && yaml.stdout.hasPrefix("project: saas\n"))
        let project = try fleet.run(["describe", "crm"])
        #expect(try Golden.matches(project.stdout, "format/describe-project.txt"))
        let plan = try fleet.run(["metadata", "set", "--all", "--column", "email", "--label", "Email address", "--plan"])
        #expect(plan.status == 1, "a conflict is left alone: \(plan.output)")
        #expect(try Golden.matches(plan.stdout, "format/metadata-plan.txt"))
        let hash = try #require(plan.stdout.split(separator: "\n").last.map(String.init))
        #expect(hash.range(of: "^plan [0-9a-f]{16}$", options: .regularExpression) != nil)
        let applied = try fleet.run([
            "metadata", "set", "--all", "--column", "email", "--label", "Email address", "--expect-plan", String(hash.dropFirst(5)),
        ])
        #expect(applied.status == 1 && applied.stderr.contains("1 conflicting field(s) left alone"), "\(applied.output)")
        for run in [set, describe, json, yaml, project, plan, applied] { #expect(!run.output.contains(fleet.cluster.password)) }
        #expect(
            try fleet.connect("crm").query("SELECT count(*) AS n FROM _metadata.mappings_column WHERE label = 'Email address'").records.first?["n"]
                == "5")
    }

    @Test("an unknown project is refused")
    func unknownProject() throws {
        let fleet = try SampleFleet.make(["saas"])
        try Self.refused(
            ["metadata", "set", "nope", "public.users.email", "--label", "x"], fleet, status: 2, saying: "project \"nope\" is not registered")
    }

    @Test("an unknown relation is refused")
    func unknownRelation() throws {
        let fleet = try SampleFleet.make(["saas"])
        try Self.refused(["metadata", "set", "saas", "public.nope", "--label", "x"], fleet, status: 2, saying: "has no relation public.nope")
    }

    @Test("an unknown column is refused")
    func unknownColumn() throws {
        let fleet = try SampleFleet.make(["saas"])
        try Self.refused(
            ["metadata", "unset", "saas", "public.users.nope", "--label"], fleet, status: 2,
            saying: "has no column \"nope\" in _metadata; see its columns with 'catalog describe saas public.users'")
    }

    @Test("validation rules that are not JSON, or not an object, are refused")
    func badValidation() throws {
        let fleet = try SampleFleet.make(["saas"])
        try Self.refused(["metadata", "set", "saas", "public.users.email", "--validation", "{nope"], fleet, status: 64, saying: "is not valid JSON")
        try Self.refused(
            ["metadata", "set", "saas", "public.users.email", "--validation", "[1,2]"], fleet, status: 64, saying: "must be a JSON object")
    }

    @Test("an invalid GraphQL name is refused")
    func invalidGraphQLName() throws {
        let fleet = try SampleFleet.make(["saas"])
        try Self.refused(
            ["metadata", "set", "saas", "public.users", "--graphql-type", "Not-A-Name"], fleet, status: 64, saying: "not a valid GraphQL name")
    }

    @Test("a fleet edit that matches nothing is refused")
    func fleetMatchesNothing() throws {
        let fleet = try SampleFleet.make(["saas", "shop"])
        try Self.refused(
            ["metadata", "set", "--all", "--column", "no_such", "--label", "x"], fleet, status: 2, saying: "no column matches \"no_such\" (exact)")
    }

    @Test("a stale --expect-plan is refused")
    func staleExpectPlan() throws {
        let fleet = try SampleFleet.make(["saas", "shop"])
        let plan = try CLIRun.run(["metadata", "set", "--all", "--column", "email", "--label", "Email", "--plan"], store: fleet.storePath)
        let hash = try #require(plan.stdout.split(separator: "\n").last?.split(separator: " ").last.map(String.init))
        try fleet.connect("shop").query("UPDATE _metadata.mappings_column SET label = 'Mail' WHERE pg_column = 'email'")
        let before = try Self.revisions(fleet)
        let run = try CLIRun.run(
            ["metadata", "set", "--all", "--column", "email", "--label", "Email", "--expect-plan", hash], store: fleet.storePath)
        #expect(run.status == 2 && run.stderr.contains("the plan changed since it was shown (expected \(hash)"), "\(run.output)")
        #expect(try Self.revisions(fleet) == before)
    }

    @Test("a project that cannot be reached is reported, the others are applied, and the exit status is 1")
    func unreachableProject() throws {
        let fleet = try SampleFleet.make(["saas", "shop"])
        #expect(try CLIRun.run(["project", "add", "gone", "--dsn", "postgresql://postgres@127.0.0.1:1/gone"], store: fleet.storePath).status == 0)
        let run = try CLIRun.run(["metadata", "set", "--all", "--column", "email", "--label", "Email", "--timeout", "3"], store: fleet.storePath)
        #expect(run.status == 1, "\(run.output)")
        #expect(run.stderr.contains("gone: failed:"))
        #expect(
            try fleet.connect("shop").query("SELECT label FROM _metadata.mappings_column WHERE pg_column = 'email'").records.first?["label"]
                == "Email")
    }

    @Test("metadata edit writes only what changed in $EDITOR")
    func editApplies() throws {
        let fleet = try SampleFleet.make(["saas"])
        let editor = try Self.editor(["s/^label: ~$/label: \"People\"/", "/^  email:$/,/label/s/label: ~/label: \"Email address\"/"])
        let run = try CLIRun.run(["metadata", "edit", "saas", "public.users"], store: fleet.storePath, environment: ["EDITOR": editor])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.stdout.contains("saas  ~ public.users label: (empty) -> 'People'"))
        #expect(run.stdout.contains("2 field(s) written"))
        let audit = try fleet.catalog.store.auditLog(limit: 5).filter { $0.action == "metadata edit" }
        #expect(audit.count == 2)
    }

    @Test("metadata edit refuses malformed YAML with its line and writes nothing")
    func editMalformed() throws {
        let fleet = try SampleFleet.make(["saas"])
        try Self.refused(
            ["metadata", "edit", "saas", "public.users"], fleet, status: 64, saying: ": syntax error:",
            environment: ["EDITOR": try Self.editor(["s/^label: ~$/label: [unclosed/"])])
    }

    @Test("metadata edit refuses a renamed column with its line and writes nothing")
    func editRenamed() throws {
        let fleet = try SampleFleet.make(["saas"])
        try Self.refused(
            ["metadata", "edit", "saas", "public.users"], fleet, status: 64, saying: ".yaml:19: column \"displayname\" is not in public.users",
            environment: ["EDITOR": try Self.editor(["s/^  display_name:$/  displayname:/"])])
    }
}
