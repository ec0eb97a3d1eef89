import ArgumentParser
import CatalogCore
import CatalogStore
import CatalogTestSupport
import Foundation
import Testing

@testable import CatalogCLI

@Suite("The command line")
struct CLITests {
    @Test(
        "--help texts are pinned",
        arguments: [
            ("catalog.txt", [String]()),
            ("project-add.txt", ["project", "add"]),
            ("project-list.txt", ["project", "list"]),
            ("project-check.txt", ["project", "check"]),
            ("project-update.txt", ["project", "update"]),
            ("metadata-install.txt", ["metadata", "install"]),
            ("metadata-status.txt", ["metadata", "status"]),
            ("metadata-scan.txt", ["metadata", "scan"]),
            ("find-column.txt", ["find-column"]),
            ("find-table.txt", ["find-table"]),
            ("sql.txt", ["sql"]),
            ("shared-add.txt", ["shared", "add"]),
            ("shared-show.txt", ["shared", "show"]),
            ("shared-remove.txt", ["shared", "remove"]),
            ("sync.txt", ["sync"]),
            ("drift.txt", ["drift"]),
            ("export.txt", ["export"]),
            ("import.txt", ["import"]),
            ("bundle-inspect.txt", ["bundle", "inspect"]),
            ("backup-create.txt", ["backup", "create"]),
            ("backup-restore.txt", ["backup", "restore"]),
            ("metadata-migrate.txt", ["metadata", "migrate"]),
            ("serve.txt", ["serve"]),
            ("generate.txt", ["generate"]),
            ("schedule-add.txt", ["schedule", "add"]),
            ("schedule-list.txt", ["schedule", "list"]),
            ("schedule-run.txt", ["schedule", "run"]),
            ("alert-add.txt", ["alert", "add"]),
            ("alert-test.txt", ["alert", "test"]),
            ("backup-status.txt", ["backup", "status"]),
            ("project-create.txt", ["project", "create"]),
            ("project-clone.txt", ["project", "clone"]),
            ("project-rename.txt", ["project", "rename"]),
            ("project-archive.txt", ["project", "archive"]),
            ("project-unarchive.txt", ["project", "unarchive"]),
            ("lint.txt", ["lint"]),
            ("store-copy.txt", ["store", "copy"]),
            ("history.txt", ["history"]),
        ])
    func helpIsPinned(file: String, path: [String]) throws {
        let command = try #require(CatalogCommand.commandType(for: path))
        #expect(try Golden.matches(CatalogCommand.helpMessage(for: command, columns: 100) + "\n", "help/\(file)"))
    }

    @Test("every command has help text and an example")
    func everyCommandIsDocumented() {
        for command in CatalogCommand.allLeafCommands {
            let configuration = command.configuration
            #expect(!configuration.abstract.isEmpty, "\(command) has no abstract")
            #expect(configuration.discussion.contains("Example"), "\(command) has no example")
        }
    }

    @Test("output formats are pinned")
    func formatsArePinned() throws {
        let table = OutputTable(
            columns: ["project", "count", "ok", "tags", "note"],
            rows: [
                [.text("billing"), .int(3), .bool(true), .list(["prod", "eu"]), .null],
                [.text("shop, \"quoted\""), .int(12), .bool(false), .list([]), .text("tab\there")],
            ])
        #expect(try Golden.matches(table.render(.table), "format/table.txt"))
        #expect(try Golden.matches(table.render(.json), "format/json.json"))
        #expect(try Golden.matches(table.render(.csv), "format/csv.csv"))
        #expect(try Golden.matches(table.render(.tsv), "format/tsv.tsv"))
    }

    @Test("bad input gets one line on stderr and exit 2, and changes nothing")
    func badInput() throws {
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("c.sqlite").path
        let unknown = try CLIRun.run(["project", "show", "ghost"], store: store)
        #expect(unknown.status == 2)
        #expect(
            unknown.stderr
                == "error: project \"ghost\" is not registered; run 'catalog project list' to see the registered ones, or 'catalog project add ghost --dsn …'\n"
        )
        let malformed = try CLIRun.run(["project", "add", "x", "--dsn", "postgresql://u:topsecret@h:notaport/db"], store: store)
        #expect(malformed.status == 2)
        #expect(malformed.stderr.split(separator: "\n").count == 1)
        #expect(!malformed.output.contains("topsecret"))
        let missingDirectory = try CLIRun.run(["project", "list"], store: "/nonexistent-dir/c.sqlite")
        #expect(missingDirectory.status == 2)
        #expect(missingDirectory.stderr.contains("mkdir -p /nonexistent-dir"))
        let usage = try CLIRun.run(["project", "check"], store: store)
        #expect(usage.status == 64)
        let list = try CLIRun.run(["project", "list", "--format", "json"], store: store)
        #expect(list.status == 0)
        #expect(list.stdout == "[]\n")
    }

    @Test("a password never appears in any output, error or the audit log")
    func passwordsNeverLeak() throws {
        let cluster = try TestWorkspace.cluster()
        let database = try TestWorkspace.database(fixture: "saas")
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("c.sqlite").path
        let wrong = "Wr0ng-Pa55word"
        var outputs: [CLIRun] = []
        outputs.append(try CLIRun.run(["project", "add", "good", "--dsn", database.url, "--tag", "prod"], store: store))
        outputs.append(try CLIRun.run(["project", "add", "bad", "--dsn", cluster.url(database: database.name, password: wrong)], store: store))
        outputs.append(try CLIRun.run(["project", "add", "good", "--dsn", database.url], store: store))
        for format in ["table", "json", "csv"] {
            outputs.append(try CLIRun.run(["project", "list", "--check", "--format", format], store: store))
            outputs.append(try CLIRun.run(["project", "show", "good", "--format", format], store: store))
            outputs.append(try CLIRun.run(["project", "show", "bad", "--format", format], store: store))
        }
        outputs.append(try CLIRun.run(["project", "check", "--all"], store: store))
        outputs.append(try CLIRun.run(["metadata", "install", "--all"], store: store))
        outputs.append(try CLIRun.run(["metadata", "status", "--all", "--format", "json"], store: store))
        for run in outputs {
            #expect(!run.output.contains(cluster.password))
            #expect(!run.output.contains(wrong))
        }
        #expect(outputs[0].stdout.contains("postgres:****@"))
        #expect(outputs.last!.status == 1)
        let audit = try Catalog(location: StoreLocation(path: store, isExplicit: true)).store.auditLog()
        #expect(!audit.isEmpty)
        for entry in audit {
            #expect(!(entry.detail ?? "").contains(cluster.password))
            #expect(!(entry.detail ?? "").contains(wrong))
        }
    }

    @Test("check exits 1 when a project fails and names it")
    func checkExitStatus() throws {
        let database = try TestWorkspace.database()
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("c.sqlite").path
        _ = try CLIRun.run(["project", "add", "up", "--dsn", database.url], store: store)
        _ = try CLIRun.run(["project", "add", "down", "--dsn", "postgresql://u@127.0.0.1:\(try TemporaryClusterPort.closed())/x"], store: store)
        let single = try CLIRun.run(["project", "check", "up"], store: store)
        #expect(single.status == 0)
        let all = try CLIRun.run(["project", "check", "--all", "--format", "csv"], store: store)
        #expect(all.status == 1)
        #expect(all.stdout.contains("down,failed"))
        #expect(all.stdout.contains("up,ok"))
    }
}

extension CatalogCommand {
    /// The command type at a path of subcommand names (empty for the root).
    static func commandType(for path: [String]) -> ParsableCommand.Type? {
        var current: ParsableCommand.Type = CatalogCommand.self
        for name in path {
            guard let next = current.configuration.subcommands.first(where: { $0._commandName == name }) else { return nil }
            current = next
        }
        return current
    }

    /// Every command that does work (no subcommands of its own).
    static var allLeafCommands: [ParsableCommand.Type] {
        func leaves(_ command: ParsableCommand.Type) -> [ParsableCommand.Type] {
            let children = command.configuration.subcommands
            return children.isEmpty ? [command] : children.flatMap(leaves)
        }
        return leaves(CatalogCommand.self)
    }
}
