import CatalogStore
import Foundation
import PostgresClient

/// Reads a `CodegenInput`: live from a project (its mappings and the user types `pg_catalog` knows, in
/// one statement that answers one JSON document), from the store's index with `--cached`, or from the
/// shared definitions at their current versions.
enum CodegenRead {
    /// Every enum, domain and composite type outside the system schemas, as one JSON array: live
    /// generation reads it with the mappings, and every refresh of the index keeps a copy for `--cached`.
    static let typesDocument = """
        (SELECT coalesce(json_agg(json_build_object(
            'key', format_type(ty.oid, NULL), 'schema', n.nspname, 'name', ty.typname, 'kind', ty.typtype::text,
            'comment', obj_description(ty.oid, 'pg_type'),
            'values', (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = ty.oid),
            'base', CASE WHEN ty.typtype = 'd' THEN format_type(ty.typbasetype, ty.typtypmod) END,
            'not_null', ty.typnotnull,
            'checks', (SELECT json_agg(pg_get_constraintdef(k.oid) ORDER BY k.conname) FROM pg_constraint k
                       WHERE k.contypid = ty.oid AND k.contype = 'c'),
            'attributes', (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod))
                           ORDER BY a.attnum) FROM pg_attribute a
                           WHERE ty.typtype = 'c' AND a.attrelid = ty.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
        ) ORDER BY n.nspname, ty.typname), '[]'::json)
        FROM pg_type ty JOIN pg_namespace n ON n.oid = ty.typnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', '_metadata') AND n.nspname NOT LIKE 'pg\\_%'
          AND (ty.typtype IN ('e', 'd')
               OR (ty.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = ty.typrelid) = 'c')))
        """

    /// The index's copy of `typesDocument`, read with the mappings' dumps.
    static let typesDump = Query("SELECT \(typesDocument)::text AS types")

    /// One row, one JSON document: the mapped tables (with whether each is a partition), their columns,
    /// and the user types (`typesDocument`).
    static let liveQuery = Query(
        """
        WITH t AS (
            SELECT m.id, coalesce(to_jsonb(m) ->> 'pg_schema', 'public') AS pg_schema, m.table_name,
                   coalesce(to_jsonb(m) ->> 'relation_kind', 'table') AS relation_kind, m.graphql_type, m.label, m.description,
                   to_jsonb(m) ->> 'shared_name' AS shared_name, (to_jsonb(m) ->> 'shared_version')::int AS shared_version
            FROM _metadata.mappings_table m
        )
        SELECT json_build_object(
            'tables', (SELECT coalesce(json_agg(json_build_object(
                    'schema', t.pg_schema, 'name', t.table_name, 'kind', t.relation_kind, 'graphql_type', t.graphql_type,
                    'label', t.label, 'description', t.description, 'shared_name', t.shared_name, 'shared_version', t.shared_version,
                    'is_partition', coalesce((SELECT c.relispartition FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                                              WHERE n.nspname = t.pg_schema AND c.relname = t.table_name), false),
                    'columns', (SELECT coalesce(json_agg(json_build_object(
                            'name', c.pg_column, 'type', c.pg_type, 'graphql_field', c.graphql_field, 'label', c.label,
                            'description', c.description, 'nullable', c.is_nullable, 'rules', c.validation_rules::text,
                            'position', c.position) ORDER BY c.position, c.pg_column), '[]'::json)
                        FROM _metadata.mappings_column c WHERE c.table_id = t.id)
                ) ORDER BY t.pg_schema, t.table_name), '[]'::json) FROM t),
            'types', \(typesDocument)
        )::text AS document
        """)

    private struct Document: Decodable {
        var tables: [Table]
        var types: [UserType]
    }

    private struct Table: Decodable {
        var schema: String
        var name: String
        var kind: String
        var graphql_type: String?
        var label: String?
        var description: String?
        var shared_name: String?
        var shared_version: Int?
        var is_partition: Bool
        var columns: [Column]
    }

    private struct Column: Decodable {
        var name: String
        var type: String?
        var graphql_field: String?
        var label: String?
        var description: String?
        var nullable: Bool?
        var rules: String?
        var position: Int?
    }

    fileprivate struct UserType: Decodable {
        struct Attribute: Decodable {
            var name: String
            var type: String
        }
        var key: String
        var schema: String
        var name: String
        var kind: String
        var comment: String?
        var values: [String]?
        var base: String?
        var not_null: Bool
        var checks: [String]?
        var attributes: [Attribute]?
    }

    /// Parses the live document.
    static func parse(_ text: String, project: String) throws -> CodegenInput {
        let document = try JSONDecoder().decode(Document.self, from: Data(text.utf8))
        let tables = document.tables.map { table in
            CodegenTable(
                schema: table.schema, name: table.name, kind: RelationKind(rawValue: table.kind) ?? .table, isPartition: table.is_partition,
                graphqlType: table.graphql_type, label: table.label, description: table.description, sharedName: table.shared_name,
                sharedVersion: table.shared_version,
                columns: table.columns.map { column in
                    IndexedColumn(
                        name: column.name, type: column.type, graphqlField: column.graphql_field, label: column.label,
                        description: column.description, isNullable: column.nullable, validationRules: column.rules, position: column.position)
                })
        }
        return CodegenInput(name: "project \(project)", tables: tables, types: userTypes(document.types))
    }

    /// The user types of `typesDocument`'s JSON, by key.
    static func userTypes(json text: String) throws -> [String: CodegenUserType] {
        userTypes(try JSONDecoder().decode([UserType].self, from: Data(text.utf8)))
    }

    private static func userTypes(_ document: [UserType]) -> [String: CodegenUserType] {
        var types: [String: CodegenUserType] = [:]
        for type in document {
            let kind: CodegenUserType.Kind
            switch type.kind {
            case "e": kind = .enumeration(type.values ?? [])
            case "d": kind = .domain(base: type.base ?? "unknown", notNull: type.not_null, checks: type.checks ?? [])
            default: kind = .composite((type.attributes ?? []).map { ($0.name, $0.type) })
            }
            types[type.key] = CodegenUserType(schema: type.schema, name: type.name, kind: kind, comment: type.comment)
        }
        return types
    }

    /// The index's copy: the mappings, and the user types and partitions read from `pg_catalog` with them
    /// (`types`, `typesDocument`'s JSON). A copy made before the index kept those has neither: the output
    /// then says so in a warning.
    static func cached(_ tables: [IndexedTable], _ columns: [IndexedColumn], types: String?, project: String) throws -> CodegenInput {
        var byTable: [String: [IndexedColumn]] = [:]
        for column in columns { byTable["\(column.schema ?? "public").\(column.table)", default: []].append(column) }
        let tables = tables.map { table in
            CodegenTable(
                schema: table.schema ?? "public", name: table.name, kind: table.kind.flatMap(RelationKind.init(rawValue:)) ?? .table,
                isPartition: table.isPartition ?? false, graphqlType: table.graphqlType, label: table.label, description: table.description, sharedName: table.sharedName,
                sharedVersion: table.sharedVersion, columns: byTable["\(table.schema ?? "public").\(table.name)"] ?? [])
        }
        guard let types else {
            let note = CodegenWarning(
                "from the index: this copy was made before the index kept pg_catalog facts, so enums, domains and composite types are not known and partitions are emitted as tables; read the project live once to refresh it"
            )
            return CodegenInput(name: "project \(project)", tables: tables, notes: [note])
        }
        return CodegenInput(name: "project \(project)", tables: tables, types: try userTypes(json: types))
    }

    /// The shared definitions, each at its current version.
    static func shared(_ versions: [SharedVersion]) -> CodegenInput {
        let tables = versions.map { version in
            let definition = version.definition
            return CodegenTable(
                schema: definition.schema, name: definition.table, graphqlType: definition.graphqlType, label: definition.label,
                description: definition.description, sharedName: version.name, sharedVersion: version.version,
                columns: definition.columns.map { column in
                    IndexedColumn(
                        name: column.name, type: column.type, graphqlField: column.graphqlField, label: column.label,
                        isNullable: column.nullable, validationRules: column.validationRules?.canonicalText, position: column.position)
                })
        }
        return CodegenInput(name: "the shared definitions", tables: tables)
    }
}
