import PostgresClient

/// What `project create` reads before planning: the registry's answer and the server's.
struct CreateFacts: Sendable, Equatable {
    /// The project's name is registered already, or another command is making a project of that name.
    var nameTaken: Bool
    /// The latest version of each `--attach` definition the store has; a missing name is unknown.
    var definitions: [String: SharedVersion]
    var server: Server

    enum Server: Sendable, Equatable {
        case unreachable(String)
        case reachable(ServerFacts)
    }

    /// The server as the maintenance connection saw it.
    struct ServerFacts: Sendable, Equatable {
        /// `host:port`.
        var address: String
        var role: String
        /// The role is a superuser or has CREATEDB.
        var mayCreateDatabases: Bool
        var databaseNames: Set<String>
        /// template1's encoding and locale: what `CREATE DATABASE` would use by default.
        var defaults: Defaults
        /// Column types of the definitions that the server does not know (`to_regtype` is NULL).
        var unknownTypes: Set<String>
        /// PostgreSQL's version number, such as 150010.
        var version: Int
    }

    struct Defaults: Sendable, Equatable {
        var encoding: String
        var collate: String
        var ctype: String
        var localeProvider: String
        var providerLocale: String?
    }

    /// Reads the server's side on `connection` (to its maintenance database).
    static func readServer(on connection: Connection, types: Set<String>) throws -> ServerFacts {
        let version = connection.serverVersion
        let provider = version >= 150000 ? "datlocprovider::text" : "'c'"
        let locale = version >= 170000 ? "datlocale" : (version >= 150000 ? "daticulocale" : "NULL::text")
        let role = try connection.query(
            "SELECT current_user AS role, rolsuper OR rolcreatedb AS may_create FROM pg_roles WHERE rolname = current_user"
        ).records.first
        let template = try connection.query(
            """
            SELECT pg_encoding_to_char(encoding) AS encoding, datcollate AS collate, datctype AS ctype, \(provider) AS provider,
                   \(locale) AS provider_locale
            FROM pg_database WHERE datname = 'template1'
            """
        ).records.first
        let names = try connection.query("SELECT datname FROM pg_database").records.compactMap { $0["datname"] }
        var unknown = Set<String>()
        for type in types.sorted() where TableDDL.isTypeName(type) {
            let known = try connection.query("SELECT to_regtype($1) IS NOT NULL AS known", [type]).records.first?.bool("known") ?? false
            if !known { unknown.insert(type) }
        }
        return ServerFacts(
            address: connection.serverAddress, role: role?["role"] ?? connection.userName, mayCreateDatabases: role?.bool("may_create") ?? false,
            databaseNames: Set(names),
            defaults: Defaults(
                encoding: template?["encoding"] ?? "UTF8", collate: template?["collate"] ?? "C", ctype: template?["ctype"] ?? "C",
                localeProvider: ["i": "icu", "b": "builtin"][template?["provider"] ?? "c"] ?? "libc",
                providerLocale: template?["provider_locale"]),
            unknownTypes: unknown, version: version)
    }
}
