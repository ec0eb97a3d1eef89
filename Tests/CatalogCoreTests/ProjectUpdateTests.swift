import CatalogStore
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CatalogCore

@Suite("project update")
struct ProjectUpdateTests {
    @Test("a new DSN and tags keep the project's attachments and history, and clear what described the old database")
    func keepsHistoryAndAttachments() throws {
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("c.sqlite").path
        let old = try TestWorkspace.database(script: SharedSyncTests.usersTable)
        let new = try TestWorkspace.database(script: SharedSyncTests.usersTable)
        let catalog = try Catalog(location: StoreLocation(path: store, isExplicit: true))
        try catalog.addProject(name: "billing", dsn: old.url, tags: ["prod", "us"])
        _ = try catalog.probe(ProjectSelection(names: ["billing"]))
        try catalog.addShared(name: "users", file: Fixtures.url("definitions/users.yaml").path)
        _ = try catalog.attachShared("users", to: ProjectSelection(names: ["billing"]))
        let before = try catalog.project(named: "billing")
        #expect(before.status == .ok)

        let cluster = try TestWorkspace.cluster()
        let secret = cluster.password
        let run = try CLIRun.run(["project", "update", "billing", "--dsn", new.url, "--tag", "eu", "--untag", "us"], store: store)
        #expect(run.status == 0, "\(run.output)")
        #expect(!run.output.contains(secret))
        #expect(run.stdout.hasPrefix("updated project billing: dsn postgresql://postgres:****@"))
        #expect(run.stdout.contains("/\(new.name) (was postgresql://postgres:****@"))
        #expect(run.stdout.hasSuffix("; tags eu,prod\n"))

        let after = try catalog.project(named: "billing")
        #expect(after.id == before.id && after.createdAt == before.createdAt)
        #expect(try ConnectionString(after.dsn).databaseName == new.name)
        #expect(after.tags == ["eu", "prod"])
        #expect(after.status == .unknown && after.lastCheckedAt == nil && after.serverVersion == nil)
        #expect(try catalog.store.attachments(definition: "users").map(\.project) == ["billing"])
        let audit = try catalog.store.auditLog().filter { $0.action == "project.update" }
        #expect(audit.count == 1 && !(audit[0].detail ?? "").contains(secret) && (audit[0].detail ?? "").contains("****"))
    }

    @Test("a bad DSN, an unknown tag to remove or nothing to change are refused, and nothing changes")
    func refusesBadInput() throws {
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("c.sqlite").path
        #expect(try CLIRun.run(["project", "add", "billing", "--dsn", "postgresql://app:hunter2@h/db", "--tag", "prod"], store: store).status == 0)
        let malformed = try CLIRun.run(["project", "update", "billing", "--dsn", "postgresql://app:p%zzsecret@h/db"], store: store)
        #expect(malformed.status == 2)
        #expect(!malformed.output.contains("zzsecret") && malformed.stderr.contains("nothing was changed"))
        let untag = try CLIRun.run(["project", "update", "billing", "--untag", "nope", "--tag", "eu"], store: store)
        #expect(untag.status == 2)
        #expect(untag.stderr == "error: project \"billing\" has no tag \"nope\" (its tags: prod); nothing was changed\n")
        let nothing = try CLIRun.run(["project", "update", "billing"], store: store)
        #expect(nothing.status == 64 && nothing.stderr.contains("Give --dsn, --tag or --untag"))
        let both = try CLIRun.run(["project", "update", "billing", "--tag", "x", "--untag", "x"], store: store)
        #expect(both.status == 64 && both.stderr == "error: the tag \"x\" is both added and removed; give it to --tag or to --untag\n")
        #expect(throws: CatalogError(.badInput, "nothing to change", remedy: .giveProjectChange)) {
            try TestEnvironment.catalog().updateProject(name: "billing")
        }
        #expect(try CLIRun.run(["project", "update", "ghost", "--tag", "x"], store: store).status == 2)
        let shown = try CLIRun.run(["project", "show", "billing", "--format", "json"], store: store)
        #expect(shown.stdout.contains("\"dsn\":\"postgresql://app:****@h/db\"") || shown.stdout.contains("postgresql://app:****@h/db"))
        #expect(shown.stdout.contains("prod") && !shown.stdout.contains("\"eu\""))
        #expect(!shown.output.contains("hunter2"))
    }
}
