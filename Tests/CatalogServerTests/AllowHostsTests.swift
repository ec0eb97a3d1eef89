import CatalogCore
import CatalogServer
import CatalogTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The API registers projects only on servers the operator allowed (`--allow-hosts`, or a server
/// that already holds a registered project), and never with the serve host's own sockets or
/// credential files unless `--allow-local-dsn`. The CLI is not restricted.
@Suite struct AllowHostsTests {
    static func add(_ client: some TestClientProtocol, _ name: String, _ dsn: String) async throws -> TestResponse {
        let body = String(data: try JSONSerialization.data(withJSONObject: ["name": name, "dsn": dsn]), encoding: .utf8)!
        return try await client.send(.post, "/api/v1/projects", json: body)
    }

    @Test func onlyServersThatAlreadyHoldAProjectWithoutAllowHosts() async throws {
        let fleet = try ServerFleet.make(["saas"])
        let port = fleet.cluster.port
        let otherPort = try TemporaryCluster.freePort()
        try await fleet.application().application.test(.router) { client in
            let same = try await Self.add(client, "same", fleet.cluster.url(database: "same"))
            #expect(same.status == .created)
            for dsn in [
                "postgresql://u:pw@127.0.0.1:\(otherPort)/x", "postgresql://u:pw@localhost:\(port)/x",
                "postgresql://u:pw@db.example/x", "host=127.0.0.1,10.9.9.9 port=\(port) user=u password=pw dbname=x",
                "host=127.0.0.1 hostaddr=10.9.9.9 port=\(port) user=u password=pw dbname=x",
            ] {
                let refused = try await Self.add(client, "elsewhere", dsn)
                #expect(refused.status == .forbidden, "\(dsn)")
                #expect(refused.errorCode == "server_not_allowed")
                #expect(refused.errorMessage?.contains("--allow-hosts") == true)
                #expect(!refused.text.contains("pw@"))
            }
        }
        #expect(try fleet.catalog.listProjects().map(\.name) == ["saas", "same"])
    }

    @Test func allowHostsNamesServersWithOrWithoutAPort() async throws {
        let fleet = try ServerFleet.make([])
        let app = try fleet.application { $0.allowHosts = ["db.example:5433", "any.example", "[fd00::1]:5432"] }
        try await app.application.test(.router) { client in
            let r1 = try await Self.add(client, "a", "postgresql://u:pw@db.example:5433/x")
            #expect(r1.status == .created)
            let r2 = try await Self.add(client, "b", "postgresql://u:pw@DB.example:5432/x")
            #expect(r2.status == .forbidden)
            let r3 = try await Self.add(client, "c", "host=any.example port=6000 user=u password=pw dbname=x")
            #expect(r3.status == .created)
            let r4 = try await Self.add(client, "d", "postgresql://u:pw@[fd00::1]/x")
            #expect(r4.status == .created)
        }
        #expect(throws: CatalogError.self) { try fleet.application { $0.allowHosts = ["db.example:port"] } }
    }

    @Test func socketsPassfilesAndServicesNeedAllowLocalDSN() async throws {
        let fleet = try ServerFleet.make(["saas"])
        let server = "host=127.0.0.1 port=\(fleet.cluster.port) user=u password=pw"
        let local = [
            "dbname=x", "host=/var/run/postgresql dbname=x", "postgresql:///x?host=/tmp", "host=@abstract dbname=x",
            "service=prod", "\(server) dbname=x service=prod", "\(server) dbname=x passfile=/root/.pgpass",
        ]
        try await fleet.application().application.test(.router) { client in
            for dsn in local {
                let refused = try await Self.add(client, "local", dsn)
                #expect(refused.status == .forbidden, "\(dsn)")
                #expect(refused.errorMessage?.contains("--allow-local-dsn") == true, "\(dsn)")
            }
        }
        try await fleet.application { $0.allowLocalDSN = true }.application.test(.router) { client in
            let r5 = try await Self.add(client, "sock", "host=/var/run/postgresql dbname=x")
            #expect(r5.status == .created)
            let r6 = try await Self.add(client, "pass", "\(server) dbname=x passfile=/root/.pgpass")
            #expect(r6.status == .created)
        }
    }

    @Test func theCLIIsNotRestricted() throws {
        let fleet = try ServerFleet.make([])
        _ = try fleet.catalog.addProject(name: "anywhere", dsn: "postgresql://u:pw@db.example:6543/x")
        _ = try fleet.catalog.addProject(name: "socket", dsn: "host=/var/run/postgresql dbname=x")
        #expect(try fleet.catalog.listProjects().count == 2)
    }
}
