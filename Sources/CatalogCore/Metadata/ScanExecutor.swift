import Foundation
import PostgresClient

/// Carries out one project's scan plan inside the caller's transaction: the only code that writes
/// what scan found. Each kind of change is one statement over arrays of bound values.
struct ScanExecutor {
    let connection: Connection
    let project: String

    func run(_ plan: ProjectScanPlan) throws {
        let insertedIDs = try insertRelations(plan.newRelations)
        var newColumns = plan.newColumns
        for (relation, id) in zip(plan.newRelations, insertedIDs) {
            newColumns += relation.columns.map { ProjectScanPlan.NewColumn(tableID: id, column: $0) }
        }
        try updateKinds(plan.kindChanges)
        try updateColumns(plan.followedRenames)
        try insertColumns(newColumns)
        try updateColumns(plan.columnChanges)
        try delete("mappings_column", ids: plan.goneColumns)
        try delete("mappings_table", ids: plan.goneTables)
    }

    private func insertRelations(_ relations: [LiveRelation]) throws -> [Int64] {
        guard !relations.isEmpty else { return [] }
        let rows = try connection.query(
            """
            INSERT INTO _metadata.mappings_table (pg_schema, table_name, relation_kind)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
            RETURNING id, pg_schema, table_name
            """,
            [
                PostgresArray.literal(relations.map { Optional($0.schema) }),
                PostgresArray.literal(relations.map { Optional($0.name) }),
                PostgresArray.literal(relations.map { Optional($0.kind.rawValue) }),
            ]
        ).records
        var ids: [MetadataScanner.RelationKey: Int64] = [:]
        for row in rows {
            ids[MetadataScanner.RelationKey(schema: row["pg_schema"] ?? "", name: row["table_name"] ?? "")] = row["id"].flatMap { Int64($0) }
        }
        return try relations.map { relation in
            guard let id = ids[MetadataScanner.RelationKey(schema: relation.schema, name: relation.name)] else {
                throw CatalogError(
                    "project \"\(project)\": inserting the mapping of \(relation.schema).\(relation.name) returned no id; nothing was changed")
            }
            return id
        }
    }

    private func updateKinds(_ changes: [ProjectScanPlan.KindChange]) throws {
        guard !changes.isEmpty else { return }
        try connection.query(
            """
            UPDATE _metadata.mappings_table t SET relation_kind = u.kind, updated_at = now()
            FROM unnest($1::bigint[], $2::text[]) AS u(id, kind) WHERE t.id = u.id
            """, [PostgresArray.literal(changes.map(\.id)), PostgresArray.literal(changes.map { Optional($0.kind.rawValue) })])
    }

    private func insertColumns(_ columns: [ProjectScanPlan.NewColumn]) throws {
        guard !columns.isEmpty else { return }
        try connection.query(
            """
            INSERT INTO _metadata.mappings_column (table_id, pg_column, pg_type, is_nullable, position)
            SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::boolean[], $5::integer[])
            """,
            [
                PostgresArray.literal(columns.map(\.tableID)),
                PostgresArray.literal(columns.map { Optional($0.column.name) }),
                PostgresArray.literal(columns.map { Optional($0.column.type) }),
                PostgresArray.literal(columns.map { Optional($0.column.isNullable) }),
                PostgresArray.literal(columns.map { Optional($0.column.position) }),
            ])
    }

    /// Writes PostgreSQL's facts onto existing mapping rows by id. A followed rename is the same write with a
    /// new name: the row keeps its id and human fields (for a plain change the name is the row's own).
    private func updateColumns(_ changes: [ProjectScanPlan.ColumnUpdate]) throws {
        guard !changes.isEmpty else { return }
        try connection.query(
            """
            UPDATE _metadata.mappings_column c
            SET pg_column = u.name, pg_type = u.type, is_nullable = u.nullable, position = u.position, updated_at = now()
            FROM unnest($1::bigint[], $2::text[], $3::text[], $4::boolean[], $5::integer[]) AS u(id, name, type, nullable, position)
            WHERE c.id = u.id
            """,
            [
                PostgresArray.literal(changes.map(\.id)),
                PostgresArray.literal(changes.map { Optional($0.column.name) }),
                PostgresArray.literal(changes.map { Optional($0.column.type) }),
                PostgresArray.literal(changes.map { Optional($0.column.isNullable) }),
                PostgresArray.literal(changes.map { Optional($0.column.position) }),
            ])
    }

    private func delete(_ table: String, ids: [Int64]) throws {
        guard !ids.isEmpty else { return }
        try connection.query("DELETE FROM _metadata.\(table) WHERE id = ANY($1::bigint[])", [PostgresArray.literal(ids)])
    }
}
