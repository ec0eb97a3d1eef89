import CatalogTestSupport
import Foundation
import PostgresClient

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Real `catalog serve` processes on 127.0.0.1 ports sharing one registry, a PostgreSQL cluster of
/// their own that a test may stop and start. Each replica writes its log beside the others.
final class ReplicaSet: @unchecked Sendable {
    static let token = "replica-token-0123456789abcdef"

    let registry: TemporaryCluster
    /// The registry's connection string (with the throwaway cluster's password).
    let store: String
    let directory: URL
    let ports: [Int]
    let leaseSeconds: Double
    private let tokenFile: String
    private let lock = NSLock()
    private var processes: [Int: Process] = [:]

    /// The environment every replica and CLI run gets: no inherited store, local files in scratch,
    /// and the project cluster's password for project connections (a registry keeps none).
    let environment: [String: String]

    init(count: Int = 3, leaseSeconds: Double = 2) throws {
        registry = try TemporaryCluster()
        try registry.createDatabase("catalog")
        store = registry.url(database: "catalog")
        directory = try TestWorkspace.temporaryDirectory()
        ports = try (0..<count).map { _ in try TemporaryCluster.freePort() }
        self.leaseSeconds = leaseSeconds
        tokenFile = directory.appendingPathComponent("token").path
        try Self.token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        chmod(tokenFile, 0o600)
        environment = [
            "CATALOG_STORE": "", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "XDG_DATA_HOME": directory.appendingPathComponent("data").path,
            "PGPASSWORD": try TestWorkspace.cluster().password,
        ]
    }

    deinit {
        for process in processes.values where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        registry.stop()
    }

    /// The replica's name: `r0`, `r1`, ….
    func name(_ index: Int) -> String { "r\(index)" }

    func base(_ index: Int) -> String { "http://127.0.0.1:\(ports[index])" }

    /// Starts replica `index` (again) and waits until it answers.
    func start(_ index: Int, extra: [String] = []) async throws {
        let log = directory.appendingPathComponent("\(name(index)).log").path
        if !FileManager.default.fileExists(atPath: log) { FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: TestWorkspace.catalogBinary)
        server.arguments =
            [
                "serve", "--port", String(ports[index]), "--store", store, "--token-file", tokenFile, "--replica-name", name(index),
                "--token-name", "ci-bot", "--lease-seconds", String(leaseSeconds), "--log-level", "notice",
                "--backup-dir", directory.appendingPathComponent("backups").path,
            ] + extra
        server.environment = environment
        server.standardError = handle
        server.standardOutput = handle
        try server.run()
        lock.withLock { processes[index] = server }
        guard try await waitUntilUp(index) else { throw ClusterError("replica \(name(index)) did not start; see \(log)") }
    }

    /// Kills replica `index` with SIGKILL and waits for it to be gone.
    func kill9(_ index: Int) {
        guard let process = lock.withLock({ processes[index] }) else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The process id of replica `index`.
    func pid(_ index: Int) -> Int32? { lock.withLock { processes[index]?.processIdentifier } }

    /// True while replica `index`'s process runs.
    func isRunning(_ index: Int) -> Bool { lock.withLock { processes[index]?.isRunning ?? false } }

    func waitUntilUp(_ index: Int) async throws -> Bool {
        for _ in 0..<300 {
            if let (_, response) = try? await URLSession.shared.data(from: URL(string: base(index) + "/healthz")!),
                (response as? HTTPURLResponse)?.statusCode == 200
            {
                return true
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Sends a request to replica `index` with the bearer token (or `cookie`); returns the status and the body as JSON.
    func request(
        _ index: Int, _ method: String, _ path: String, json: String? = nil, cookie: String? = nil, bearer: Bool = true
    ) async throws -> (status: Int, body: [String: Any], headers: [AnyHashable: Any]) {
        var request = URLRequest(url: URL(string: base(index) + path)!)
        request.httpMethod = method
        request.timeoutInterval = 30
        if bearer, cookie == nil { request.setValue("Bearer \(Self.token)", forHTTPHeaderField: "Authorization") }
        if let cookie {
            request.setValue("catalog_session=\(cookie)", forHTTPHeaderField: "Cookie")
            // A page's writes carry its origin (OriginCheck).
            if method != "GET" { request.setValue(base(index), forHTTPHeaderField: "Origin") }
        }
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(json.utf8)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        let body = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return (http?.statusCode ?? 0, body, http?.allHeaderFields ?? [:])
    }

    /// One row of the registry, read directly: the lease `name`'s holder and epoch.
    func lease(_ name: String) throws -> (holder: String, epoch: Int64, expires: Double)? {
        let connection = try registry.connect(database: "catalog")
        let result = try connection.query("SELECT holder, epoch, expires_at FROM catalog.leader_lease WHERE name = $1", [name])
        guard let row = result.rows.first, let holder = row[0], let epoch = row[1].flatMap({ Int64($0) }),
            let expires = row[2].flatMap({ Double($0) })
        else { return nil }
        return (holder, epoch, expires)
    }

    /// The replica whose process holds the lease `name`, from the holder's `name:pid:random`.
    func leader(of lease: String) throws -> Int? {
        guard let holder = try self.lease(lease)?.holder else { return nil }
        let parts = holder.split(separator: ":")
        guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]) else { return nil }
        return lock.withLock { processes.first { $0.value.processIdentifier == pid && $0.value.isRunning }?.key }
    }

    /// Runs a query on the registry and returns its rows.
    func rows(_ sql: String) throws -> [[String?]] {
        try registry.connect(database: "catalog").query(sql).rows
    }
}
