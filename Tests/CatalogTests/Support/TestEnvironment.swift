import CatalogCore
import CatalogTestSupport
import Foundation
import PostgresClient

/// One throwaway cluster for the whole test process, started on first use and removed at exit.
/// Each test makes its own databases and store, so tests run in parallel without sharing state.
enum TestEnvironment {
    nonisolated(unsafe) private static var sharedCluster: TemporaryCluster?
    private static let lock = NSLock()

    static func cluster() throws -> TemporaryCluster {
        lock.lock()
        defer { lock.unlock() }
        if let sharedCluster { return sharedCluster }
        let cluster = try TemporaryCluster()
        sharedCluster = cluster
        atexit { TestEnvironment.stopCluster() }
        return cluster
    }

    static func stopCluster() {
        sharedCluster?.stop()
    }

    /// A new, uniquely named database, loaded with a fixture project or an SQL script.
    static func database(fixture: String? = nil, script: String? = nil, prefix: String = "t") throws -> (name: String, url: String) {
        let cluster = try cluster()
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        try cluster.createDatabase(name, script: try fixture.map(Fixtures.projectSQL) ?? script)
        return (name, cluster.url(database: name))
    }

    /// A fresh store in its own temporary directory.
    static func catalog() throws -> Catalog {
        try Catalog(location: StoreLocation(path: temporaryDirectory().appendingPathComponent("catalog.sqlite").path, isExplicit: true))
    }

    static func temporaryDirectory() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("catalog-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Runs the real `catalog` binary, built beside the test bundle, and captures what it prints.
struct CLIRun {
    var status: Int32
    var stdout: String
    var stderr: String

    var output: String { stdout + stderr }

    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("catalog").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return Fixtures.root.appendingPathComponent(".build/debug/catalog").path
    }

    /// Runs `catalog arguments…`; `user` runs it as another OS user through runuser.
    static func run(_ arguments: [String], store: String? = nil, user: String? = nil, environment: [String: String] = [:]) throws -> CLIRun {
        var allArguments = arguments
        if let store { allArguments += ["--store", store] }
        var env = environment
        env["CATALOG_STORE"] = env["CATALOG_STORE"] ?? ""
        let child = user.map { ChildProcess("/sbin/runuser", ["-u", $0, "--", binary] + allArguments, environment: env) }
            ?? ChildProcess(binary, allArguments, environment: env)
        let outcome = try child.run()
        return CLIRun(status: outcome.status, stdout: outcome.stdout, stderr: outcome.stderr)
    }
}
