import Foundation
import PostgresClient

/// Makes an `ImportPlan` from the bundle's manifest, the request and the facts read beforehand. Pure: it
/// touches nothing, so every refusal can be tested without a server, and the executor can make the same
/// plan again under its lock to check that nothing moved.
enum ImportPlanner {
    static func plan(
        bundle: String, manifest: BundleManifest, request: ImportRequest, facts: ImportFacts, now: Date, quoting: RestorePlan.Quoting
    ) throws -> ImportPlan {
        if let version = manifest.metadataVersion, version > MetadataSchema.latestVersion {
            throw CatalogError(
                "the bundle's _metadata is at version \(version), newer than this catalog knows (\(MetadataSchema.latestVersion)); upgrade catalog and try again"
            )
        }
        let name = request.name ?? manifest.project
        try ProjectName.validate(name)
        for tag in request.tags { try ProjectName.validateTag(tag) }
        if facts.nameTaken {
            throw CatalogError(
                .alreadyExists, "project \"\(name)\" is already registered; nothing was changed", remedy: .importUnderAnotherName(name))
        }
        let target = try targetConnection(request.dsn)
        guard let database = target.databaseName, !database.isEmpty else {
            throw CatalogError(
                .refused, "the target connection string names no database; nothing was changed",
                remedy: .nameTargetDatabase(example: "postgresql://user@host/\(name)_db"))
        }
        let shared = try ImportSharedPlan.steps(manifest.shared, store: facts.storeVersions, choice: request.sharedChoice)
        let serverLabel = ConnectionString(options: target.options.filter { $0.key != "dbname" }).server
        let server: ImportFacts.TargetServer
        switch facts.target {
        case .unreachable(let reason):
            throw CatalogError(
                .unreachable, "the target server \(serverLabel) cannot be reached: \(reason); nothing was changed", remedy: .checkTargetServer)
        case .reachable(let found):
            server = found
        }
        let mode = try mode(server, database: database, request: request, label: "\(database) on \(serverLabel)")
        let id = quoting.identifier
        let leftovers = ImportNames.leftovers(of: database, among: server.databaseNames)
        var dropStatements: [String: String] = [:]
        for leftover in leftovers { dropStatements[leftover] = "DROP DATABASE IF EXISTS \(try id(leftover)) WITH (FORCE)" }
        var plan = ImportPlan(
            bundle: bundle, project: name, tags: request.tags.sorted(), maskedDSN: target.masked, server: serverLabel, database: database,
            mode: mode, temporaryDatabase: nil, setAsideDatabase: nil, leftovers: leftovers, keepOwners: request.keepOwners,
            createStatements: [], swapStatements: [], dropSetAsideStatement: nil, dropStatements: dropStatements,
            objectSummary: manifest.objectSummary, tableCount: manifest.tables.count, rowCount: manifest.tables.reduce(0) { $0 + $1.rows },
            metadataRowCount: manifest.metadataTables.reduce(0) { $0 + $1.rows }, metadataOnly: manifest.metadataOnly,
            shared: shared, createdAt: now)
        guard mode != .intoEmpty else { return plan }
        let taken = server.databaseNames
        let temporary = ImportNames.temporary(database, at: now, taken: taken)
        plan.temporaryDatabase = temporary
        plan.dropStatements[temporary] = "DROP DATABASE IF EXISTS \(try id(temporary)) WITH (FORCE)"
        plan.createStatements = try createStatements(temporary, source: manifest.source, quoting: quoting)
        if mode == .replace {
            let aside = ImportNames.setAside(database, at: now, taken: taken.union([temporary]))
            plan.setAsideDatabase = aside
            plan.swapStatements = ["ALTER DATABASE \(try id(database)) RENAME TO \(try id(aside))"]
            plan.dropSetAsideStatement = "DROP DATABASE \(try id(aside))"
        }
        plan.swapStatements.append("ALTER DATABASE \(try id(temporary)) RENAME TO \(try id(database))")
        return plan
    }

    /// The target's connection string, or a one-line error without the password.
    static func targetConnection(_ dsn: String) throws -> ConnectionString {
        do {
            return try ConnectionString(dsn)
        } catch let error as PostgresError {
            throw PostgresAdvice.error(error) { "the target DSN: \($0); nothing was changed" }
        }
    }

    /// Chooses how to restore, refusing a missing database without `--create-database`, a database that holds
    /// data without `--replace`, and a replace while others are connected.
    private static func mode(_ server: ImportFacts.TargetServer, database: String, request: ImportRequest, label: String) throws -> ImportPlan.Mode {
        guard server.databaseExists else {
            guard request.createDatabase else {
                throw CatalogError(.refused, "database \(label) does not exist; nothing was changed", remedy: .createDatabase)
            }
            return .create
        }
        guard server.objectCount > 0 else { return .intoEmpty }
        guard request.replace else {
            let examples = server.someObjects.joined(separator: ", ") + (server.objectCount > server.someObjects.count ? ", …" : "")
            throw CatalogError(
                .refused, "database \(label) already holds data (\(server.objectCount) objects: \(examples)); nothing was changed",
                remedy: .allowReplace)
        }
        guard server.otherSessions == 0 else {
            throw CatalogError(
                "\(server.otherSessions) other session(s) are connected to database \(label); close them before replacing it; nothing was changed")
        }
        return .replace
    }

    /// `CREATE DATABASE` with the source's encoding and locale (from `template0`, which takes any), then the
    /// source's database-level settings.
    private static func createStatements(_ temporary: String, source: BundleManifest.Source, quoting: RestorePlan.Quoting) throws -> [String] {
        let id = quoting.identifier
        let literal = quoting.literal
        let create = try CreateDatabaseStatement(
            name: temporary, template: "template0", encoding: source.encoding, collate: source.collate, ctype: source.ctype,
            localeProvider: source.localeProvider, providerLocale: source.providerLocale
        ).sql(quoting)
        let settings = try source.settings.map { setting in
            "ALTER DATABASE \(try id(temporary)) SET \(try id(setting.name)) TO \(try setting.values.map(literal).joined(separator: ", "))"
        }
        return [create] + settings
    }
}
