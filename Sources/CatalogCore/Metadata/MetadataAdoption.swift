import CatalogSchema
import Foundation
import PostgresClient

/// Taking over a `_metadata` built by hand from the original design: the two mapping tables, and no
/// `schema_migrations` ledger. Once the tables are checked against catalog's first migration, the
/// rest of that migration (the revision counter and its triggers) is created around them, the
/// migration is recorded as the baseline, and install carries on from there.
enum MetadataAdoption {
    /// One column the first migration's mapping tables have, the types that serve, and how to add it.
    struct Expected {
        var table: String
        var column: String
        var types: [String]
        var definition: String
    }

    static let text = ["text", "character varying"]
    static let timestamp = ["timestamp with time zone", "timestamp without time zone"]
    static let integer = ["bigint", "integer"]

    /// What catalog reads and writes in the mapping tables, as `0001_mappings.sql` creates them.
    static let expected: [Expected] = [
        Expected(table: "mappings_table", column: "id", types: integer, definition: "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
        Expected(table: "mappings_table", column: "table_name", types: text, definition: "text"),
        Expected(table: "mappings_table", column: "graphql_type", types: text, definition: "text"),
        Expected(table: "mappings_table", column: "label", types: text, definition: "text"),
        Expected(table: "mappings_table", column: "description", types: text, definition: "text"),
        Expected(table: "mappings_table", column: "is_shared", types: ["boolean"], definition: "boolean NOT NULL DEFAULT false"),
        Expected(table: "mappings_table", column: "created_at", types: timestamp, definition: "timestamptz NOT NULL DEFAULT now()"),
        Expected(table: "mappings_table", column: "updated_at", types: timestamp, definition: "timestamptz NOT NULL DEFAULT now()"),
        Expected(table: "mappings_column", column: "id", types: integer, definition: "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
        Expected(
            table: "mappings_column", column: "table_id", types: integer,
            definition: "bigint REFERENCES _metadata.mappings_table(id) ON DELETE CASCADE"),
        Expected(table: "mappings_column", column: "pg_column", types: text, definition: "text"),
        Expected(table: "mappings_column", column: "pg_type", types: text, definition: "text"),
        Expected(table: "mappings_column", column: "graphql_field", types: text, definition: "text"),
        Expected(table: "mappings_column", column: "label", types: text, definition: "text"),
        Expected(table: "mappings_column", column: "description", types: text, definition: "text"),
        Expected(table: "mappings_column", column: "is_nullable", types: ["boolean"], definition: "boolean"),
        Expected(table: "mappings_column", column: "validation_rules", types: ["jsonb"], definition: "jsonb"),
        Expected(table: "mappings_column", column: "position", types: ["integer", "smallint", "bigint"], definition: "integer"),
        Expected(table: "mappings_column", column: "created_at", types: timestamp, definition: "timestamptz NOT NULL DEFAULT now()"),
        Expected(table: "mappings_column", column: "updated_at", types: timestamp, definition: "timestamptz NOT NULL DEFAULT now()"),
    ]

    /// The unique constraint `0002_schemas_and_kinds` replaces, so it must be there under this name.
    static let tableNameKey = "mappings_table_table_name_key"

    /// The existing tables as `information_schema` describes them.
    struct Shape: Equatable {
        /// Table → column → `data_type`.
        var columns: [String: [String: String]]
        /// The names of the unique constraints on `mappings_table`.
        var uniqueConstraints: Set<String>
    }

    /// Adopts `_metadata` when it holds the mapping tables and an empty or absent ledger; returns the
    /// baseline recorded, or nil when there was nothing to adopt. Runs in the caller's transaction.
    static func adoptIfNeeded(_ known: [SchemaMigration], on connection: Connection, project: String) throws -> SchemaMigration? {
        let present =
            try connection.query("SELECT to_regclass('_metadata.mappings_table') IS NOT NULL AS present").records.first?.bool("present") == true
        guard present, try MetadataSchema.applied(on: connection).isEmpty, let baseline = known.first(where: { $0.version == 1 }) else { return nil }
        let problems = Self.problems(try shape(on: connection))
        if !problems.isEmpty {
            let found = problems.map(\.problem).joined(separator: ", ")
            let fixes = problems.compactMap(\.fix)
            let todo =
                fixes.isEmpty
                ? "create them as schema/postgres/\(baseline.identifier).sql does"
                : "run '\(fixes.joined(separator: "; "))' as the table owner"
            throw CatalogError(
                "project \"\(project)\": its _metadata has mapping tables but no schema_migrations ledger, and they differ from \(baseline.identifier): \(found); \(todo), then 'catalog metadata install \(project)' again; nothing was changed"
            )
        }
        try connection.execute(script: MetadataSchema.createLedger)
        for statement in SQLStatement.split(baseline.sql) where !createsMappingTable(statement) {
            do {
                try connection.execute(script: statement.text)
            } catch let error as PostgresError {
                throw PostgresAdvice.error(error) {
                    "project \"\(project)\": adopting its _metadata as \(baseline.identifier): line \(statement.line) failed: \($0); nothing was changed"
                }
            }
        }
        try connection.query(
            "INSERT INTO _metadata.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            [baseline.version, baseline.name, MetadataSchema.checksum(baseline)])
        return baseline
    }

    static func shape(on connection: Connection) throws -> Shape {
        var columns: [String: [String: String]] = [:]
        for record in try connection.query(
            """
            SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
            WHERE table_schema = '_metadata' AND table_name IN ('mappings_table', 'mappings_column')
            """
        ).records {
            columns[record["table_name"] ?? "", default: [:]][record["column_name"] ?? ""] = record["data_type"] ?? ""
        }
        let unique = try connection.query(
            """
            SELECT conname::text AS name FROM pg_constraint
            WHERE conrelid = '_metadata.mappings_table'::regclass AND contype IN ('u', 'p')
            """
        ).records.compactMap { $0["name"] }
        return Shape(columns: columns, uniqueConstraints: Set(unique))
    }

    /// Each difference from the first migration's tables, with the SQL that mends it where there is one.
    static func problems(_ shape: Shape) -> [(problem: String, fix: String?)] {
        var problems: [(problem: String, fix: String?)] = []
        for table in ["mappings_table", "mappings_column"] where shape.columns[table] == nil {
            problems.append(("_metadata.\(table) is missing", nil))
        }
        for expected in expected {
            guard let columns = shape.columns[expected.table] else { continue }
            let name = "_metadata.\(expected.table)"
            guard let type = columns[expected.column] else {
                problems.append(
                    ("\(name) has no column \(expected.column)", "ALTER TABLE \(name) ADD COLUMN \(expected.column) \(expected.definition)"))
                continue
            }
            if !expected.types.contains(type) {
                let wanted = expected.types[0]
                problems.append(
                    (
                        "\(name).\(expected.column) is \(type), not \(wanted)",
                        "ALTER TABLE \(name) ALTER COLUMN \(expected.column) TYPE \(wanted) USING \(expected.column)::\(wanted)"
                    ))
            }
        }
        if shape.columns["mappings_table"]?["table_name"] != nil && !shape.uniqueConstraints.contains(tableNameKey) {
            problems.append(
                (
                    "_metadata.mappings_table has no unique constraint \(tableNameKey)",
                    "ALTER TABLE _metadata.mappings_table ADD CONSTRAINT \(tableNameKey) UNIQUE (table_name)"
                ))
        }
        return problems
    }

    /// `CREATE TABLE _metadata.mappings_table` or `…mappings_column`: the tables being adopted.
    private static func createsMappingTable(_ statement: SQLStatement) -> Bool {
        let tokens = statement.tokens
        return tokens.count > 4 && tokens[0] == "CREATE" && tokens[1] == "TABLE" && tokens[2] == "_METADATA" && tokens[3] == "."
            && ["MAPPINGS_TABLE", "MAPPINGS_COLUMN"].contains(tokens[4])
    }
}
