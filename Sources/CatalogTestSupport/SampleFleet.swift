import CatalogCore
import CatalogStore
import Foundation
import PostgresClient

/// Sample projects, each in its own new database, registered in a fresh store, with `_metadata`
/// installed and (unless told otherwise) scanned. `crm` is tagged `internal`, the others `prod`.
public struct SampleFleet: Sendable {
    public let catalog: Catalog
    /// What `--store` names: the SQLite file, or the registry's connection string.
    public let storePath: String
    /// The store, with the environment a `catalog` process on it needs.
    public let store: TestStore
    /// Project name → database name.
    public let databases: [String: String]
    public let cluster: TemporaryCluster

    public static func make(
        _ names: [String] = Fixtures.projectNames, on cluster: TemporaryCluster? = nil, scan: Bool = true, store kind: StoreKind = .sqlite
    ) throws -> SampleFleet {
        let cluster = try cluster ?? TestWorkspace.cluster()
        let store = try TestStore.make(kind, on: cluster)
        let catalog = try Catalog(location: store.location)
        var databases: [String: String] = [:]
        for name in names {
            let database = try TestWorkspace.database(fixture: name, on: cluster)
            try catalog.addProject(name: name, dsn: store.projectDSN(database.name, on: cluster), tags: name == "crm" ? ["internal"] : ["prod"])
            databases[name] = database.name
        }
        if !names.isEmpty {
            let installed = try catalog.installMetadata(.everything)
            guard installed.allSatisfy({ $0.outcome == .ok }) else { throw CatalogError("install failed: \(installed)") }
            if scan {
                let scanned = try catalog.scanMetadata(.everything)
                guard scanned.allSatisfy({ $0.outcome == .ok }) else { throw CatalogError("scan failed: \(scanned)") }
            }
        }
        return SampleFleet(catalog: catalog, storePath: store.option, store: store, databases: databases, cluster: cluster)
    }

    /// Runs `catalog arguments…` on the fleet's store.
    public func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIRun {
        try store.run(arguments, environment: environment)
    }

    /// A superuser connection to a project's database.
    public func connect(_ project: String) throws -> Connection {
        try cluster.connect(database: databases[project]!)
    }
}
