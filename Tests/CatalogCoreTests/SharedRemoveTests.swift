import CatalogStore
import CatalogTestSupport
import Foundation
import Testing

@testable import CatalogCore

@Suite("shared remove")
struct SharedRemoveTests {
    @Test("remove shows its plan, refuses while projects are attached, and archives with --detach, keeping every version")
    func archivesAndKeepsHistory() throws {
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("c.sqlite").path
        let database = try TestWorkspace.database(script: SharedSyncTests.usersTable)
        let catalog = try Catalog(location: StoreLocation(path: store, isExplicit: true))
        try catalog.addProject(name: "p1", dsn: database.url)
        try catalog.addShared(name: "users", file: Fixtures.url("definitions/users.yaml").path)
        try catalog.updateShared(name: "users", file: Fixtures.url("definitions/users-v2.yaml").path)
        _ = try catalog.attachShared("users", to: ProjectSelection(names: ["p1"]))

        let plan = try CLIRun.run(["shared", "remove", "users", "--plan"], store: store)
        #expect(plan.status == 0)
        #expect(
            plan.stdout == """
                - archive shared definition users: its 2 version(s) stay in the store for 'catalog shared show users N'; it is no longer listed, attached, updated or synced
                - detach p1 from users; their _metadata rows stay as they are

                """)
        let refused = try CLIRun.run(["shared", "remove", "users"], store: store)
        #expect(refused.status == 2)
        #expect(refused.stdout == plan.stdout)
        #expect(refused.stderr.hasPrefix("error: shared definition \"users\" is attached to p1; nothing was changed; pass --detach"))
        #expect(try catalog.listShared().map(\.name) == ["users"])

        let removed = try CLIRun.run(["shared", "remove", "users", "--detach"], store: store)
        #expect(removed.status == 0, "\(removed.output)")
        #expect(removed.stdout.hasSuffix("removed shared definition users; detached p1\n"))
        #expect(try catalog.listShared().isEmpty)
        #expect(try catalog.store.attachments().isEmpty)
        #expect(try catalog.sharedHistory("users").map(\.version) == [1, 2])
        #expect(try CLIRun.run(["shared", "show", "users", "1"], store: store).status == 0)

        for command in [
            ["shared", "attach", "users", "--project", "p1"],
            ["shared", "update", "users", "--file", Fixtures.url("definitions/users.yaml").path],
            ["shared", "add", "users", "--file", Fixtures.url("definitions/users.yaml").path],
            ["shared", "remove", "users"],
        ] {
            let run = try CLIRun.run(command, store: store)
            #expect(run.status == 2, "\(command): \(run.output)")
            #expect(run.stderr.contains("removed"), "\(command): \(run.stderr)")
        }
        // The store names no command; the CLI words the remedy.
        #expect { try catalog.attachShared("users", to: ProjectSelection(names: ["p1"])) } throws: {
            ($0 as? CatalogError)?.remedy == .showSharedVersions("users") && !"\($0)".contains("catalog shared")
        }
        let attach = try CLIRun.run(["shared", "attach", "users", "--project", "p1"], store: store)
        #expect(attach.stderr.hasSuffix("; its versions are kept for 'catalog shared show users'\n"), "\(attach.stderr)")
        #expect(try catalog.store.auditLog().filter { $0.action == "shared.remove" }.map(\.detail) == ["archived; detached p1"])
    }

    @Test("shared show takes the version as an argument, and still understands --version N")
    func showVersion() throws {
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("c.sqlite").path
        let catalog = try Catalog(location: StoreLocation(path: store, isExplicit: true))
        try catalog.addShared(name: "users", file: Fixtures.url("definitions/users.yaml").path)
        try catalog.updateShared(name: "users", file: Fixtures.url("definitions/users-v2.yaml").path)
        let first = try String(contentsOf: Fixtures.url("definitions/users.yaml"), encoding: .utf8)
        #expect(try CLIRun.run(["shared", "show", "users", "1"], store: store).stdout == first)
        #expect(try CLIRun.run(["shared", "show", "users", "--version", "1"], store: store).stdout == first)
        #expect(try CLIRun.run(["shared", "show", "users", "1", "--version", "2"], store: store).status == 64)
        #expect(try CLIRun.run(["shared", "show", "users"], store: store).stderr.hasPrefix("# users version 2"))
    }
}
