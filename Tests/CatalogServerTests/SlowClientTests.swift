import CatalogCore
import CatalogServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Slowloris: connections that send nothing, or half a request, are closed after the idle timeout
/// instead of holding a socket (and a file descriptor) for good.
@Suite struct SlowClientTests {
    @Test func idleAndPartialConnectionsAreClosedWithinTheTimeout() async throws {
        let fleet = try ServerFleet.make([])
        try await fleet.application { $0.idleTimeout = 1 }.application.test(.live) { client in
            let port = try #require(client.port)
            let silent = try RawConnection(port: port)
            let half = try RawConnection(port: port)
            half.send("GET /api/v1/projects HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(ServerFleet.token)\r\nX-Slow: ")
            let trickle = try RawConnection(port: port)
            let kept = try RawConnection(port: port)
            kept.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")

            async let trickling: Void = {
                for byte in "GET /api/v1/projects HTTP/1.1\r\nHost: localh" {
                    trickle.send(String(byte))
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }()
            async let silentEnd = silent.readUntilClosed(within: 10)
            async let halfEnd = half.readUntilClosed(within: 10)
            async let trickleEnd = trickle.readUntilClosed(within: 10)
            async let keptEnd = kept.readUntilClosed(within: 10)
            let results = await [silentEnd, halfEnd, trickleEnd, keptEnd]
            _ = await trickling
            for (name, result) in zip(["silent", "half a request", "trickled bytes", "idle after an answer"], results) {
                let closed = try #require(result.closedAfter, "\(name) was never closed")
                #expect(closed < 4, "\(name) closed after \(closed) s")
            }
            #expect(results[3].text.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func theIdleTimeoutMustBeASaneNumberOfSeconds() throws {
        let fleet = try ServerFleet.make([])
        for seconds in [0, -1, .infinity, .nan, 1e300] {
            #expect(throws: CatalogError.self, "\(seconds)") { try fleet.application { $0.idleTimeout = seconds } }
        }
    }
}
