import CatalogCore
import CatalogStore
import CatalogSupport
import Foundation
import PostgresClient

/// A fresh store per test, in the process's scratch directory (see `TestWorkspace`).
public enum TestEnvironment {
    public static func catalog() throws -> Catalog {
        try Catalog(location: StoreLocation(path: TestWorkspace.temporaryDirectory().appendingPathComponent("catalog.sqlite").path, isExplicit: true))
    }
}

/// Runs the real `catalog` binary, built beside the test bundle, and captures what it prints.
public struct CLIRun: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public var output: String { stdout + stderr }

    public static var binary: String { TestWorkspace.catalogBinary }

    /// Runs `catalog arguments…`; `user` runs it as another OS user through runuser.
    public static func run(_ arguments: [String], store: String? = nil, user: String? = nil, environment: [String: String] = [:]) throws -> CLIRun {
        var allArguments = arguments
        if let store { allArguments += ["--store", store] }
        var env = environment
        env["CATALOG_STORE"] = env["CATALOG_STORE"] ?? ""
        let child =
            user.map { ChildProcess("/sbin/runuser", ["-u", $0, "--", binary] + allArguments, environment: env) }
            ?? ChildProcess(binary, allArguments, environment: env)
        let outcome = try child.run()
        return CLIRun(status: outcome.status, stdout: outcome.stdout, stderr: outcome.stderr)
    }
}
