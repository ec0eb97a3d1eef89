import PostgresClient

/// What a restore must copy from the original database to the new one, read from the maintenance database.
struct BackupRestoreFacts: Sendable, Equatable {
    var database: String
    var owner: String
    var encoding: String
    /// `libc`, `icu` or `builtin`.
    var localeProvider: String
    var collate: String
    var ctype: String
    /// The ICU or builtin locale, when the provider is not libc.
    var providerLocale: String?
    var connectionLimit: Int
    var settings: [BackupDatabaseSetting]
    /// `pg_database.datacl`, one entry per grantee and privilege; nil for the default privileges.
    var grants: [Grant]?
    /// The database's comment, if it has one.
    var comment: String?
    /// The database's server as the project's connection reached it (`host:port`).
    var server: String
    /// The database's current incarnation, whose lineage a backup must share.
    var incarnation: Incarnation
    var otherSessions: Int
    /// Every database name on the server, so new names never collide.
    var existingNames: Set<String>

    /// One privilege of `datacl`: `grantee` nil means PUBLIC.
    struct Grant: Sendable, Equatable {
        var grantee: String?
        var privilege: String
        var grantable: Bool
    }

    /// Reads the facts of `database` (version-aware: the locale columns moved in PostgreSQL 15 and 17).
    static func read(on connection: Connection, database: String, server: String, incarnation: Incarnation) throws -> BackupRestoreFacts {
        let version = connection.serverVersion
        let provider = version >= 150000 ? "d.datlocprovider::text" : "'c'"
        let locale = version >= 170000 ? "d.datlocale" : (version >= 150000 ? "d.daticulocale" : "NULL::text")
        let rows = try connection.query(
            """
            SELECT d.oid::text AS oid, pg_get_userbyid(d.datdba) AS owner, pg_encoding_to_char(d.encoding) AS encoding,
                   \(provider) AS provider, d.datcollate AS collate, d.datctype AS ctype, \(locale) AS provider_locale,
                   d.datconnlimit AS connection_limit, d.datacl IS NULL AS default_acl,
                   shobj_description(d.oid, 'pg_database') AS comment
            FROM pg_database d WHERE d.datname = $1
            """, [database]
        ).records
        guard let row = rows.first, let oid = row["oid"] else {
            throw CatalogError(.notFound, "database \"\(database)\" was not found on its server", remedy: .checkProjectDSN)
        }
        // The published revision (migration 0004) belongs to the database it was published in, never to a copy.
        let settings = try connection.query(
            """
            SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole) END AS role, c.entry
            FROM pg_db_role_setting s, unnest(s.setconfig) WITH ORDINALITY AS c(entry, position)
            WHERE s.setdatabase = $1::oid AND c.entry NOT LIKE 'catalog.revision=%'
            ORDER BY s.setrole, c.position
            """, [oid]
        ).records.compactMap { record in
            record["entry"].flatMap { BackupDatabaseSetting(role: record["role"], entry: $0) }
        }
        let grants = try connection.query(
            """
            SELECT CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END AS grantee, a.privilege_type, a.is_grantable
            FROM pg_database d, aclexplode(d.datacl) WITH ORDINALITY AS a(grantor, grantee, privilege_type, is_grantable, position)
            WHERE d.oid = $1::oid
            ORDER BY a.position
            """, [oid]
        ).records.map { record in
            Grant(grantee: record["grantee"], privilege: record["privilege_type"] ?? "", grantable: record.bool("is_grantable") ?? false)
        }
        let names = try connection.query("SELECT datname FROM pg_database").records.compactMap { $0["datname"] }
        return BackupRestoreFacts(
            database: database, owner: row["owner"] ?? "", encoding: row["encoding"] ?? "UTF8",
            localeProvider: ["i": "icu", "b": "builtin"][row["provider"] ?? "c"] ?? "libc",
            collate: row["collate"] ?? "", ctype: row["ctype"] ?? "", providerLocale: row["provider_locale"],
            connectionLimit: row.int("connection_limit") ?? -1, settings: settings,
            grants: row.bool("default_acl") == true ? nil : grants, comment: row["comment"], server: server, incarnation: incarnation,
            otherSessions: try BackupMaintenanceConnection.otherSessions(on: connection, database: database),
            existingNames: Set(names))
    }
}
