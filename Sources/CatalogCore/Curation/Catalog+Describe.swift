import CatalogStore
import Foundation

extension Catalog {
    /// A project's relations with their kind, column count and label. Live by default: one round
    /// trip tells whether the index's copy is current, and re-reads the project only if not; with
    /// `cached`, the local index answers without a connection.
    public func describeProject(_ name: String, cached: Bool = false, options: FanOutOptions = FanOutOptions()) throws -> ProjectDescription {
        let fetchedAt = try refreshedCopy(of: name, cached: cached, options: options)
        let tables = try wrapped { try store.indexedTables(projects: [name], filter: .all) }.map(\.table)
        let columns = try wrapped { try store.indexedColumns(projects: [name], filter: .all) }
        let counts = Dictionary(grouping: columns) { MetadataTarget(schema: $0.schema ?? "public", table: $0.table) }.mapValues(\.count)
        let relations = tables.map { table in
            Self.summary(table, columnCount: counts[MetadataTarget(schema: table.schema ?? "public", table: table.name)] ?? 0)
        }
        return ProjectDescription(project: name, relations: relations.sorted { ($0.schema, $0.table) < ($1.schema, $1.table) }, fetchedAt: fetchedAt)
    }

    /// One relation with every column: type, nullability and the human fields.
    public func describeRelation(
        _ name: String, relation: MetadataTarget, cached: Bool = false, options: FanOutOptions = FanOutOptions()
    ) throws -> RelationDescription {
        _ = try refreshedCopy(of: name, cached: cached, options: options)
        let relation = relation.relation
        let table = try wrapped { try store.indexedTables(projects: [name], filter: .exact(relation.table)) }.map(\.table)
            .first { ($0.schema ?? "public") == relation.schema }
        guard let table else { throw CatalogError.unknownRelation(relation, project: name) }
        let columns = try wrapped { try store.indexedColumns(projects: [name], filter: .all) }
            .filter { ($0.schema ?? "public") == relation.schema && $0.table == relation.table }
            .map { column in
                ColumnDescription(
                    name: column.name, type: column.type, nullable: column.isNullable, position: column.position, label: column.label,
                    description: column.description, graphqlField: column.graphqlField,
                    validationRules: column.validationRules.flatMap { try? JSONValue(json: $0) })
            }
            .sorted { ($0.position ?? Int.max, $0.name) < ($1.position ?? Int.max, $1.name) }
        return RelationDescription(
            project: name, summary: Self.summary(table, columnCount: columns.count), sharedVersion: table.sharedVersion, columns: columns)
    }

    /// Brings the index's copy of one project up to date (unless `cached`), and says when it was read.
    private func refreshedCopy(of name: String, cached: Bool, options: FanOutOptions) throws -> Date? {
        let project = try projects(ProjectSelection(names: [name])).first!
        if !cached {
            let outcome = try readLive([project], question: nil, options: options)
            if let failure = outcome.failures.first {
                throw CatalogError(.unreachable, "project \"\(name)\": \(failure.outcome.message ?? failure.outcome.label)", remedy: failure.outcome.remedy ?? .describeCached)
            }
        }
        guard let state = try wrapped({ try store.indexStates() })[name] else {
            throw CatalogError(.notFound, "project \"\(name)\" is not in the local index yet", remedy: .describeLive)
        }
        return state.fetchedAt
    }

    static func summary(_ table: IndexedTable, columnCount: Int) -> RelationSummary {
        RelationSummary(
            schema: table.schema ?? "public", table: table.name, kind: table.kind, columnCount: columnCount, label: table.label,
            graphqlType: table.graphqlType, description: table.description, sharedName: table.isShared == true ? table.sharedName : nil)
    }
}

extension CatalogError {
    static func unknownRelation(_ relation: MetadataTarget, project: String) -> CatalogError {
        CatalogError(
            .notFound, "project \"\(project)\" has no relation \(relation.relation) in _metadata",
            remedy: .scanOrFindTable(project: project, table: relation.table))
    }

    static func unknownColumn(_ target: MetadataTarget, project: String) -> CatalogError {
        CatalogError(
            .notFound, "relation \(target.relation) of project \"\(project)\" has no column \"\(target.column ?? "")\" in _metadata",
            remedy: .describeRelation(project: project, relation: target.relation.description))
    }
}
