import CatalogStore
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CatalogCore

/// Library errors carry a code callers match on, and name no command-line flag where the code says enough.
@Suite("error codes")
struct ErrorCodeTests {
    @Test("an unknown project is not_found; a second registration is already_exists")
    func registry() throws {
        let catalog = try TestEnvironment.catalog()
        do {
            _ = try catalog.project(named: "nope")
            Issue.record("an unknown project must fail")
        } catch let error as CatalogError {
            #expect(error.code == .notFound)
        }
        let database = try TestWorkspace.database(script: "SELECT 1")
        try catalog.addProject(name: "p", dsn: database.url)
        do {
            try catalog.addProject(name: "p", dsn: database.url)
            Issue.record("a second registration must fail")
        } catch let error as CatalogError {
            #expect(error.code == .alreadyExists)
        }
    }

    @Test("sync with a stale plan hash is plan_changed with both hashes as facts, and writes nothing")
    func planChanged() throws {
        let (catalog, _) = try SharedSyncTests.fleet()
        try catalog.addShared(name: "users", file: Fixtures.url("definitions/users.yaml").path, note: "first")
        try catalog.attachShared("users", to: ProjectSelection(names: ["p1"]))
        let hash = try catalog.planSync(.everything).plan.hash
        do {
            _ = try catalog.sync(expectPlan: "0000")
            Issue.record("a stale plan must be refused")
        } catch let error as CatalogError {
            #expect(error.code == .planChanged)
            #expect(error.facts["expected"] == "0000")
            #expect(error.facts["current"] == hash)
            #expect(!error.message.contains("--"), "library messages name no flags: \(error.message)")
        }
        #expect(try catalog.planSync(.everything).plan.hash == hash)
    }

    @Test("PostgreSQL errors map to codes: connection failures are unreachable, a cancel is timed_out")
    func postgresCodes() {
        #expect(CatalogError.Code(PostgresError(kind: .connection, message: "no")) == .unreachable)
        #expect(CatalogError.Code(PostgresError(kind: .query, sqlState: SQLState.queryCanceled, message: "canceled")) == .timedOut)
        #expect(CatalogError.Code(PostgresError(kind: .query, sqlState: SQLState.invalidRegularExpression, message: "bad")) == .badInput)
        #expect(CatalogError.Code(PostgresError(kind: .query, sqlState: "XX000", message: "internal")) == .failed)
        #expect(CatalogError.wrap(StoreError(.alreadyExists, "x")).code == .alreadyExists)
    }
}
