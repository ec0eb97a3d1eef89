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
            Binds 127.0.0.1 by default. Any other address needs --token-file; the token (trailing whitespace in \
            the file ignored) is sent as 'Authorization: Bearer TOKEN', or typed into the web page's sign-in form. \
            Logs are JSON lines on stderr. SIGTERM lets in-flight requests finish, then exits.
            Example: catalog serve --port 8080 --token-file /etc/catalog/token
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "The TCP port to listen on.")
    var port = 8080

    @Option(name: .long, help: ArgumentHelp("A file holding the bearer token. Required unless --host is a loopback address.", valueName: "path"))
    var tokenFile: String?

    @Option(name: .long, help: ArgumentHelp("The largest request body accepted, in bytes.", valueName: "bytes"))
    var maxBodyBytes = 64 * 1024

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Seconds each project may take in a fan-out, and a SQL query in all, \(Seconds.bounds).", valueName: "seconds"))
    var queryTimeout: Seconds = 10

    @Option(name: .customLong("max-fanouts"), help: "How many fan-outs run at once; further requests queue.")
    var maxFanOuts = 4

    @Option(name: .long, help: "How many projects one fan-out talks to at once.")
    var concurrency = 1024

    @Option(name: .long, help: "The most pooled connections open to one project server (its max_connections must allow it).")
    var poolPerServer = 1100

    @Option(name: .long, help: "The most pooled connections open to one project; concurrent requests take turns on them.")
    var poolPerProject = 1

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Seconds an unused pooled connection stays open, \(Seconds.bounds).", valueName: "seconds"))
    var poolIdleTimeout: Seconds = 300

    @Option(name: .long, help: "The lowest log level written: trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.")
        }
        if tokenFile == nil, !ServerConfiguration.isLoopback(host) {
            throw ValidationError("Refusing to listen on \(host) without a token: pass --token-file PATH, or use --host 127.0.0.1.")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let configuration = ServerConfiguration(
            host: host, port: port, token: try tokenFile.map(ServerConfiguration.readToken(path:)),
            store: StoreLocation.resolve(option: storeOptions.store), maxBodyBytes: maxBodyBytes, queryTimeout: queryTimeout.value,
            maxConcurrentFanOuts: maxFanOuts, fanOutConcurrency: concurrency, poolPerServerLimit: poolPerServer,
            poolPerProjectLimit: poolPerProject, poolIdleTimeout: poolIdleTimeout.value, logger: Logger(label: "catalog.serve"),
            catalogVersion: CatalogCommand.version)
        try await CatalogApplication(configuration).run()
    }
}
