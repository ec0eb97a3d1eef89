import Foundation
import PostgresClient

/// Reads and writes one project's `_metadata` rows for the tables shared definitions cover.
enum ProjectMappings {
    /// The statement that reads the mappings of the given (schema, table) pairs, values bound as arrays.
    static func readQuery(_ keys: [(schema: String, table: String)]) -> Query {
        Query(
            """
            SELECT t.id, t.pg_schema, t.table_name, t.graphql_type, t.label, t.description, t.is_shared, t.shared_name,
                   t.shared_version, c.pg_column, c.pg_type, c.label AS column_label, c.graphql_field, c.is_nullable,
                   c.validation_rules::text AS validation_rules, c.position
            FROM _metadata.mappings_table t LEFT JOIN _metadata.mappings_column c ON c.table_id = t.id
            WHERE (t.pg_schema, t.table_name) IN (SELECT * FROM unnest($1::text[], $2::text[]))
            """, [PostgresArray.literal(keys.map { Optional($0.schema) }), PostgresArray.literal(keys.map { Optional($0.table) })])
    }

    struct Key: Hashable {
        var schema: String
        var table: String
    }

    /// Groups the rows of `readQuery` by table.
    static func parse(_ result: QueryResult) throws -> [Key: MappedTable] {
        var tables: [Key: MappedTable] = [:]
        for record in result.records {
            let key = Key(schema: record["pg_schema"] ?? "public", table: record["table_name"] ?? "")
            var table =
                tables[key]
                ?? MappedTable(
                    graphqlType: record["graphql_type"], label: record["label"], description: record["description"],
                    isShared: record.bool("is_shared") ?? false, sharedName: record["shared_name"], sharedVersion: record.int("shared_version"))
            if let column = record["pg_column"] {
                table.columns[column] = MappedTableColumn(
                    type: record["pg_type"], label: record["column_label"], graphqlField: record["graphql_field"],
                    nullable: record.bool("is_nullable"), validationRules: try record["validation_rules"].map { try JSONValue(json: $0) },
                    position: record.int("position"))
            }
            tables[key] = table
        }
        return tables
    }

    /// Carries out one project's plan inside the caller's transaction. Only `_metadata` is written; never DDL.
    static func apply(_ plan: ProjectSyncPlan, theirs: TableDefinition, ours: MappedTable?, on connection: Connection) throws {
        let target = targetTable(plan, theirs: theirs, ours: ours)
        let tableID: String
        if ours == nil {
            let inserted = try connection.query(
                """
                INSERT INTO _metadata.mappings_table (pg_schema, table_name, relation_kind, graphql_type, label, description,
                    is_shared, shared_name, shared_version)
                VALUES ($1, $2, 'table', $3, $4, $5, true, $6, $7) RETURNING id
                """, [plan.schema, plan.table, target.graphqlType, target.label, target.description, plan.definition, plan.toVersion])
            tableID = inserted.records.first?["id"] ?? ""
        } else {
            let updated = try connection.query(
                """
                UPDATE _metadata.mappings_table SET graphql_type = $3, label = $4, description = $5, is_shared = true,
                    shared_name = $6, shared_version = $7, updated_at = now()
                WHERE pg_schema = $1 AND table_name = $2 RETURNING id
                """, [plan.schema, plan.table, target.graphqlType, target.label, target.description, plan.definition, plan.toVersion])
            tableID = updated.records.first?["id"] ?? ""
        }
        for (name, column) in target.columns.sorted(by: { $0.key < $1.key }) where ours?.columns[name] != column {
            let values: [(any PostgresBindable)?] = [
                tableID, name, column.type, column.label, column.graphqlField, column.nullable,
                column.validationRules?.canonicalText, column.position,
            ]
            if ours?.columns[name] == nil {
                try connection.query(
                    """
                    INSERT INTO _metadata.mappings_column (table_id, pg_column, pg_type, label, graphql_field, is_nullable, validation_rules, position)
                    VALUES ($1::bigint, $2, $3, $4, $5, $6, $7::jsonb, $8)
                    """, values)
            } else {
                try connection.query(
                    """
                    UPDATE _metadata.mappings_column SET pg_type = $3, label = $4, graphql_field = $5, is_nullable = $6,
                        validation_rules = $7::jsonb, position = $8, updated_at = now()
                    WHERE table_id = $1::bigint AND pg_column = $2
                    """, values)
            }
        }
    }

    /// Ours with the plan's writes applied, and every new column added.
    static func targetTable(_ plan: ProjectSyncPlan, theirs: TableDefinition, ours: MappedTable?) -> MappedTable {
        var target = ours ?? MappedTable()
        for name in plan.newColumns where target.columns[name] == nil { target.columns[name] = MappedTableColumn() }
        for change in plan.writes {
            guard let (name, field) = SyncFields.split(change.path) else {
                switch change.path {
                case "graphql_type": target.graphqlType = change.theirs?.text
                case "label": target.label = change.theirs?.text
                default: target.description = change.theirs?.text
                }
                continue
            }
            var column = target.columns[name] ?? MappedTableColumn()
            switch field {
            case "type": column.type = change.theirs?.text
            case "label": column.label = change.theirs?.text
            case "graphql_field": column.graphqlField = change.theirs?.text
            case "nullable": column.nullable = change.theirs?.boolValue
            case "validation_rules": column.validationRules = change.theirs
            default: column.position = change.theirs?.intValue
            }
            target.columns[name] = column
        }
        return target
    }
}

extension JSONValue {
    var text: String? { if case .string(let value) = self { value } else { nil } }
    var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    var intValue: Int? { if case .number(let value) = self { Int(value) } else { nil } }
}
