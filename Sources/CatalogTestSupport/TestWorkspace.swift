import Foundation
import PostgresClient

/// What a test process shares: one throwaway cluster, started on first use, and one scratch
/// directory; both are removed when the process exits. Each test makes its own databases and
/// directories inside them, so tests run in parallel without sharing state.
public enum TestWorkspace {
    nonisolated(unsafe) private static var sharedCluster: TemporaryCluster?
    nonisolated(unsafe) private static var sharedScratch: URL?
    private static let lock = NSLock()

    /// The process's cluster. Tests that stop a server (pause/resume) make their own instead.
    public static func cluster() throws -> TemporaryCluster {
        try locked {
            if let sharedCluster { return sharedCluster }
            // Both test targets run in one process and share it, warm pools included.
            let cluster = try TemporaryCluster(settings: ["max_connections": "400"])
            sharedCluster = cluster
            registerCleanup()
            return cluster
        }
    }

    /// A new, uniquely named database on `cluster` (the shared one by default), loaded with a
    /// fixture project or an SQL script. Named after the fixture unless a prefix is given.
    public static func database(
        fixture: String? = nil, script: String? = nil, prefix: String? = nil,
        on cluster: TemporaryCluster? = nil
    ) throws -> (name: String, url: String) {
        let cluster = try cluster ?? self.cluster()
        let name = "\(prefix ?? fixture ?? "t")_\(UUID().uuidString.prefix(8).lowercased())"
        try cluster.createDatabase(name, script: try fixture.map(Fixtures.projectSQL) ?? script)
        return (name, cluster.url(database: name))
    }

    /// The `catalog` binary built beside the test bundle, else the debug build's.
    public static var catalogBinary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("catalog").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return Fixtures.root.appendingPathComponent(".build/debug/catalog").path
    }

    /// Checks `condition` every `interval` seconds until it holds or `seconds` have passed; returns
    /// whether it held. It stops checking as soon as it holds.
    @discardableResult
    public static func wait(upTo seconds: Double, every interval: Double = 0.01, until condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if try condition() { return true }
            if Date() >= deadline { return false }
            usleep(useconds_t(interval * 1_000_000))
        }
    }

    /// A new directory inside the process's scratch directory.
    public static func temporaryDirectory() throws -> URL {
        let url = try scratch().appendingPathComponent(UUID().uuidString.prefix(8).lowercased())
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// `catalog-tests-PID` in the system's temporary directory, readable by other users (some
    /// tests run the binary as `nobody`). Scratch directories of test processes that are gone
    /// (killed before their exit handler ran) are swept on the way.
    private static func scratch() throws -> URL {
        try locked {
            if let sharedScratch { return sharedScratch }
            let temporary = URL(fileURLWithPath: NSTemporaryDirectory())
            sweepAbandoned(in: temporary)
            let url = temporary.appendingPathComponent("catalog-tests-\(getpid())")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            sharedScratch = url
            registerCleanup()
            return url
        }
    }

    private static func sweepAbandoned(in temporary: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix("catalog-tests-") {
            guard let pid = Int32(name.dropFirst("catalog-tests-".count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
            }
        }
    }

    nonisolated(unsafe) private static var cleanupRegistered = false

    private static func registerCleanup() {
        guard !cleanupRegistered else { return }
        cleanupRegistered = true
        atexit { TestWorkspace.cleanUp() }
    }

    private static func cleanUp() {
        sharedCluster?.stop()
        if let sharedScratch { try? FileManager.default.removeItem(at: sharedScratch) }
    }

    private static func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}

/// Compares text with a file under `fixtures/golden/`. Run with `UPDATE_GOLDEN=1` to rewrite the files.
public enum Golden {
    /// True when `actual` is the file's text; with `UPDATE_GOLDEN=1` the file is rewritten and
    /// this is true. A mismatch also says on stderr how to accept an intended change.
    public static func matches(_ actual: String, _ name: String) throws -> Bool {
        let url = Fixtures.url("golden/\(name)")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return true
        }
        guard try String(contentsOf: url, encoding: .utf8) == actual else {
            FileHandle.standardError.write(
                Data("output differs from fixtures/golden/\(name); if the change is intended, rerun with UPDATE_GOLDEN=1\n".utf8))
            return false
        }
        return true
    }
}
