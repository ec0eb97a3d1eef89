import CatalogSchema
import CatalogStore
import Foundation

/// A `_metadata` migration catalog can apply: its own from `schema/postgres/`, or a team's from
/// `--migrations DIR`, with the down script that undoes it when there is one.
public struct MetadataMigration: Sendable, Equatable {
    /// The number the file name starts with.
    public var version: Int
    /// The rest of the file name.
    public var name: String
    /// The SQL that applies it.
    public var sql: String
    /// The SQL that undoes it, from `NNNN_name.down.sql`.
    public var down: String?
    /// Where the SQL came from, for reports.
    public var file: String
    /// Where the down script came from.
    public var downFile: String?

    /// A migration read from files or from the store.
    public init(version: Int, name: String, sql: String, down: String? = nil, file: String, downFile: String? = nil) {
        self.version = version
        self.name = name
        self.sql = sql
        self.down = down
        self.file = file
        self.downFile = downFile
    }

    /// True for a team's migration, false for one of catalog's own.
    public var isTeam: Bool { version >= TeamMigrations.firstVersion }

    /// `NNNN_name`, as recorded in `_metadata.schema_migrations`.
    public var identifier: String { SchemaMigration(version: version, name: name, sql: sql).identifier }

    /// The SHA-256 of the SQL, as recorded when it is applied.
    public var checksum: String { MetadataSchema.checksum(SchemaMigration(version: version, name: name, sql: sql)) }

    /// catalog's own migrations, which have no down scripts.
    static var catalogOwn: [MetadataMigration] {
        MetadataSchema.migrations.map { migration in
            MetadataMigration(
                version: migration.version, name: migration.name, sql: migration.sql,
                file: "schema/postgres/\(migration.identifier).sql")
        }
    }
}

/// A team's own `_metadata` migrations: `NNNN_name.sql` files numbered from 1000 (1–999 are catalog's),
/// each with an optional `NNNN_name.down.sql` that undoes it.
public enum TeamMigrations {
    /// The lowest version a team migration may use.
    public static let firstVersion = 1000

    /// Reads a migrations directory, refusing names it cannot number and versions catalog reserves.
    public static func load(directory: String) throws -> [MetadataMigration] {
        let path = directory.absolutePath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CatalogError(.failed, "the migrations directory \(directory) does not exist", remedy: .giveMigrationsDirectory)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".sql") }.sorted()
        var byVersion: [Int: MetadataMigration] = [:]
        for name in names where !name.hasSuffix(".down.sql") {
            let file = (path as NSString).appendingPathComponent(name)
            guard let parsed = SchemaMigration.parse(fileName: name, sql: try read(file)) else {
                throw CatalogError(
                    "cannot tell the version of \(file); name migration files NNNN_name.sql, with NNNN_name.down.sql for a down script")
            }
            guard parsed.version >= firstVersion else {
                throw CatalogError(
                    "\(file): versions below \(firstVersion) are catalog's own; renumber it from \(firstVersion) up, such as \(firstVersion + parsed.version)_\(parsed.name).sql"
                )
            }
            if let other = byVersion[parsed.version] {
                throw CatalogError("\(file) and \(other.file) both have version \(parsed.version); give each migration its own number")
            }
            byVersion[parsed.version] = MetadataMigration(version: parsed.version, name: parsed.name, sql: parsed.sql, file: file)
        }
        for name in names where name.hasSuffix(".down.sql") {
            let file = (path as NSString).appendingPathComponent(name)
            let upName = String(name.dropLast(".down.sql".count)) + ".sql"
            guard let up = SchemaMigration.parse(fileName: upName, sql: ""), byVersion[up.version]?.name == up.name else {
                throw CatalogError("\(file) has no matching \(upName); a down script sits beside the migration it undoes")
            }
            byVersion[up.version]?.down = try read(file)
            byVersion[up.version]?.downFile = file
        }
        guard !byVersion.isEmpty else {
            throw CatalogError(.failed, "\(directory) holds no NNNN_name.sql migrations", remedy: .giveMigrationsDirectory)
        }
        return byVersion.values.sorted { $0.version < $1.version }
    }

    /// The team migrations as the store keeps them.
    static func stored(_ migrations: [MetadataMigration]) -> [StoredTeamMigration] {
        migrations.filter { $0.version >= firstVersion }.map { migration in
            StoredTeamMigration(
                version: migration.version, name: migration.name, checksum: migration.checksum,
                upSQL: migration.sql, downSQL: migration.down, file: migration.file)
        }
    }

    /// The team migrations last registered in the store.
    static func registered(in store: any CatalogStoring) throws -> [MetadataMigration] {
        try store.teamMigrations().map { stored in
            MetadataMigration(
                version: stored.version, name: stored.name, sql: stored.upSQL, down: stored.downSQL,
                file: stored.file, downFile: stored.downSQL == nil ? nil : String(stored.file.dropLast(".sql".count)) + ".down.sql")
        }
    }

    private static func read(_ file: String) throws -> String {
        do {
            return try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw CatalogError("cannot read \(file) as UTF-8 text; check the file")
        }
    }
}
