import CatalogCore
import CatalogStore
import CatalogSupport
import CatalogTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `catalog serve` process: SIGTERM lets a request in flight finish, then the process exits 0.
@Suite struct GracefulShutdownTests {
    @Test func sigtermLetsInFlightRequestsFinish() async throws {
        let hanging = try SilentServer()
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("catalog.sqlite").path
        let catalog = try Catalog(location: StoreLocation(path: store, isExplicit: true))
        try catalog.addProject(name: "hangs", dsn: "postgresql://app@127.0.0.1:\(hanging.port)/db")
        let port = try TemporaryCluster.freePort()

        let server = Process()
        server.executableURL = URL(fileURLWithPath: TestWorkspace.catalogBinary)
        server.arguments = ["serve", "--port", String(port), "--store", store, "--query-timeout", "5", "--log-level", "warning"]
        server.standardError = FileHandle.nullDevice
        try server.run()
        let base = "http://127.0.0.1:\(port)"
        #expect(try await Self.waitUntilUp(URL(string: base + "/healthz")!))

        let token = try String(contentsOfFile: store + ".serve-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        var search = URLRequest(url: URL(string: base + "/api/v1/search/columns?name=email")!)
        search.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let inFlight = Task { [search] in try await URLSession.shared.data(for: search) }
        // Long enough for the request to reach the server on a loaded CI machine (500 ms once was
        // not), and well within the 5 s the hanging project holds it.
        try await Task.sleep(for: .milliseconds(2000))
        kill(server.processIdentifier, SIGTERM)
        let (data, response) = try await inFlight.value
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let body = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let failures = body?["failures"] as? [[String: Any]] ?? []
        #expect(failures.first?["status"] as? String == "timed_out")

        let status = await OwnThread.run { () -> Int32 in
            server.waitUntilExit()
            return server.terminationStatus
        }
        #expect(status == 0)
        #expect(try await Self.waitUntilUp(URL(string: base + "/healthz")!, attempts: 1) == false)
    }

    /// Polls until the URL answers 200; false if it never does.
    static func waitUntilUp(_ url: URL, attempts: Int = 100) async throws -> Bool {
        for _ in 0..<attempts {
            if let (_, response) = try? await URLSession.shared.data(from: url), (response as? HTTPURLResponse)?.statusCode == 200 {
                return true
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
