import CatalogCore
import CatalogTestSupport
import Foundation
import PostgresClient

/// One throwaway cluster for this test target, started on first use and removed at exit. Tests
/// that stop a server (pause/resume) make their own cluster instead.
enum ServerTestEnvironment {
    nonisolated(unsafe) private static var sharedCluster: TemporaryCluster?
    private static let lock = NSLock()

    static func cluster() throws -> TemporaryCluster {
        lock.lock()
        defer { lock.unlock() }
        if let sharedCluster { return sharedCluster }
        let cluster = try TemporaryCluster()
        sharedCluster = cluster
        atexit { ServerTestEnvironment.sharedCluster?.stop() }
        return cluster
    }

    /// A new, uniquely named database on `cluster`, loaded with a fixture project.
    static func database(fixture: String, on cluster: TemporaryCluster? = nil) throws -> (name: String, url: String) {
        let cluster = try cluster ?? self.cluster()
        let name = "\(fixture)_\(UUID().uuidString.prefix(8).lowercased())"
        try cluster.createDatabase(name, script: try Fixtures.projectSQL(fixture))
        return (name, cluster.url(database: name))
    }

    /// A new temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("catalog-serve-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The `catalog` binary built beside the test bundle.
    static var catalogBinary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("catalog").path
    }
}
