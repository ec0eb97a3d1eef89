import CatalogCore
import CatalogServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// DNS rebinding: a page on another name re-pointed at 127.0.0.1 sends its own name in `Host`.
/// Every request but `/healthz` must name this server: loopback, `--host` or a `--public-url`.
@Suite struct HostCheckTests {
    static let bearer = "Authorization: Bearer \(ServerFleet.token)\r\n"

    @Test func aForeignHostIsRefusedOnEveryRouteButHealth() async throws {
        let fleet = try ServerFleet.make(["saas"])
        try await fleet.application().application.test(.live) { client in
            let port = try #require(client.port)
            for path in ["/api/v1/projects", "/", "/assets/app.js", "/openapi.json", "/metrics"] {
                let foreign = try await RawConnection.request(port: port, "GET \(path) HTTP/1.1\r\nHost: evil.example:\(port)\r\n\(Self.bearer)")
                #expect(foreign.status == 421, "\(path)")
                #expect(foreign.body.contains("\"unknown_host\""), "\(path)")
                #expect(foreign.body.contains("--public-url"), "\(path)")
                #expect(!foreign.body.contains("saas"))
            }
            let write = try await RawConnection.request(
                port: port, "POST /api/v1/projects/saas/export HTTP/1.1\r\nHost: evil.example\r\n\(Self.bearer)Content-Length: 0\r\n")
            #expect(write.status == 421)
            let noHost = try await RawConnection.request(port: port, "GET /api/v1/projects HTTP/1.0\r\n\(Self.bearer)")
            #expect(noHost.status == 421)
            let health = try await RawConnection.request(port: port, "GET /healthz HTTP/1.1\r\nHost: evil.example\r\n")
            #expect(health.status == 200)
            for host in ["localhost:\(port)", "127.0.0.1:\(port)", "[::1]:\(port)", "LocalHost"] {
                let own = try await RawConnection.request(port: port, "GET /api/v1/projects HTTP/1.1\r\nHost: \(host)\r\n\(Self.bearer)")
                #expect(own.status == 200, "\(host)")
            }
        }
        #expect(try fleet.catalog.store.exports(project: "saas").isEmpty)
    }

    @Test func publicURLsAndTheHostAddressAreAccepted() async throws {
        let fleet = try ServerFleet.make([])
        let app = try fleet.application {
            $0.host = "127.0.0.1"
            $0.publicURLs = ["https://Catalog.Example.com", "http://10.1.2.3:8080"]
        }
        try await app.application.test(.live) { client in
            let port = try #require(client.port)
            for (host, status) in [
                ("catalog.example.com", 200), ("catalog.example.com:443", 200), ("10.1.2.3:8080", 200),
                ("other.example.com", 421), ("catalog.example.com.evil.example", 421), ("10.1.2.4", 421),
            ] {
                let response = try await RawConnection.request(port: port, "GET /api/v1/projects HTTP/1.1\r\nHost: \(host)\r\n\(Self.bearer)")
                #expect(response.status == status, "\(host)")
            }
        }
        #expect(throws: CatalogError.self) { try fleet.application { $0.publicURLs = ["catalog.example.com"] } }
    }
}
