import CatalogCore
import CatalogStore
import Foundation
import Logging

/// Everything `catalog serve` needs to start: where to listen, the credential, the store, and the limits.
public struct ServerConfiguration: Sendable {
    /// The address to bind; loopback unless a token is set.
    public var host: String
    /// The TCP port to listen on; 0 picks a free one.
    public var port: Int
    /// The bearer token every `/api` request must carry (or exchange for a session cookie).
    /// nil only with `insecureNoAuth`, on a loopback address, and then the API asks for no credential.
    public var token: String?
    /// Where the token was read from, for the start-up log line (the token itself is never logged).
    public var tokenFile: String?
    /// `--insecure-no-auth`: run a loopback server with no token at all.
    public var insecureNoAuth: Bool
    /// `--public-url`: the addresses clients use besides loopback and `--host`; their host names
    /// (and ports) are accepted in `Host`.
    public var publicURLs: [String]
    /// `--allow-hosts`: `HOST[:PORT]` servers on which the API may register projects, besides those
    /// that already hold a registered project.
    public var allowHosts: [String]
    /// `--allow-local-dsn`: the API accepts DSNs with unix sockets, `passfile` or `service`.
    public var allowLocalDSN: Bool
    /// Seconds a connection may stay idle, or take to send a whole request, before it is closed.
    public var idleTimeout: Double
    /// The store the service reads and writes.
    public var store: StoreLocation
    /// The largest request body accepted, in bytes; larger ones get 413.
    public var maxBodyBytes: Int
    /// Seconds one project may take in a fan-out, and a whole read-only SQL query may take.
    public var queryTimeout: Double
    /// How many fan-outs run at once; further requests queue.
    public var maxConcurrentFanOuts: Int
    /// How many projects one fan-out talks to at once.
    public var fanOutConcurrency: Int
    /// The most connections kept open to one project server.
    public var poolPerServerLimit: Int
    /// The most connections open to one project; concurrent fan-outs beyond it take turns.
    public var poolPerProjectLimit: Int
    /// Seconds an unused pooled connection stays open.
    public var poolIdleTimeout: Double
    /// The most project connections kept idle per server between requests; the rest close when
    /// their request ends. With the revision query's one connection, a server holds at most one more.
    public var poolIdlePerServer: Int
    /// Seconds between pool clean-ups (idle connections, unregistered projects).
    public var poolMaintenanceInterval: Double
    /// Seconds a web page session lasts.
    public var sessionLifetime: Double
    /// Where log records go; `catalog serve` writes JSON lines to stderr.
    public var logger: Logger
    /// The catalog version, recorded with backups the API takes.
    public var catalogVersion: String
    /// How `catalog serve` runs schedules; nil runs none (tests that only build the router).
    public var scheduler: SchedulerSettings?
    /// The config `GET /api/v1/lint` lints with (`--lint-config`, read at start); empty runs the default rules.
    public var lintConfig: LintConfig
    /// Seconds between background checks that keep searches answered from memory (`--refresh-interval`,
    /// 1 in `catalog serve`); nil runs none, and every search checks at request time.
    public var refreshInterval: Double? = nil
    /// `--replica-name`: this replica in audit entries and lease rows; nil means `host:port`.
    public var replicaName: String?
    /// `--token-name`: who the bearer token is in audit entries (and the default name of a web session).
    public var tokenName: String = "api"
    /// `--lease-seconds`: how long a leader lease (such as `index-refresh`) lasts without renewal.
    public var leaseSeconds: Double = 15

    /// The replica's name as audit entries record it.
    public var replica: String { replicaName ?? "\(ProcessInfo.processInfo.hostName):\(port)" }

    /// A configuration with the defaults `catalog serve` documents.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, token: String? = nil, tokenFile: String? = nil,
        insecureNoAuth: Bool = false, publicURLs: [String] = [], allowHosts: [String] = [], allowLocalDSN: Bool = false,
        idleTimeout: Double = 30, store: StoreLocation,
        maxBodyBytes: Int = 64 * 1024, queryTimeout: Double = 10, maxConcurrentFanOuts: Int = 4,
        fanOutConcurrency: Int = 1024, poolPerServerLimit: Int = 1100, poolPerProjectLimit: Int = 1, poolIdleTimeout: Double = 300,
        poolIdlePerServer: Int = 3, poolMaintenanceInterval: Double = 30, sessionLifetime: Double = 12 * 3600,
        logger: Logger = Logger(label: "catalog.serve"), catalogVersion: String = "unknown",
        scheduler: SchedulerSettings? = nil, lintConfig: LintConfig = LintConfig()
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.tokenFile = tokenFile
        self.insecureNoAuth = insecureNoAuth
        self.publicURLs = publicURLs
        self.allowHosts = allowHosts
        self.allowLocalDSN = allowLocalDSN
        self.idleTimeout = idleTimeout
        self.store = store
        self.maxBodyBytes = maxBodyBytes
        self.queryTimeout = queryTimeout
        self.maxConcurrentFanOuts = maxConcurrentFanOuts
        self.fanOutConcurrency = fanOutConcurrency
        self.poolPerServerLimit = poolPerServerLimit
        self.poolPerProjectLimit = poolPerProjectLimit
        self.poolIdleTimeout = poolIdleTimeout
        self.poolIdlePerServer = poolIdlePerServer
        self.poolMaintenanceInterval = poolMaintenanceInterval
        self.sessionLifetime = sessionLifetime
        self.logger = logger
        self.catalogVersion = catalogVersion
        self.scheduler = scheduler
        self.lintConfig = lintConfig
    }

    /// Refuses settings that would expose the catalog or cannot work, with a sentence saying what to do.
    public func validate() throws {
        if token == nil, !Self.isLoopback(host) {
            throw CatalogError(
                "refusing to listen on \(host) without a token: anyone who can reach it could read and change the catalog; pass --token-file PATH, or listen on 127.0.0.1"
            )
        }
        if token == nil, !insecureNoAuth {
            throw CatalogError(
                "no token: pass --token-file PATH, or leave it out to have one generated beside the store (--insecure-no-auth turns authentication off)"
            )
        }
        if let token { try Self.checkStrength(token) }
        _ = try parsedPublicURLs()
        _ = try policy()
        guard idleTimeout > 0, idleTimeout <= 86_400 else { throw CatalogError("--idle-timeout must be a number of seconds between 0 and 86400") }
        guard (0...65535).contains(port) else { throw CatalogError("--port must be between 0 and 65535") }
        guard maxBodyBytes > 0 else { throw CatalogError("--max-body-bytes must be at least 1") }
        guard queryTimeout > 0 else { throw CatalogError("--query-timeout must be a positive number of seconds") }
        guard maxConcurrentFanOuts >= 1 else { throw CatalogError("--max-fanouts must be at least 1") }
        guard fanOutConcurrency >= 1 else { throw CatalogError("--concurrency must be at least 1") }
        guard poolPerServerLimit >= 1 else { throw CatalogError("--pool-per-server must be at least 1") }
        guard poolPerProjectLimit >= 1 else { throw CatalogError("--pool-per-project must be at least 1") }
        guard poolIdlePerServer >= 0 else { throw CatalogError("--pool-idle-per-server must be 0 or more") }
        guard poolIdleTimeout > 0 else { throw CatalogError("--pool-idle-timeout must be a positive number of seconds") }
        if let refreshInterval, !(refreshInterval > 0 && refreshInterval <= 86_400) {
            throw CatalogError("--refresh-interval must be a number of seconds between 0 and 86400")
        }
        guard leaseSeconds >= 1, leaseSeconds <= 3600 else { throw CatalogError("--lease-seconds must be between 1 and 3600") }
        guard !tokenName.isEmpty, tokenName.count <= 100 else { throw CatalogError("--token-name must be 1 to 100 characters") }
    }

    /// True for addresses only this machine can reach: `localhost`, `127.0.0.0/8` and `::1`.
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// The shortest token accepted: anything shorter can be guessed.
    public static let minimumTokenLength = 16

    /// Refuses a token too short to resist guessing.
    static func checkStrength(_ token: String, file: String? = nil) throws {
        guard token.count >= minimumTokenLength else {
            let source = file.map { "the token in \($0)" } ?? "the token"
            throw CatalogError(
                "\(source) is \(token.count) character(s); use at least \(minimumTokenLength), for example from 'openssl rand -hex 32'")
        }
    }

    /// `--public-url` values as URLs; refuses one without a scheme and host.
    func parsedPublicURLs() throws -> [URL] {
        try publicURLs.map { text in
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
                let host = url.host, !host.isEmpty
            else {
                throw CatalogError(
                    "--public-url \(text) is not an http:// or https:// URL; give the address clients open, such as https://catalog.example.com")
            }
            return url
        }
    }

    /// Which servers the API may register projects on; refuses a malformed `--allow-hosts`.
    func policy() throws -> ProjectServerPolicy {
        let servers = try allowHosts.map { text in
            guard let server = ProjectServerPolicy.Server(text) else {
                throw CatalogError("--allow-hosts \(text) is not HOST or HOST:PORT (IPv6 as [::1]:5432)")
            }
            return server
        }
        return ProjectServerPolicy(allowed: servers, allowLocal: allowLocalDSN)
    }

    /// Reads a token file: the whole file, with trailing whitespace (such as the final newline) ignored.
    /// Refuses a token shorter than `minimumTokenLength`.
    public static func readToken(path: String) throws -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CatalogError("cannot read the token file \(path); check that it exists and is readable by this user")
        }
        var token = Substring(text)
        while let last = token.last, last.isWhitespace { token.removeLast() }
        guard !token.isEmpty else {
            throw CatalogError("the token file \(path) is empty; put a long random secret in it, for example with 'openssl rand -hex 32'")
        }
        try checkStrength(String(token), file: path)
        return String(token)
    }
}
