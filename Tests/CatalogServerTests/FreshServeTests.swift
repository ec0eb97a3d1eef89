import CatalogCore
import CatalogServer
import CatalogStore
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

    // MARK: From memory, kept fresh by the background check (`--refresh-interval`)

    /// Waits (up to 20 s) until the background check has completed once.
    static func waitForCheck(_ app: CatalogApplication) async throws {
        for _ in 0..<200 where app.memory.snapshot.checkedAt == nil {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(app.memory.snapshot.checkedAt != nil, "the background check never completed")
    }

    /// Searches until `done` holds for an answer, up to `limit` seconds; returns the answer and how long it took.
    static func searchUntil(
        _ client: some TestClientProtocol, _ uri: String = search, limit: Double, _ done: (TestResponse) -> Bool
    ) async throws -> (response: TestResponse, seconds: Double) {
        let start = Date()
        while true {
            let response = try await client.get(uri)
            let seconds = Date().timeIntervalSince(start)
            if done(response) || seconds > limit { return (response, seconds) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The tables of one project's matches.
    static func tables(_ response: TestResponse, project: String) -> [String] {
        (response.object["matches"] as? [[String: Any]] ?? []).filter { $0["project"] as? String == project }.compactMap { $0["table"] as? String }
    }

    @Test func fromMemoryAWriteIsSeenWithinTheIntervalARollbackNeverAndTheRowsAreTheLiveReads() async throws {
        let fleet = try ServerFleet.make()
        let interval = 2.0
        let app = try fleet.application { $0.refreshInterval = interval }
        try await app.application.test(.router) { client in
            try await Self.waitForCheck(app)
            // Under a loaded machine a check can take longer than the interval; then the answer is checked at request time.
            let (first, _) = try await Self.searchUntil(client, limit: 30) { $0.object["checked"] as? String == "background" }
            #expect(first.status == .ok)
            #expect(first.object["checked"] as? String == "background", "\(first.text)")
            #expect((first.object["age_ms"] as? Int).map { $0 <= Int(interval * 1000) } == true, "\(first.text)")
            #expect(Self.freshness(first) == ["crm": "background_check", "saas": "background_check", "shop": "background_check"])
            #expect(first.object["stale"] == nil)
            let live = try await client.get(Self.search + "&live=true")
            #expect(try Self.matches(first.text) == Self.matches(live.text))

            let shop = try fleet.sample.connect("shop")
            try shop.query("BEGIN")
            try shop.query("INSERT INTO _metadata.mappings_table (table_name) VALUES ('never_committed')")
            try shop.query(
                "INSERT INTO _metadata.mappings_column (table_id, pg_column) SELECT id, 'email' FROM _metadata.mappings_table WHERE table_name = 'never_committed'"
            )
            try shop.query("ROLLBACK")
            try shop.query("INSERT INTO _metadata.mappings_table (table_name) VALUES ('audit_trail')")
            try shop.query(
                "INSERT INTO _metadata.mappings_column (table_id, pg_column) SELECT id, 'email' FROM _metadata.mappings_table WHERE table_name = 'audit_trail'"
            )
            let committed = Date()
            // Every answer from memory whose check began after the commit holds the write: an answer
            // says how old its check is (`age_ms`), so this holds however slow the machine is.
            var seen = first
            var seconds = 0.0
            while seconds < 30 {
                let sent = Date()
                let response = try await client.get(Self.search)
                seconds = Date().timeIntervalSince(committed)
                let holds = Self.tables(response, project: "shop").contains("audit_trail")
                if response.object["checked"] as? String == "background", let age = response.object["age_ms"] as? Int,
                    sent.addingTimeInterval(-Double(age) / 1000) > committed.addingTimeInterval(0.05)
                {
                    #expect(holds, "a check that began after the commit misses it: \(response.text)")
                }
                #expect(!Self.tables(response, project: "shop").contains("never_committed"))
                if holds, response.object["checked"] as? String == "background" {
                    seen = response
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(Self.tables(seen, project: "shop").contains("audit_trail"), "never seen from memory: \(seen.text)")
            // One interval and one check on a quiet machine; loosely bounded here (the suite runs in parallel).
            #expect(seconds <= interval + 10, "seen after \(seconds) s")
            #expect(seen.object["checked"] as? String == "background")
            #expect(!Self.tables(seen, project: "shop").contains("never_committed"))
            let liveAfter = try await client.get(Self.search + "&live=true")
            #expect(try Self.matches(seen.text) == Self.matches(liveAfter.text))

            // fresh=request checks at request time, as without the background check.
            let request = try await client.get(Self.search + "&fresh=request")
            #expect(request.object["checked"] as? String == "request")
            #expect(request.object["age_ms"] == nil)
            #expect(Self.freshness(request).values.allSatisfy { $0 == "server_signal" }, "\(Self.freshness(request))")
            #expect(try Self.matches(request.text) == Self.matches(liveAfter.text))
            let bad = try await client.get(Self.search + "&fresh=sometimes")
            #expect(bad.status == .badRequest)
        }
    }

    @Test func fromMemoryAServerDownFailsItsProjectsWhileTheOthersAnswer() async throws {
        let fleet = try ServerFleet.make()
        let other = try TemporaryCluster()
        defer { other.stop() }
        let database = try TestWorkspace.database(fixture: "shop", on: other)
        try fleet.catalog.addProject(name: "remote", dsn: database.url)
        #expect(try fleet.catalog.installMetadata(ProjectSelection(names: ["remote"])).allSatisfy { $0.outcome == .ok })
        let app = try fleet.application { $0.refreshInterval = 5 }
        try await app.application.test(.router) { client in
            try await Self.waitForCheck(app)
            let (before, _) = try await Self.searchUntil(client, limit: 30) { Self.freshness($0)["remote"] == "background_check" }
            #expect(Self.freshness(before)["remote"] == "background_check", "\(before.text)")
            other.stop()
            let (after, _) = try await Self.searchUntil(client, limit: 30) { response in
                response.object["checked"] as? String == "background"
                    && (response.object["failures"] as? [[String: Any]] ?? []).contains { $0["project"] as? String == "remote" }
            }
            let failed = (after.object["failures"] as? [[String: Any]] ?? []).compactMap { $0["project"] as? String }
            #expect(failed == ["remote"], "\(after.text)")
            #expect(Self.freshness(after) == ["crm": "background_check", "saas": "background_check", "shop": "background_check"])
            #expect(after.object["checked"] as? String == "background")
            #expect(!Self.tables(after, project: "shop").isEmpty)
        }
    }

    @Test func fromMemoryAProjectRemovedByAnotherProcessIsGoneWithinASecond() async throws {
        let fleet = try ServerFleet.make()
        // A long interval: only the store's change version can make the removal seen this soon.
        let app = try fleet.application { $0.refreshInterval = 30 }
        try await app.application.test(.router) { client in
            try await Self.waitForCheck(app)
            let (before, _) = try await Self.searchUntil(client, limit: 30) { Self.freshness($0)["crm"] == "background_check" }
            #expect(Self.freshness(before)["crm"] == "background_check")
            let removal = try ChildProcess(
                TestWorkspace.catalogBinary, ["project", "remove", "crm", "--store", fleet.storePath], environment: ["CATALOG_STORE": ""]
            ).run()
            #expect(removal.status == 0, "\(removal.stderr)")
            let (after, seconds) = try await Self.searchUntil(client, limit: 30) { Self.freshness($0)["crm"] == nil }
            #expect(Self.freshness(after) == ["saas": "background_check", "shop": "background_check"], "\(after.text)")
            // One poll (1 s) and a reload on a quiet machine; bounded loosely, since the suite runs in parallel on two cores.
            #expect(seconds <= 20, "seen after \(seconds) s")
        }
    }

    @Test func onAPostgreSQLStoreAWriteIsHeardAtOnceAndARegistryDownAnswersFromMemoryMarkedStale() async throws {
        let fleet = try ServerFleet.make()
        // The registry on a cluster of its own, so it can be stopped.
        let registryCluster = try TemporaryCluster()
        defer { registryCluster.stop() }
        let registry = try TestWorkspace.database(prefix: "registry", on: registryCluster)
        let local = try TestWorkspace.temporaryDirectory().appendingPathComponent("registry").path
        let location = StoreLocation(registry: registry.url, localPath: local)
        let shared = try Catalog(location: location)
        // A shared registry keeps no passwords: the projects' go in a passfile.
        let passfile = try TestWorkspace.temporaryDirectory().appendingPathComponent("pgpass").path
        var lines: [String] = []
        for project in try fleet.catalog.listProjects() {
            let dsn = try ConnectionString(project.dsn)
            let host = dsn["host"] ?? "127.0.0.1"
            let port = dsn["port"] ?? "5432"
            let user = dsn["user"] ?? "postgres"
            lines.append("\(host):\(port):*:\(user):\(dsn["password"] ?? "")")
            try shared.addProject(
                name: project.name, dsn: "host=\(host) port=\(port) user=\(user) dbname=\(dsn["dbname"] ?? "") passfile=\(passfile)")
        }
        FileManager.default.createFile(
            atPath: passfile, contents: Data(Set(lines).joined(separator: "\n").appending("\n").utf8), attributes: [.posixPermissions: 0o600])
        // A long interval: only the notification (or the 1 s poll) makes a write seen this soon.
        let app = try CatalogApplication(
            fleet.configuration {
                $0.store = location
                $0.refreshInterval = 30
            })
        try await app.application.test(.router) { client in
            try await Self.waitForCheck(app)
            let (before, _) = try await Self.searchUntil(client, limit: 30) { $0.object["checked"] as? String == "background" }
            #expect(Self.freshness(before) == ["crm": "background_check", "saas": "background_check", "shop": "background_check"])
            try shared.removeProject(named: "crm")
            let (after, seconds) = try await Self.searchUntil(client, limit: 30) { Self.freshness($0)["crm"] == nil }
            #expect(Self.freshness(after) == ["saas": "background_check", "shop": "background_check"], "\(after.text)")
            #expect(seconds <= 20, "seen after \(seconds) s")

            registryCluster.stop()
            let (stale, _) = try await Self.searchUntil(client, limit: 10) { $0.object["stale"] as? Bool == true }
            #expect(stale.status == .ok)
            #expect(stale.object["stale"] as? Bool == true, "\(stale.text)")
            #expect((stale.object["stale_reason"] as? String)?.isEmpty == false)
            #expect(Self.freshness(stale) == ["saas": "background_check", "shop": "background_check"])
            #expect(try Self.matches(stale.text) == Self.matches(after.text))
            #expect(!"\(stale.text)".contains(registry.url))
        }
    }
}
