import CatalogCore
import CatalogTestSupport
import Foundation
import Testing

@testable import CatalogCLI

/// Hostile and mistaken input on the command line: secrets in malformed DSNs, terminal escapes
/// in names, spreadsheet formulas, absurd timeouts, and the exit status of each mistake.
@Suite("Command-line input")
struct CLIInputTests {
    static func store() throws -> String {
        try TestWorkspace.temporaryDirectory().appendingPathComponent("c.sqlite").path
    }

    @Test("project add never prints the password of a malformed DSN", arguments: MalformedDSNs.leaky)
    func malformedDSNsStaySecret(_ dsn: String) throws {
        let run = try CLIRun.run(["project", "add", "x", "--dsn", dsn], store: try Self.store())
        #expect(run.status == 2)
        #expect(run.stderr.split(separator: "\n").count == 1)
        for secret in ["secret", "sec ret", "se/cret", "ret2"] { #expect(!run.output.contains(secret), "\(run.output)") }
    }

    @Test("control characters in a table are shown as escapes, never sent to the terminal")
    func tablesEscapeControlCharacters() {
        let hostile = "evil\u{1B}[2J\u{1B}]0;title\u{07}\rover\u{9B}31m\u{202E}txt"
        let table = OutputTable(columns: ["name", "n"], rows: [[.text(hostile), .int(1)], [.list(["a\u{1B}b"]), .int(-5)]])
        let rendered = table.render(.table)
        let controls = rendered.unicodeScalars.filter { $0 != "\n" && $0.needsVisibleEscape }
        #expect(controls.isEmpty)
        #expect(rendered.contains(#"evil\x1B[2J\x1B]0;title\x07\rover\x9B31m\u{202E}txt"#))
        #expect(rendered.contains(#"a\x1Bb"#))
        #expect(ProjectViews.keyValue(OutputTable(columns: ["name"], rows: [[.text("a\u{1B}b")]])) == #"name: a\x1Bb"# + "\n")
    }

    @Test("find-column shows hostile column names escaped in a table and neutralised in CSV, and exact in JSON")
    func hostileNamesFromADatabase() throws {
        let store = try Self.store()
        let database = try TestWorkspace.database(script: "CREATE TABLE t (\"x\u{1B}[2Jx\" int, \"=x()\" int, \"y\u{07}\rx\" text);")
        #expect(try CLIRun.run(["project", "add", "evil", "--dsn", database.url], store: store).status == 0)
        #expect(try CLIRun.run(["metadata", "install", "evil"], store: store).status == 0)
        #expect(try CLIRun.run(["metadata", "scan", "evil"], store: store).status == 0)
        let table = try CLIRun.run(["find-column", "x", "--match", "contains"], store: store)
        #expect(table.status == 0, "\(table.output)")
        #expect(!table.stdout.unicodeScalars.contains { $0 != "\n" && $0.needsVisibleEscape })
        #expect(table.stdout.contains(#"x\x1B[2Jx"#) && table.stdout.contains(#"y\x07\rx"#))
        let csv = try CLIRun.run(["find-column", "x", "--match", "contains", "--format", "csv"], store: store)
        #expect(csv.stdout.contains(",'=x(),"))
        let json = try CLIRun.run(["find-column", "x", "--match", "contains", "--format", "json"], store: store)
        #expect(json.stdout.contains(#""x\u001b[2Jx""#) || json.stdout.contains(#""x\u001B[2Jx""#))
    }

    @Test("CSV and TSV cells that a spreadsheet would run as formulas are neutralised with a quote")
    func delimitedCellsAreNeutralised() {
        let cells = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "plain", "a=b"]
        let table = OutputTable(columns: ["value", "number"], rows: cells.map { [.text($0), .int(-5)] } + [[.list(["=x", "y"]), .double(-1.5)]])
        let csv = table.render(.csv)
        #expect(
            csv == """
                value,number
                "'=HYPERLINK(""http://x"")",-5
                '+1+1,-5
                '-2+3,-5
                '@SUM(A1),-5
                '\tTAB,-5
                "'\rCR",-5
                plain,-5
                a=b,-5
                "'=x,y",-1.500

                """)
        let tsv = table.render(.tsv)
        #expect(tsv.contains("\n'=HYPERLINK(\"http://x\")\t-5\n"))
        #expect(tsv.contains("\n' TAB\t-5\n"))
        #expect(tsv.contains("\n'@SUM(A1)\t-5\n"))
    }

    @Test(
        "a timeout that is not a finite, sane number of seconds is refused at parse time with exit 64",
        arguments: [
            ["project", "check", "--all", "--timeout"],
            ["project", "list", "--timeout"],
            ["find-column", "email", "--timeout"],
            ["export", "p", "-o", "/tmp/never.catalog", "--timeout"],
            ["backup", "restore", "p", "1", "--plan", "--timeout"],
            ["serve", "--query-timeout"],
            ["serve", "--pool-idle-timeout"],
        ])
    func timeoutsAreValidated(_ command: [String]) throws {
        let store = try Self.store()
        for value in ["inf", "-inf", "nan", "1e300", "0", "-5", "86401", "ten"] {
            let run = try CLIRun.run(command + [value], store: store)
            #expect(run.status == 64, "\(command) \(value): \(run.output)")
            #expect(run.stderr.hasPrefix("Error: The value '\(value)' is invalid for '--"), "\(run.stderr)")
            #expect(run.stderr.contains("between 0.001 and 86400"))
            #expect(run.stdout.isEmpty)
        }
        #expect(Seconds(argument: "0.5")?.value == 0.5)
        #expect(Seconds(argument: "86400")?.wholeSeconds == 86_400)
        #expect(Seconds(argument: "0.001")?.wholeSeconds == 1)
    }

    @Test("a negative --to is a bad version, not a missing value")
    func negativeVersion() throws {
        let run = try CLIRun.run(["metadata", "rollback", "--all", "--to", "-5"], store: try Self.store())
        #expect(run.status == 64)
        #expect(run.stderr.hasPrefix("Error: --to must be a version, 0 or more."))
        #expect(!run.stderr.contains("Missing value"))
    }

    @Test("malformed arguments exit 64 whether ArgumentParser or the library finds them")
    func usageErrorsExit64() throws {
        let store = try Self.store()
        let badName = try CLIRun.run(["shared", "add", "bad name", "--from", "p:public.t"], store: store)
        #expect(badName.status == 64)
        #expect(
            badName.stderr
                == "error: the shared definition name \"bad name\" may use only ASCII letters, digits, '_', '-' and '.', starting with a letter or digit\n"
        )
        let badProject = try CLIRun.run(["project", "add", "bad name", "--dsn", "dbname=x"], store: store)
        #expect(badProject.status == 64 && badProject.stderr.contains("the project name \"bad name\""))
        let badFrom = try CLIRun.run(["shared", "add", "users", "--from", "nocolon"], store: store)
        #expect(badFrom.status == 64 && badFrom.stderr.contains("--from takes PROJECT:SCHEMA.TABLE"))
        let badTag = try CLIRun.run(["project", "add", "ok", "--dsn", "dbname=x", "--tag", "a b"], store: store)
        #expect(badTag.status == 64)
        let unknownFlag = try CLIRun.run(["project", "list", "--bogus"], store: store)
        #expect(unknownFlag.status == 64)
        let unknownProject = try CLIRun.run(["project", "show", "ghost"], store: store)
        #expect(unknownProject.status == 2)
        #expect(try CLIRun.run(["project", "list"], store: store).stdout.contains("NAME"))
    }

    @Test("a tag that no registered project has is an error with advice, not an empty answer")
    func unknownTag() throws {
        let store = try Self.store()
        let database = try TestWorkspace.database(fixture: "saas")
        #expect(try CLIRun.run(["project", "add", "saas", "--dsn", database.url, "--tag", "prod"], store: store).status == 0)
        for command in [["find-column", "email"], ["find-table", "users"], ["project", "check"], ["project", "list"]] {
            let run = try CLIRun.run(command + ["--tag", "nope"], store: store)
            #expect(run.status == 2, "\(command): \(run.output)")
            #expect(run.stdout.isEmpty)
            #expect(
                run.stderr
                    == "error: no registered project has the tag \"nope\"; the tags in use are prod; run 'catalog project list' to see them, or add it with 'catalog project update NAME --tag nope'\n"
            )
        }
        #expect(try CLIRun.run(["find-column", "email", "--tag", "prod"], store: store).status != 2)
    }

    @Test("project list --check exits 1 when a project cannot be reached, and still prints the list")
    func listCheckExitStatus() throws {
        let store = try Self.store()
        let database = try TestWorkspace.database()
        _ = try CLIRun.run(["project", "add", "up", "--dsn", database.url], store: store)
        #expect(try CLIRun.run(["project", "list", "--check"], store: store).status == 0)
        _ = try CLIRun.run(
            ["project", "add", "down", "--dsn", "postgresql://u@127.0.0.1:\(try TemporaryClusterPort.closed())/x", "--tag", "off"], store: store)
        let run = try CLIRun.run(["project", "list", "--check", "--format", "csv"], store: store)
        #expect(run.status == 1)
        #expect(run.stdout.contains("down,") && run.stdout.contains("up,"))
        #expect(run.stderr == "1 of 2 project(s) could not be reached; see 'catalog project check --all' for the reasons\n")
        #expect(try CLIRun.run(["project", "list", "--check"], store: store).status == 1)
        #expect(try CLIRun.run(["project", "list"], store: store).status == 0)
    }
}
