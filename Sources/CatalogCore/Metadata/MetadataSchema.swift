import CatalogSchema
import Crypto
import Foundation
import PostgresClient

/// The `_metadata` schema's migrations and the rules for applying them to one database.
public enum MetadataSchema {
    /// The advisory lock every writer of `_metadata` takes (install, migrate, sync, scan),
    /// so two catalog commands never interleave on one database.
    public static let advisoryLockKey: Int64 = 0x6361_7461_6C6F_6701

    /// catalog's own migrations, from `schema/postgres/`.
    public static let migrations: [SchemaMigration] = CatalogSchema.postgres()

    /// The newest version catalog knows.
    public static var latestVersion: Int { migrations.last?.version ?? 0 }

    /// The SHA-256 of a migration's SQL, hex-encoded, as recorded in `_metadata.schema_migrations`.
    public static func checksum(_ migration: SchemaMigration) -> String {
        SHA256.hash(data: Data(migration.sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static let createLedger = """
        CREATE TABLE IF NOT EXISTS _metadata.schema_migrations (
            version    integer PRIMARY KEY,
            name       text NOT NULL,
            checksum   text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """

    /// One row of `_metadata.schema_migrations`.
    public struct Applied: Sendable, Equatable {
        public var version: Int
        public var name: String
        public var checksum: String
        public var appliedAt: String?
    }

    /// Compares what a database has applied with the migrations catalog ships, refusing drifted files.
    static func pending(applied: [Applied], known: [SchemaMigration], project: String) throws -> [SchemaMigration] {
        let byVersion = Dictionary(uniqueKeysWithValues: known.map { ($0.version, $0) })
        // Versions from TeamMigrations.firstVersion up are the team's own; 'metadata migrate' checks those.
        for row in applied where row.version < TeamMigrations.firstVersion || byVersion[row.version] != nil {
            guard let migration = byVersion[row.version] else {
                throw CatalogError(
                    .failed, "project \"\(project)\": its _metadata has migration \(row.version) (\(row.name)), which this catalog does not know",
                    remedy: .upgradeOrGiveMigrationsDirectory)
            }
            let expected = checksum(migration)
            if expected != row.checksum {
                throw CatalogError(
                    "project \"\(project)\": migration \(migration.identifier) was applied with checksum \(row.checksum.prefix(12)), but its file now has \(expected.prefix(12)); applied migrations must never change: restore the file and put the change in a new migration"
                )
            }
        }
        let appliedVersions = Set(applied.map(\.version))
        return known.filter { !appliedVersions.contains($0.version) }
    }

    /// Reads the ledger; an absent `_metadata` schema reads as nothing applied.
    static func applied(on connection: Connection) throws -> [Applied] {
        let exists = try connection.query("SELECT to_regclass('_metadata.schema_migrations') IS NOT NULL AS present")
        guard exists.records.first?.bool("present") == true else { return [] }
        return try connection.query("SELECT version, name, checksum, applied_at FROM _metadata.schema_migrations ORDER BY version")
            .records.map(Applied.init)
    }

    /// Installs or upgrades `_metadata` in one transaction under the advisory lock, first adopting
    /// the original design's mapping tables when they stand there without a ledger. Idempotent.
    static func install(
        _ known: [SchemaMigration], on connection: Connection, project: String
    ) throws -> (adopted: SchemaMigration?, applied: [SchemaMigration]) {
        try connection.transaction {
            try connection.query("SELECT pg_advisory_xact_lock($1)", [advisoryLockKey])
            let schemaExists =
                try connection.query("SELECT to_regnamespace('_metadata') IS NOT NULL AS present").records.first?.bool("present") == true
            if !schemaExists {
                do {
                    try connection.execute(script: "CREATE SCHEMA _metadata")
                } catch let error as PostgresError where error.sqlState == SQLState.insufficientPrivilege {
                    let database = try connection.quoteIdentifier(connection.databaseName)
                    let role = try connection.quoteIdentifier(connection.userName)
                    throw CatalogError(
                        "project \"\(project)\": role \(role) may not create the _metadata schema (\(error.message)); run 'GRANT CREATE ON DATABASE \(database) TO \(role)' as the database owner, or register the project with the owner's DSN"
                    )
                }
            }
            let adopted = try MetadataAdoption.adoptIfNeeded(known, on: connection, project: project)
            try connection.execute(script: createLedger)
            let pending = try Self.pending(applied: applied(on: connection), known: known, project: project)
            for migration in pending {
                do {
                    try connection.execute(script: migration.sql)
                } catch let error as PostgresError {
                    let (text, remedy) = PostgresAdvice.explained(error)
                    throw CatalogError(
                        .failed, "project \"\(project)\": migration \(migration.identifier) failed: \(text); nothing was applied", remedy: remedy)
                }
                try connection.query(
                    "INSERT INTO _metadata.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    [migration.version, migration.name, checksum(migration)])
            }
            return (adopted, pending)
        }
    }
}

extension MetadataSchema.Applied {
    init(_ record: QueryResult.Record) {
        self.init(
            version: record.int("version") ?? 0, name: record["name"] ?? "", checksum: record["checksum"] ?? "", appliedAt: record["applied_at"])
    }
}
