import Foundation

/// One numbered, named SQL migration from `schema/sqlite/`, `schema/registry/` or `schema/postgres/`.
public struct SchemaMigration: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var sql: String

    /// The identifier recorded once applied, such as `0001_init`.
    public var identifier: String {
        let digits = String(version)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "_" + name
    }

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Parses a file name of the form `NNNN_name.sql`; nil for anything else.
    public static func parse(fileName: String, sql: String) -> SchemaMigration? {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_"),
              let version = Int(stem[..<underscore]), version > 0
        else { return nil }
        return SchemaMigration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql)
    }

    /// The identifiers of the `NNNN_name.sql` files in a directory, ordered by version, read from
    /// their names alone: what a store compares with its ledger on every open.
    public static func identifiers(directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).compactMap { parse(fileName: $0, sql: "") }
            .sorted { $0.version < $1.version }.map(\.identifier)
    }

    /// Reads every `NNNN_name.sql` file in a directory, ordered by version.
    public static func load(directory: URL) throws -> [SchemaMigration] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        return try names.sorted().compactMap { name in
            let url = directory.appendingPathComponent(name)
            guard name.hasSuffix(".sql") else { return nil }
            let sql = try String(contentsOf: url, encoding: .utf8)
            return parse(fileName: name, sql: sql)
        }.sorted { $0.version < $1.version }
    }
}

/// The SQL that ships with catalog: the store's schema (SQLite or PostgreSQL) and the `_metadata` schema.
public enum CatalogSchema {
    /// Migrations for the local SQLite store.
    public static func sqlite() -> [SchemaMigration] { load("sqlite") }

    /// Migrations for a store kept in PostgreSQL (the registry's `catalog` schema).
    public static func registry() -> [SchemaMigration] { load("registry") }

    /// Migrations for each project's `_metadata` schema.
    public static func postgres() -> [SchemaMigration] { load("postgres") }

    /// The identifiers of the local store's migrations, from the file names: an up-to-date store
    /// is opened without reading any SQL.
    public static func sqliteIdentifiers() -> [String] {
        guard let identifiers = try? SchemaMigration.identifiers(directory: folder("sqlite")) else { missing("sqlite") }
        return identifiers
    }

    private static func load(_ name: String) -> [SchemaMigration] {
        guard let migrations = try? SchemaMigration.load(directory: folder(name)) else { missing(name) }
        return migrations
    }

    /// The folder is copied whole into the bundle's root, so it is looked for there: asking the
    /// bundle for a resource first builds its list of localizations (2.6 M instructions, on every
    /// store open).
    private static func folder(_ name: String) -> URL {
        guard let root = Bundle.module.resourceURL else { missing(name) }
        let url = root.appendingPathComponent(name, isDirectory: true)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else { missing(name) }
        return url
    }

    private static func missing(_ name: String) -> Never {
        fatalError("catalog's resource bundle is missing schema/\(name); rebuild with 'swift build'")
    }
}
