import CatalogStore
import Foundation

/// The two kinds of store a test can run on: an SQLite file, or a registry in a throwaway
/// PostgreSQL database on the test cluster. Tests that pin outputs take both as arguments, so the
/// same goldens hold on both stores.
public enum StoreKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite = "SQLite"
    case postgres = "PostgreSQL"

    public var description: String { rawValue }
}

/// A fresh, empty store of one kind: what `--store` names, the environment a `catalog` process
/// needs beside it (a PostgreSQL store keeps its local files, backups and tokens, in a scratch data
/// directory), and the location an in-process `Catalog` opens.
public struct TestStore: Sendable {
    public let kind: StoreKind
    /// The `--store` value: the SQLite file's path, or the registry's connection string (with the
    /// cluster's password, which every output must mask).
    public let option: String
    public let environment: [String: String]
    public let location: StoreLocation

    /// An SQLite store that already exists at `path`.
    public init(sqlite path: String) {
        self.init(kind: .sqlite, option: path, environment: [:], location: StoreLocation(path: path, isExplicit: true))
    }

    init(kind: StoreKind, option: String, environment: [String: String], location: StoreLocation) {
        self.kind = kind
        self.option = option
        self.environment = environment
        self.location = location
    }

    /// A new store of `kind` in a new scratch directory (a new registry database on `cluster`).
    public static func make(_ kind: StoreKind, on cluster: TemporaryCluster? = nil) throws -> TestStore {
        let directory = try TestWorkspace.temporaryDirectory()
        switch kind {
        case .sqlite:
            let path = directory.appendingPathComponent("catalog.sqlite").path
            return TestStore(kind: kind, option: path, environment: [:], location: StoreLocation(path: path, isExplicit: true))
        case .postgres:
            let registry = try TestWorkspace.database(prefix: "registry", on: cluster).url
            let environment = ["XDG_DATA_HOME": directory.appendingPathComponent("data").path]
            return TestStore(
                kind: kind, option: registry, environment: environment, location: StoreLocation.resolve(option: registry, environment: environment))
        }
    }

    /// A connection string for a project database on `cluster` that this store accepts: with the
    /// password on SQLite, and through the cluster's passfile on PostgreSQL (which keeps no passwords).
    public func projectDSN(_ database: String, on cluster: TemporaryCluster) throws -> String {
        switch kind {
        case .sqlite: return cluster.url(database: database)
        case .postgres: return try cluster.passfileURL(database: database)
        }
    }

    /// Runs `catalog arguments…` on this store.
    public func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIRun {
        try CLIRun.run(arguments, store: option, environment: self.environment.merging(environment) { _, new in new })
    }
}
