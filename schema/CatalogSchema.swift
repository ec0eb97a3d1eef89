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

    private static func load(_ folder: String) -> [SchemaMigration] {
        guard let url = Bundle.module.url(forResource: folder, withExtension: nil),
              let migrations = try? SchemaMigration.load(directory: url)
        else {
            fatalError("catalog's resource bundle is missing schema/\(folder); rebuild with 'swift build'")
        }
        return migrations
    }
}
