import CatalogCore
import Foundation

/// The three sample projects, each in its own new database, registered, installed and scanned.
struct FixtureFleet {
    let catalog: Catalog
    let storePath: String
    /// Project name → database name.
    let databases: [String: String]

    static func make(_ names: [String] = ["saas", "shop", "crm"], scan: Bool = true) throws -> FixtureFleet {
        let storePath = try TestEnvironment.temporaryDirectory().appendingPathComponent("catalog.sqlite").path
        let catalog = try Catalog(location: StoreLocation(path: storePath, isExplicit: true))
        var databases: [String: String] = [:]
        for name in names {
            let database = try TestEnvironment.database(fixture: name, prefix: name)
            try catalog.addProject(name: name, dsn: database.url, tags: name == "crm" ? ["internal"] : ["prod"])
            databases[name] = database.name
        }
        let installed = try catalog.installMetadata(.everything)
        guard installed.allSatisfy({ $0.outcome == .ok }) else { throw CatalogError("install failed: \(installed)") }
        if scan {
            let scanned = try catalog.scanMetadata(.everything)
            guard scanned.allSatisfy({ $0.outcome == .ok }) else { throw CatalogError("scan failed: \(scanned)") }
        }
        return FixtureFleet(catalog: catalog, storePath: storePath, databases: databases)
    }

    func connect(_ project: String) throws -> Connection {
        try TestEnvironment.cluster().connect(database: databases[project]!)
    }
}
