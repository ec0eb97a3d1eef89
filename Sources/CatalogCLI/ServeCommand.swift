import ArgumentParser
import CatalogCore
import CatalogServer
import CatalogStore
import Foundation
import Logging

/// `catalog serve`: the HTTP API, the web page and the warm connection pool, until SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API and the web page, keeping connections to project databases open.",
        discussion: """
            Binds 127.0.0.1 by default. Every /api request needs the token, sent as 'Authorization: Bearer TOKEN' \
            or typed into the web page's sign-in form: the one in --token-file (at least 16 characters, trailing \
            whitespace ignored), else one generated into STORE.serve-token (mode 0600), whose path is logged at \
            start. Only requests whose Host is a loopback name, --host or a --public-url are answered. Projects \
            added through the API must be on --allow-hosts servers or on servers already registered. \
            Logs are JSON lines on stderr. Schedules ('catalog schedule') run here unless --no-schedules; of several \
            servers on one store only one runs them at a time. SIGTERM lets in-flight requests finish, then exits.
            Example: catalog serve --port 8080 --token-file /etc/catalog/token
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "The TCP port to listen on.")
    var port = 8080

    @Option(name: .long, help: ArgumentHelp("A file holding the bearer token. Default: one generated beside the store.", valueName: "path"))
    var tokenFile: String?

    @Flag(name: .long, help: "Ask for no token at all (loopback addresses only). Any local page or process can then use the API.")
    var insecureNoAuth = false

    @Option(
        name: .customLong("public-url"),
        help: ArgumentHelp(
            "An address clients open this server by, such as https://catalog.example.com; its host is accepted in Host (repeatable).",
            valueName: "url"))
    var publicURL: [String] = []

    @Option(name: .long, help: ArgumentHelp("A database server on which the API may register projects (repeatable).", valueName: "host[:port]"))
    var allowHosts: [String] = []

    @Flag(name: .long, help: "Let the API register DSNs with unix sockets, passfile or service.")
    var allowLocalDsn = false

    @Option(
        name: .long,
        help: ArgumentHelp("Seconds a connection may stay idle, or take to send a whole request, before it is closed.", valueName: "seconds"))
    var idleTimeout: Double = 30

    @Option(name: .long, help: ArgumentHelp("The largest request body accepted, in bytes.", valueName: "bytes"))
    var maxBodyBytes = 64 * 1024

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Seconds each project may take in a fan-out, and a SQL query in all, \(Seconds.bounds).", valueName: "seconds"))
    var queryTimeout: Seconds = 10

    @Option(name: .customLong("max-fanouts"), help: "How many fan-outs run at once; further requests queue.")
    var maxFanOuts = 4

    @Option(name: .long, help: "How many projects one fan-out talks to at once.")
    var concurrency = 1024

    @Option(name: .long, help: "The most pooled connections open to one project server (its max_connections must allow it).")
    var poolPerServer = 1100

    @Option(name: .long, help: "The most pooled connections open to one project; concurrent requests take turns on them.")
    var poolPerProject = 1

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Seconds an unused pooled connection stays open, \(Seconds.bounds).", valueName: "seconds"))
    var poolIdleTimeout: Seconds = 300

    @Option(
        name: .long,
        help: "The most project connections kept open per server between requests (the revision query keeps one more).")
    var poolIdlePerServer = 3

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds between background checks (one revision query per server) that keep searches answered from memory, \(Seconds.bounds).",
            valueName: "seconds"))
    var refreshInterval: Seconds = 1

    @Option(name: .long, help: "The lowest log level written: trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Flag(name: .customLong("no-schedules"), help: "Run no schedules here (another server on the same store may).")
    var noSchedules = false

    @Option(name: .customLong("max-jobs"), help: "How many schedule runs this server carries out at once.")
    var maxJobs = 2

    @OptionGroup var backupDirectory: BackupDirectoryOption

    @Option(
        name: .customLong("size-change"),
        help: ArgumentHelp(
            "Alert when a scheduled backup's size differs from the median of the last five by more than this percentage.", valueName: "percent"))
    var sizeChange: Double = 50

    @Option(
        name: .customLong("lint-config"),
        help: ArgumentHelp("The YAML config GET /api/v1/lint lints with (as catalog lint --config), read at start.", valueName: "file"))
    var lintConfig: String?

    @Option(
        name: .customLong("replica-name"),
        help: ArgumentHelp("This replica's name in audit entries and lease rows. Default: host:port.", valueName: "name"))
    var replicaName: String?

    @Option(name: .customLong("token-name"), help: ArgumentHelp("Who the bearer token is, in audit entries.", valueName: "name"))
    var tokenName = "api"

    @Option(
        name: .customLong("lease-seconds"),
        help: ArgumentHelp("How long a leader lease (schedules, index refresh) lasts; another replica takes over after it.", valueName: "seconds"))
    var leaseSeconds: Double = 15

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.")
        }
        if tokenFile == nil, !ServerConfiguration.isLoopback(host) {
            throw ValidationError("Refusing to listen on \(host) without a token: pass --token-file PATH, or use --host 127.0.0.1.")
        }
        guard maxJobs >= 1 else { throw ValidationError("--max-jobs must be at least 1.") }
        guard leaseSeconds >= 1, leaseSeconds <= 3600 else { throw ValidationError("--lease-seconds must be between 1 and 3600.") }
        guard sizeChange > 0 else { throw ValidationError("--size-change must be a percentage above 0.") }
        if insecureNoAuth, tokenFile != nil {
            throw ValidationError("--insecure-no-auth and --token-file contradict each other; pass one of them.")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let store = StoreLocation.resolve(option: storeOptions.store)
        // Read before anything is written (a generated token file), so a bad config changes nothing.
        let lint = try lintConfig.map(LintConfig.read) ?? LintConfig()
        let token = insecureNoAuth ? nil : try ServerToken.resolve(tokenFile: tokenFile, store: store)
        var configuration = ServerConfiguration(
            host: host, port: port, token: token?.token, tokenFile: token?.file, insecureNoAuth: insecureNoAuth,
            publicURLs: publicURL, allowHosts: allowHosts, allowLocalDSN: allowLocalDsn, idleTimeout: idleTimeout,
            store: store, maxBodyBytes: maxBodyBytes, queryTimeout: queryTimeout.value,
            maxConcurrentFanOuts: maxFanOuts, fanOutConcurrency: concurrency, poolPerServerLimit: poolPerServer,
            poolPerProjectLimit: poolPerProject, poolIdleTimeout: poolIdleTimeout.value, poolIdlePerServer: poolIdlePerServer,
            logger: Logger(label: "catalog.serve"),
            catalogVersion: CatalogCommand.version,
            scheduler: noSchedules
                ? nil
                : SchedulerSettings(
                    maxJobs: maxJobs, projectTimeout: queryTimeout.value, backupDirectory: backupDirectory.path,
                    sizeChangePercent: sizeChange, tickInterval: min(1, leaseSeconds / 3), leaseSeconds: leaseSeconds),
            lintConfig: lint)
        configuration.refreshInterval = refreshInterval.value
        configuration.replicaName = replicaName
        configuration.tokenName = tokenName
        configuration.leaseSeconds = leaseSeconds
        try await CatalogApplication(configuration).run()
    }
}
