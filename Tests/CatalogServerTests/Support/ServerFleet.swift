import CatalogCore
import CatalogServer
import CatalogStore
import CatalogTestSupport
import Foundation
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// The three sample projects registered, installed and scanned in a fresh store, and the server
/// application built on that store with a token and a log that tests can read.
struct ServerFleet {
    static let token = "test-token-0123456789abcdef"

    let sample: SampleFleet
    let logs: LogCapture

    var catalog: Catalog { sample.catalog }
    var storePath: String { sample.storePath }
    /// Project name → database name.
    var databases: [String: String] { sample.databases }
    var cluster: TemporaryCluster { sample.cluster }

    static func make(
        _ names: [String] = Fixtures.projectNames, on cluster: TemporaryCluster? = nil, scan: Bool = true, store: StoreKind = .sqlite
    ) throws -> ServerFleet {
        ServerFleet(sample: try SampleFleet.make(names, on: cluster, scan: scan, store: store), logs: LogCapture())
    }

    /// What a `catalog` process on the same store prints for `arguments` (exit status checked).
    func cli(_ arguments: [String]) throws -> String {
        let run = try sample.run(arguments)
        #expect(run.status == 0, "\(run.stderr) \(run.stdout)")
        return run.stdout
    }

    /// The server's configuration for this fleet's store, with the test token and captured logs.
    func configuration(token: String? = ServerFleet.token, _ adjust: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var configuration = ServerConfiguration(
            port: 0, token: token, store: sample.store.location,
            queryTimeout: 5, logger: logs.logger())
        adjust(&configuration)
        return configuration
    }

    /// The application, ready for `test(.router)`.
    func application(token: String? = ServerFleet.token, _ adjust: (inout ServerConfiguration) -> Void = { _ in }) throws -> CatalogApplication {
        try CatalogApplication(configuration(token: token, adjust))
    }
}

/// Keeps every log line the server writes, so tests can check what was (and was not) logged.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    func logger() -> Logger {
        Logger(label: "catalog.serve") { label in
            var handler = JSONLogHandler(label: label) { line in self.lines.withLock { $0.append(line) } }
            handler.logLevel = .debug
            return handler
        }
    }

    var text: String { lines.withLock { $0.joined() } }
}
