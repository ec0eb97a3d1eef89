import CatalogStore
import CatalogTestSupport
import Foundation
import Testing

@testable import CatalogCore

@Suite("The project registry")
struct RegistryTests {
    @Test("add, list, show and remove a project; removing never touches the database")
    func lifecycle() throws {
        let catalog = try TestEnvironment.catalog()
        let database = try TestWorkspace.database()
        try catalog.addProject(name: "billing", dsn: database.url, tags: ["prod", "eu"])
        try catalog.addProject(name: "shop", dsn: "host=127.0.0.1 dbname=shop")
        #expect(try catalog.listProjects().map(\.name) == ["billing", "shop"])
        #expect(try catalog.listProjects(tags: ["eu"]).map(\.name) == ["billing"])
        let billing = try catalog.project(named: "billing")
        #expect(billing.tags == ["eu", "prod"])
        #expect(billing.status == .unknown)
        try catalog.removeProject(named: "billing")
        #expect(try catalog.listProjects().map(\.name) == ["shop"])
        let connection = try TestWorkspace.cluster().connect(database: database.name)
        #expect(try connection.query("SELECT 1 AS one").records.first?.int("one") == 1)
        #expect(try catalog.store.auditLog().map(\.action).contains("project.remove"))
    }

    @Test("an unknown project name is a one-line error that says what to run")
    func unknownProject() throws {
        let catalog = try TestEnvironment.catalog()
        #expect(throws: CatalogError.unknownProject("ghost")) { try catalog.project(named: "ghost") }
        #expect(throws: CatalogError.unknownProject("ghost")) { try catalog.removeProject(named: "ghost") }
        #expect(throws: CatalogError.unknownProject("ghost")) { try catalog.projects(ProjectSelection(names: ["ghost"])) }
        #expect(!CatalogError.unknownProject("ghost").message.contains("\n"))
        // The library names no command or flag: the remedy carries the next step.
        #expect(CatalogError.unknownProject("ghost").remedy == .listOrRegisterProject("ghost"))
        #expect(!CatalogError.unknownProject("ghost").message.contains("catalog"))
        let stored = CatalogError.wrap(StoreError(.alreadyExists, "project \"dup\" is already registered", remedy: .renameOrRemoveProject("dup")))
        #expect(stored.code == .alreadyExists && stored.remedy == .store(.renameOrRemoveProject("dup")))
    }

    @Test("a duplicate add is refused and the first registration is kept")
    func duplicate() throws {
        let catalog = try TestEnvironment.catalog()
        try catalog.addProject(name: "billing", dsn: "dbname=first")
        #expect {
            try catalog.addProject(name: "billing", dsn: "dbname=second")
        } throws: { error in
            "\(error)".contains("already registered")
        }
        #expect(try catalog.project(named: "billing").dsn == "dbname=first")
    }

    @Test(
        "a malformed DSN is refused, without echoing its password, and nothing is stored",
        arguments: [
            "postgresql://app:s3cr3t@host:port/db",
            "host=x password=s3cr3t dbname",
            "sslmode=bogus password=s3cr3t",
        ])
    func malformedDSN(_ dsn: String) throws {
        let catalog = try TestEnvironment.catalog()
        #expect {
            try catalog.addProject(name: "bad", dsn: dsn)
        } throws: { error in
            let text = "\(error)"
            return text.contains("project \"bad\"") && !text.contains("s3cr3t")
        }
        #expect(try catalog.listProjects().isEmpty)
    }

    @Test("bad names and tags are refused", arguments: ["", "has space", "-dash-first", "quote'd", String(repeating: "x", count: 64)])
    func badNames(_ name: String) throws {
        let catalog = try TestEnvironment.catalog()
        #expect(throws: CatalogError.self) { try catalog.addProject(name: name, dsn: "dbname=x") }
        #expect(throws: CatalogError.self) { try catalog.addProject(name: "ok", dsn: "dbname=x", tags: ["bad tag"]) }
        #expect(try catalog.listProjects().isEmpty)
    }

    @Test("a selection resolves names, --all and --tag before any connection")
    func selections() throws {
        let catalog = try TestEnvironment.catalog()
        try catalog.addProject(name: "a", dsn: "dbname=a", tags: ["prod"])
        try catalog.addProject(name: "b", dsn: "dbname=b", tags: ["dev"])
        try catalog.addProject(name: "c", dsn: "dbname=c", tags: ["prod"])
        #expect(try catalog.projects(.everything).map(\.name) == ["a", "b", "c"])
        #expect(try catalog.projects(ProjectSelection(tags: ["prod"])).map(\.name) == ["a", "c"])
        #expect(try catalog.projects(ProjectSelection(names: ["c", "a", "c"])).map(\.name) == ["c", "a"])
        #expect(throws: CatalogError.noProjectsSelected()) { try catalog.projects(ProjectSelection()) }
    }

    @Test("check reports ok, a wrong password, a missing database and a refused connection, in parallel")
    func check() throws {
        let cluster = try TestWorkspace.cluster()
        let catalog = try TestEnvironment.catalog()
        let database = try TestWorkspace.database()
        try catalog.addProject(name: "good", dsn: database.url)
        try catalog.addProject(name: "badpass", dsn: cluster.url(database: database.name, password: "not-the-password"))
        try catalog.addProject(name: "nodb", dsn: cluster.url(database: "does_not_exist"))
        try catalog.addProject(name: "down", dsn: "postgresql://postgres@127.0.0.1:\(try TemporaryClusterPort.closed())/x")
        let probes = try catalog.probe(.everything, options: FanOutOptions(concurrency: 4, timeout: 5))
        let byName = Dictionary(uniqueKeysWithValues: probes.map { ($0.project, $0) })
        #expect(byName["good"]?.outcome == .ok)
        #expect(byName["good"]?.serverVersion?.hasPrefix("15") == true)
        #expect(byName["good"]?.metadataVersion == nil)
        #expect(byName["badpass"]?.outcome.message?.contains("password authentication failed") == true)
        #expect(byName["nodb"]?.outcome.message?.contains("does not exist") == true)
        #expect(byName["down"]?.outcome.message?.contains("refused") == true)
        for probe in probes { #expect(probe.outcome.message?.contains("not-the-password") != true) }
        #expect(try catalog.project(named: "good").status == .ok)
        #expect(try catalog.project(named: "down").status == .failed)
    }
}
