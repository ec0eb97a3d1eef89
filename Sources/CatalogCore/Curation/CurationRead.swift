import Foundation
import PostgresClient

/// The statements a metadata edit sends to one project: the read that selects its rows (the
/// predicate goes down to the database, as a search's does) and the updates that write them.
enum CurationRead {
    private static let tableRows = """
        SELECT t.pg_schema, t.table_name, NULL::text AS pg_column, CASE WHEN t.is_shared THEN t.shared_name END AS shared_name,
               t.label, t.description, t.graphql_type AS graphql_name, NULL::text AS validation_rules
        FROM _metadata.mappings_table t
        """

    private static let columnRows = """
        SELECT t.pg_schema, t.table_name, c.pg_column, CASE WHEN t.is_shared THEN t.shared_name END AS shared_name,
               c.label, c.description, c.graphql_field AS graphql_name, c.validation_rules::text AS validation_rules
        FROM _metadata.mappings_column c JOIN _metadata.mappings_table t ON t.id = c.table_id
        """

    /// The rows `selector` reaches in one project, every value bound.
    static func query(_ selector: MetadataSelector) -> Query {
        switch selector {
        case .one(let target), .relation(let target):
            let pinned = "WHERE t.pg_schema = $1 AND t.table_name = $2"
            return Query("\(tableRows) \(pinned) UNION ALL \(columnRows) \(pinned)", [target.schema, target.table])
        case .columns(let search, let table):
            let condition = search.postgresCondition(on: "c.pg_column")
            guard let table else { return Query("\(columnRows) WHERE \(condition)", [search.name]) }
            return Query("\(columnRows) WHERE \(condition) AND t.table_name = $2", [search.name, table])
        case .tables(let search):
            return Query("\(tableRows) WHERE \(search.postgresCondition(on: "t.table_name"))", [search.name])
        }
    }

    static func rows(_ result: QueryResult) throws -> [CurationRow] {
        try result.records.map { record in
            let column = record["pg_column"]
            var values: [MetadataField: JSONValue] = [:]
            values[.label] = SyncFields.text(record["label"])
            values[.description] = SyncFields.text(record["description"])
            values[column == nil ? .graphqlType : .graphqlField] = SyncFields.text(record["graphql_name"])
            if let rules = record["validation_rules"] { values[.validationRules] = try JSONValue(json: rules) }
            return CurationRow(
                target: MetadataTarget(schema: record["pg_schema"] ?? "public", table: record["table_name"] ?? "", column: column),
                values: values, sharedName: record["shared_name"])
        }
    }

    /// Writes one row's changes in the caller's transaction: one UPDATE, its columns named by
    /// `MetadataField` (never by user text), every value bound.
    static func write(_ changes: [CurationChange], to target: MetadataTarget, on connection: Connection) throws {
        var parameters: [(any PostgresBindable)?] = [target.schema, target.table]
        var assignments: [String] = []
        for change in changes.sorted(by: { $0.field < $1.field }) {
            if change.field == .validationRules {
                parameters.append(change.new?.canonicalText)
                assignments.append("validation_rules = $\(parameters.count)::jsonb")
            } else {
                parameters.append(change.new?.text)
                assignments.append("\(change.field.rawValue) = $\(parameters.count)")
            }
        }
        let set = (assignments + ["updated_at = now()"]).joined(separator: ", ")
        let updated: QueryResult
        if let column = target.column {
            parameters.append(column)
            updated = try connection.query(
                """
                UPDATE _metadata.mappings_column SET \(set)
                WHERE table_id = (SELECT id FROM _metadata.mappings_table WHERE pg_schema = $1 AND table_name = $2)
                  AND pg_column = $\(parameters.count) RETURNING id
                """, parameters)
        } else {
            updated = try connection.query(
                "UPDATE _metadata.mappings_table SET \(set) WHERE pg_schema = $1 AND table_name = $2 RETURNING id", parameters)
        }
        guard updated.records.count == 1 else { throw CatalogError("\(target) is no longer in _metadata; nothing was written") }
    }
}
