import CatalogCore
import CatalogSupport
import CatalogTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `catalog serve` process: the token it generates, and a port already taken.
@Suite struct ServeProcessTests {
    @Test func withoutATokenFileServeGeneratesOneAndLogsOnlyItsPath() async throws {
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("catalog.sqlite").path
        let port = try TemporaryCluster.freePort()
        let errors = try TestWorkspace.temporaryDirectory().appendingPathComponent("stderr.log")
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: TestWorkspace.catalogBinary)
        server.arguments = ["serve", "--port", String(port), "--store", store, "--log-level", "notice"]
        server.standardError = try FileHandle(forWritingTo: errors)
        try server.run()
        defer { kill(server.processIdentifier, SIGKILL) }
        let base = "http://127.0.0.1:\(port)"
        #expect(try await GracefulShutdownTests.waitUntilUp(URL(string: base + "/healthz")!))

        let file = store + ".serve-token"
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        let token = try tokenIn(file)
        let log = try String(contentsOf: errors, encoding: .utf8)
        #expect(log.contains(file))
        #expect(!log.contains(token))

        let url = URL(string: base + "/api/v1/projects")!
        let (_, anonymous) = try await URLSession.shared.data(from: url)
        #expect((anonymous as? HTTPURLResponse)?.statusCode == 401)
        var request = URLRequest(url: url)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (_, signed) = try await URLSession.shared.data(for: request)
        #expect((signed as? HTTPURLResponse)?.statusCode == 200)
    }

    @Test func aPortInUseIsOneLineNamingPort() throws {
        let taken = try SilentServer()
        let file = try TestWorkspace.temporaryDirectory().appendingPathComponent("token").path
        try "a-long-enough-token-value\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("catalog.sqlite").path
        let outcome = try ChildProcess(
            TestWorkspace.catalogBinary,
            [
                "serve", "--port", String(taken.port), "--token-file", file, "--store", store,
            ]
        ).run()
        #expect(outcome.status == 2)
        #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("already in use"))
        #expect(outcome.stderr.contains("--port"))
        #expect(!outcome.stderr.contains("errno"))
    }

    /// The token as `catalog serve` reads it: the file without its trailing newline.
    private func tokenIn(_ file: String) throws -> String {
        try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
