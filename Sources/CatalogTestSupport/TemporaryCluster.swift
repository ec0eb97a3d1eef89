import CatalogSupport
import Foundation
import PostgresClient

/// A throwaway PostgreSQL cluster: `initdb` in a temporary directory, listening on 127.0.0.1 only
/// on a free port, stopped and deleted by `stop()`. Nothing about it is mocked.
///
/// As root, `initdb` and `postgres` run as the `postgres` user through `runuser`.
public final class TemporaryCluster: @unchecked Sendable {
    public let directory: URL
    public let port: Int
    public let superuser = "postgres"
    /// The superuser's password: TCP connections use scram-sha-256, so a wrong password is a real error.
    public let password: String
    public let binDirectory: String
    private let lock = NSLock()
    private var running = false
    /// The `-c` options the server was started with, so `resume()` comes back on the same port.
    private var serverOptions = ""

    /// Creates and starts a cluster. `settings` become `-c name=value` server options.
    public init(settings: [String: String] = [:]) throws {
        binDirectory = try Self.findBinDirectory()
        password = "pw-" + UUID().uuidString.prefix(12).lowercased()
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("catalog-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        let passwordFile = directory.appendingPathComponent("pwfile")
        try password.write(to: passwordFile, atomically: true, encoding: .utf8)
        if Self.isRoot { try Self.run("/bin/chown", ["-R", "postgres:postgres", directory.path]) }
        try runAsPostgres(
            "initdb",
            [
                "-D", dataDirectory, "-U", superuser, "--pwfile", passwordFile.path,
                "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
            ])
        var options: [String: String] = [
            "listen_addresses": "127.0.0.1", "port": String(port), "unix_socket_directories": directory.path,
            "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
            "max_connections": "200", "shared_buffers": "64MB",
        ]
        options.merge(settings) { _, new in new }
        let optionString = options.sorted { $0.key < $1.key }.map { "-c \($0.key)=\($0.value)" }.joined(separator: " ")
        serverOptions = optionString
        try runAsPostgres(
            "pg_ctl",
            [
                "-D", dataDirectory, "-l", directory.appendingPathComponent("server.log").path,
                "-o", optionString, "-w", "-t", "60", "start",
            ])
        running = true
    }

    deinit { stop() }

    public var dataDirectory: String { directory.appendingPathComponent("data").path }

    /// A URI for `database` as the superuser, with the password.
    public func url(database: String = "postgres", user: String? = nil, password: String? = nil) -> String {
        let user = user ?? superuser
        let password = password ?? (user == superuser ? self.password : nil)
        let credentials = password.map { "\(user):\($0)" } ?? user
        return "postgresql://\(credentials)@127.0.0.1:\(port)/\(database)"
    }

    /// A URI for `database` as the superuser without the password, which libpq reads from a
    /// passfile written beside the cluster (mode 0600): what a store kept in PostgreSQL accepts.
    public func passfileURL(database: String = "postgres") throws -> String {
        let passfile = directory.appendingPathComponent("pgpass")
        try lock.withLock {
            if !FileManager.default.fileExists(atPath: passfile.path) {
                try Data("127.0.0.1:\(port):*:\(superuser):\(password)\n".utf8).write(to: passfile)
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passfile.path)
            }
        }
        return "postgresql://\(superuser)@127.0.0.1:\(port)/\(database)?passfile=\(passfile.path)"
    }

    /// A parsed connection string for `database` as the superuser.
    public func connectionString(database: String = "postgres") -> ConnectionString {
        try! ConnectionString(url(database: database))
    }

    /// Opens a blocking connection as the superuser.
    public func connect(database: String = "postgres") throws -> Connection {
        try Connection(connectionString(database: database))
    }

    /// Creates a database (quoted as an identifier), optionally loading an SQL script into it.
    public func createDatabase(_ name: String, script: String? = nil) throws {
        let admin = try connect()
        try admin.execute(script: "CREATE DATABASE \(try admin.quoteIdentifier(name))")
        if let script {
            let connection = try connect(database: name)
            try connection.execute(script: script)
        }
    }

    /// Stops the server at once and deletes its directory. Safe to call twice.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard running else { return }
        running = false
        try? runAsPostgres("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    /// Stops the server but keeps its files, to simulate a server that is down.
    public func pause() throws {
        try runAsPostgres("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "stop"])
    }

    /// Starts a paused server again on the same port.
    public func resume() throws {
        try runAsPostgres(
            "pg_ctl",
            [
                "-D", dataDirectory, "-l", directory.appendingPathComponent("server.log").path,
                "-o", serverOptions, "-w", "-t", "60", "start",
            ])
    }

    // MARK: Processes

    private func runAsPostgres(_ tool: String, _ arguments: [String]) throws {
        let executable = "\(binDirectory)/\(tool)"
        if Self.isRoot {
            try Self.run("/sbin/runuser", ["-u", "postgres", "--", executable] + arguments)
        } else {
            try Self.run(executable, arguments)
        }
    }

    static var isRoot: Bool { geteuid() == 0 }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let outcome = try ChildProcess(executable, arguments).run()
        guard outcome.status == 0 else {
            throw ClusterError(
                "\((executable as NSString).lastPathComponent) \(arguments.first ?? "") failed (exit \(outcome.status)): \(outcome.output.suffix(2000))"
            )
        }
        return outcome.output
    }

    static func findBinDirectory() throws -> String {
        if let fromEnvironment = ProcessInfo.processInfo.environment["PG_BINDIR"] { return fromEnvironment }
        let candidates =
            (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?
            .compactMap(Int.init).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" } ?? []
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }) else {
            throw ClusterError("initdb not found; install PostgreSQL with 'apt-get install -y postgresql postgresql-contrib' or set PG_BINDIR")
        }
        return found
    }

    /// Asks the kernel for a free TCP port on 127.0.0.1.
    public static func freePort() throws -> Int {
        let (descriptor, port) = try LoopbackSocket.bind()
        close(descriptor)
        return port
    }
}

/// Why a throwaway cluster could not be set up.
public struct ClusterError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
