import CatalogCore
import CatalogServer
import CatalogSupport
import CatalogTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresClient
import Testing

/// `catalog serve` answers searches on the fresh path: per server one revision query on a kept-open
/// connection, then only the projects that changed are read, so between requests a server holds a
/// few of the service's connections, not one per project.
@Suite struct FreshServeTests {
    static let search = "/api/v1/search/columns?name=email"

    /// The sessions `catalog serve` holds on `cluster`, by database, once those closing have gone
    /// (a backend leaves `pg_stat_activity` a moment after its client closes): waits up to 3 s for
    /// the count to drop to `bound`, and returns what is there then.
    static func held(on cluster: TemporaryCluster, bound: Int) async throws -> [String: Int] {
        let connection = try cluster.connect()
        var sessions: [String: Int] = [:]
        for _ in 0..<30 {
            sessions = [:]
            for record in try connection.query(
                "SELECT datname, count(*) AS sessions FROM pg_stat_activity WHERE application_name = $1 GROUP BY datname",
                [WarmPool.applicationName]
            ).records {
                sessions[record["datname"] ?? "", default: 0] += record.int("sessions") ?? 0
            }
            if sessions.values.reduce(0, +) <= bound { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return sessions
    }

    /// Each source's freshness, by project.
    static func freshness(_ response: TestResponse) -> [String: String] {
        var freshness: [String: String] = [:]
        for source in response.object["sources"] as? [[String: Any]] ?? [] {
            freshness[source["project"] as? String ?? ""] = source["freshness"] as? String
        }
        return freshness
    }

    /// The matches of an answer as JSON text, in the answer's order.
    static func matches(_ text: String) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let data = try JSONSerialization.data(withJSONObject: object?["matches"] ?? [], options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// Changes every project's `_metadata` (a label set to itself: the revision moves, the rows do not).
    static func touchEveryProject(_ fleet: ServerFleet) throws {
        for project in fleet.databases.keys {
            try fleet.sample.connect(project).query("UPDATE _metadata.mappings_table SET label = label")
        }
    }

    @Test func betweenRequestsAServerHoldsTheRevisionConnectionAndAFewMore() async throws {
        let cluster = try TemporaryCluster()
        defer { cluster.stop() }
        let fleet = try ServerFleet.make(on: cluster)
        // Three projects, at most one project connection kept idle: one per project would be three.
        let app = try fleet.application { $0.poolIdlePerServer = 1 }
        try await app.application.test(.router) { client in
            // The first search fills the index (nothing to compare a published revision with yet).
            let first = try await client.get(Self.search)
            #expect(Self.freshness(first) == ["crm": "project_read", "saas": "project_read", "shop": "project_read"])
            #expect(app.signalPool.statistics.opened == 0)
            for _ in 0..<3 {
                try Self.touchEveryProject(fleet)
                let response = try await client.get(Self.search)
                #expect(response.status == .ok)
                #expect((response.object["failures"] as? [Any])?.isEmpty == true)
                #expect(Self.freshness(response) == ["crm": "project_read", "saas": "project_read", "shop": "project_read"])
                let held = try await Self.held(on: cluster, bound: 2)
                #expect(held.values.reduce(0, +) <= 2, "\(held)")
                #expect(held["postgres"] == 1, "the revision query's connection is on the maintenance database: \(held)")
                #expect(app.pool.statistics.idle <= 1)
                #expect(app.signalPool.statistics.open == 1)
            }
            // Nothing changed: the index answers, confirmed by the one revision query; no project is read.
            let opened = app.pool.statistics.opened
            let quiet = try await client.get(Self.search)
            #expect(Self.freshness(quiet) == ["crm": "server_signal", "saas": "server_signal", "shop": "server_signal"])
            #expect(app.pool.statistics.opened == opened)
            #expect(app.signalPool.statistics.opened == 1)
            #expect(app.signalPool.statistics.reused == 3)
        }
    }

    @Test func withTheDefaultsAServerHoldsAtMostFourConnections() async throws {
        let cluster = try TemporaryCluster()
        defer { cluster.stop() }
        let fleet = try ServerFleet.make(on: cluster)
        // Seven projects on one server: one held per project would be seven.
        for copy in 1...4 {
            let database = try TestWorkspace.database(fixture: "shop", on: cluster)
            try fleet.catalog.addProject(name: "shop\(copy)", dsn: database.url)
        }
        let extra = ProjectSelection(names: (1...4).map { "shop\($0)" })
        #expect(try fleet.catalog.installMetadata(extra).allSatisfy { $0.outcome == .ok })
        let app = try fleet.application()
        try await app.application.test(.router) { client in
            for uri in [Self.search + "&live=true", Self.search, "/api/v1/search/tables?name=orders&live=true"] {
                let response = try await client.get(uri)
                #expect((response.object["failures"] as? [Any])?.isEmpty == true)
                #expect((response.object["sources"] as? [Any])?.count == 7)
                let held = try await Self.held(on: cluster, bound: 4)
                #expect(held.values.reduce(0, +) <= 4, "\(uri): \(held)")
            }
        }
    }

    @Test func aWriteIsSeenAtOnceAndTheAnswerIsTheLiveReadsAnswer() async throws {
        let fleet = try ServerFleet.make()
        let app = try fleet.application()
        try await app.application.test(.router) { client in
            _ = try await client.get(Self.search)
            let before = try await client.get(Self.search)
            #expect(Self.freshness(before).values.allSatisfy { $0 == "server_signal" }, "\(Self.freshness(before))")

            let shop = try fleet.sample.connect("shop")
            try shop.query("INSERT INTO _metadata.mappings_table (table_name) VALUES ('audit_trail')")
            try shop.query(
                "INSERT INTO _metadata.mappings_column (table_id, pg_column) SELECT id, 'email' FROM _metadata.mappings_table WHERE table_name = 'audit_trail'"
            )
            // A rolled-back write publishes nothing and is not seen.
            try shop.query("BEGIN")
            try shop.query("INSERT INTO _metadata.mappings_table (table_name) VALUES ('never_committed')")
            try shop.query(
                "INSERT INTO _metadata.mappings_column (table_id, pg_column) SELECT id, 'email' FROM _metadata.mappings_table WHERE table_name = 'never_committed'"
            )
            try shop.query("ROLLBACK")

            let fresh = try await client.get(Self.search)
            #expect(Self.freshness(fresh) == ["crm": "server_signal", "saas": "server_signal", "shop": "project_read"])
            let tables = (fresh.object["matches"] as? [[String: Any]] ?? []).filter { $0["project"] as? String == "shop" }.compactMap {
                $0["table"] as? String
            }
            #expect(tables.contains("audit_trail"))
            #expect(!tables.contains("never_committed"))

            let live = try await client.get(Self.search + "&live=true")
            #expect(Self.freshness(live).values.allSatisfy { $0 == "project_read" })
            let command = try ChildProcess(
                TestWorkspace.catalogBinary, ["find-column", "email", "--live", "--store", fleet.storePath, "--format", "json"],
                environment: ["CATALOG_STORE": ""]
            ).run()
            #expect(command.status == 0, "\(command.stderr)")
            #expect(try Self.matches(fresh.text) == Self.matches(live.text))
            #expect(try Self.matches(fresh.text) == Self.matches(command.stdout))

            // The next search finds shop unchanged again, and still answers the same rows.
            let again = try await client.get(Self.search)
            #expect(Self.freshness(again)["shop"] == "server_signal")
            #expect(try Self.matches(again.text) == Self.matches(live.text))
        }
    }
}
