import CatalogStore
import Foundation

/// What `store copy` did: each table's rows in the source and, read back after the commit, in the target.
public struct StoreCopyReport: Sendable, Equatable {
    public struct Table: Sendable, Equatable {
        public var name: String
        public var sourceRows: Int
        public var targetRows: Int
    }

    /// The source and the target as messages name them (a registry's connection string masked).
    public var source: String
    public var target: String
    public var tables: [Table]

    /// Every row copied.
    public var rows: Int { tables.map(\.sourceRows).reduce(0, +) }
}

/// Moves a whole store into an empty one of either kind (SQLite file or PostgreSQL registry): every
/// row is read in one snapshot of the source and loaded in one transaction on the target, so a copy
/// that is stopped leaves the target empty; the row counts of each table are compared afterwards.
public enum StoreCopy {
    public static func run(from source: StoreLocation, to target: StoreLocation) throws -> StoreCopyReport {
        guard source.registry != target.registry || source.registry == nil && canonical(source.path) != canonical(target.path) else {
            throw CatalogError(.badInput, "the source and the target are the same store (\(source.label)); name two different stores")
        }
        if !source.isRegistry, !FileManager.default.fileExists(atPath: source.path) {
            throw CatalogError(.notFound, "the source store \(source.path) does not exist; name an existing store to copy from")
        }
        do {
            let from = try source.openStore(.readOnly)
            let contents = try from.contents()
            let to = try target.openStore()
            try to.load(contents)
            let copied = contents.rowCounts
            let found = try to.rowCounts()
            let tables = StoreTable.all.map { table in
                StoreCopyReport.Table(name: table.name, sourceRows: copied[table.name] ?? 0, targetRows: found[table.name] ?? 0)
            }
            if let differing = tables.first(where: { $0.sourceRows != $0.targetRows }) {
                throw CatalogError(
                    "after the copy, table \(differing.name) holds \(differing.targetRows) rows in \(target.label) but \(differing.sourceRows) in \(source.label)"
                )
            }
            return StoreCopyReport(source: source.label, target: target.label, tables: tables)
        } catch {
            throw CatalogError.wrap(error)
        }
    }

    private static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
