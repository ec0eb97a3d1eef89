import CatalogCore
import CatalogStore
import Foundation
import PostgresClient

/// Sample projects, each in its own new database, registered in a fresh store, with `_metadata`
/// installed and (unless told otherwise) scanned. `crm` is tagged `internal`, the others `prod`.
public struct SampleFleet: Sendable {
    public let catalog: Catalog
    public let storePath: String
    /// Project name → database name.
    public let databases: [String: String]
    public let cluster: TemporaryCluster

    public static func make(_ names: [String] = Fixtures.projectNames, on cluster: TemporaryCluster? = nil, scan: Bool = true) throws -> SampleFleet {
        let cluster = try cluster ?? TestWorkspace.cluster()
        let storePath = try TestWorkspace.temporaryDirectory().appendingPathComponent("catalog.sqlite").path
        let catalog = try Catalog(location: StoreLocation(path: storePath, isExplicit: true))
        var databases: [String: String] = [:]
        for name in names {
            let database = try TestWorkspace.database(fixture: name, on: cluster)
            try catalog.addProject(name: name, dsn: database.url, tags: name == "crm" ? ["internal"] : ["prod"])
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
        return SampleFleet(catalog: catalog, storePath: storePath, databases: databases, cluster: cluster)
    }

    /// A superuser connection to a project's database.
    public func connect(_ project: String) throws -> Connection {
        try cluster.connect(database: databases[project]!)
    }
}
