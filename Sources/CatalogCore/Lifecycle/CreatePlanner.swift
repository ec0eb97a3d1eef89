import Foundation
import PostgresClient

/// Makes a `CreatePlan` from the request and the facts read beforehand. Pure: every refusal can be
/// tested without a server.
///
/// The database is copied from `template0`, never from `template1`: nobody can connect to `template0`
/// (`datallowconn` is false), so `CREATE DATABASE` can never fail with 55006 because someone is
/// connected to its template, and catalog never opens a session on a template. template1's encoding
/// and locale are used unless `--encoding`/`--locale` are given, so "the server's defaults" still means
/// what `CREATE DATABASE` alone would choose.
enum CreatePlanner {
    static let temporaryMarker = "_creating_"

    static func plan(_ request: CreateRequest, facts: CreateFacts, token: String, now: Date, quoting: RestorePlan.Quoting) throws -> CreatePlan {
        try ProjectName.validate(request.name)
        for tag in request.tags { try ProjectName.validateTag(tag) }
        let database = request.databaseName
        try checkDatabaseName(database, project: request.name)
        let attach = unique(request.attach)
        if let unknown = attach.first(where: { facts.definitions[$0] == nil }) {
            throw CatalogError(.notFound, "shared definition \"\(unknown)\" does not exist; nothing was changed", remedy: .listShared)
        }
        if facts.nameTaken {
            throw CatalogError(
                .alreadyExists, "project \"\(request.name)\" is already registered; nothing was changed",
                remedy: .store(.renameOrRemoveProject(request.name)))
        }
        let connection = try serverConnection(request.serverDSN)
        let server: CreateFacts.ServerFacts
        switch facts.server {
        case .unreachable(let reason):
            throw CatalogError(
                .unreachable, "the server \(connection.server) cannot be reached: \(reason); nothing was changed", remedy: .checkTargetServer)
        case .reachable(let found):
            server = found
        }
        guard server.mayCreateDatabases else {
            throw CatalogError(
                .refused, "role \"\(server.role)\" may not create databases on \(server.address); nothing was changed",
                remedy: .grantCreateDatabase(role: try quoting.identifier(server.role)))
        }
        guard !server.databaseNames.contains(database) else {
            throw CatalogError(
                .alreadyExists, "database \"\(database)\" already exists on \(server.address); nothing was changed",
                remedy: .chooseDatabaseName(example: "\(request.name)_new_db"))
        }
        let versions = attach.compactMap { facts.definitions[$0] }
        try checkDistinctTables(versions)
        var tables: [String] = []
        if request.createTables {
            for version in versions {
                tables += try TableDDL.statements(version.definition, named: version.name, quote: quoting.identifier)
                if let column = version.definition.columns.first(where: { server.unknownTypes.contains($0.type) }) {
                    throw CatalogError(
                        .badInput,
                        "shared definition \"\(version.name)\": column \(column.name) has the type \"\(column.type)\", which server \(server.address) does not know; nothing was changed",
                        remedy: .store(.updateShared(version.name)))
                }
            }
        }
        let syncPlans = versions.map { version in
            SyncPlanner.plan(
                SyncSides(project: request.name, definition: version.name, base: nil, theirs: (version.version, version.definition), ours: nil))
        }
        let temporary = BackupRestoreNames.unique(
            database, suffix: temporaryMarker + BackupRestoreNames.stamp(now), taken: server.databaseNames)
        let defaults = server.defaults
        let create = try CreateDatabaseStatement(
            name: temporary, owner: request.owner, template: "template0", encoding: request.encoding ?? defaults.encoding,
            collate: request.locale ?? defaults.collate, ctype: request.locale ?? defaults.ctype,
            localeProvider: defaults.localeProvider, providerLocale: defaults.providerLocale
        ).sql(quoting)
        let run = try LifecycleRun.make(
            operation: "create", project: request.name, server: server.address, database: database, temporaryDatabase: temporary,
            token: token, createStatement: create, quoting: quoting)
        return CreatePlan(
            project: request.name, tags: unique(request.tags).sorted(), server: server.address,
            maskedDSN: connection.replacing("dbname", with: database).masked, database: database, temporaryDatabase: temporary, token: token,
            createStatement: create, commentStatement: run.commentStatement, tableStatements: tables, syncPlans: syncPlans,
            definitions: versions.map(\.definition), renameStatement: run.renameStatement,
            dropTemporaryStatement: run.dropTemporaryStatement, dropDatabaseStatement: run.dropDatabaseStatement)
    }

    /// PostgreSQL cuts identifiers at 63 bytes without a word; a longer name is refused, never cut.
    /// Any other character is fine: every statement quotes the name.
    static func checkDatabaseName(_ database: String, project: String) throws {
        let bytes = database.utf8.count
        guard !database.isEmpty, bytes <= BackupRestoreNames.maximumBytes else {
            throw CatalogError(
                .badInput,
                "the database name \"\(database.prefix(20))…\" is \(bytes) bytes; PostgreSQL keeps at most 63 and catalog never shortens a name; nothing was changed",
                remedy: .chooseDatabaseName(example: "\(project.prefix(40))_db"))
        }
        guard !database.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw CatalogError(
                .badInput, "the database name \(String(reflecting: database)) holds control characters; nothing was changed",
                remedy: .chooseDatabaseName(example: "\(project.prefix(40))_db"))
        }
    }

    /// The server's connection string, or a one-line error without the password.
    static func serverConnection(_ dsn: String) throws -> ConnectionString {
        do {
            return try ConnectionString(dsn)
        } catch let error as PostgresError {
            let (text, remedy) = PostgresAdvice.explained(error)
            throw CatalogError(.badInput, "the server DSN: \(text); nothing was changed", remedy: remedy)
        }
    }

    /// Two definitions of one table cannot both be created and synced.
    private static func checkDistinctTables(_ versions: [SharedVersion]) throws {
        var seen: [String: String] = [:]
        for version in versions {
            let table = "\(version.definition.schema).\(version.definition.table)"
            if let other = seen[table] {
                throw CatalogError(
                    .badInput, "shared definitions \"\(other)\" and \"\(version.name)\" both define \(table); attach one of them; nothing was changed"
                )
            }
            seen[table] = version.name
        }
    }

    static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}
