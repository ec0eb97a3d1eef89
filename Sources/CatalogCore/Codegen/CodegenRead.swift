import CatalogStore
import Foundation
import PostgresClient

/// Reads a `CodegenInput`: the project's mappings as the index keeps them, checked live first (the round
/// trip that confirms the copy, or replaces it when `_metadata` moved, as a live search does) with the
/// user types and partitions `pg_catalog` has now; with `--cached`, the copy as it is, with the types
/// kept beside it; or the shared definitions at their current versions.
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

    /// What a live generation asks `pg_catalog` itself, in the round trip that checks the index's copy of
    /// the mappings: the user types now, and the partitions now (`schema.table`, a JSON array).
    static let catalogQuery = Query(
        """
        SELECT \(typesDocument)::text AS types,
               (SELECT coalesce(json_agg(n.nspname || '.' || c.relname), '[]'::json)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relispartition)::text AS partitions
        """)

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

    /// The mappings as the index keeps them, with the user types (`typesDocument`'s JSON) and the
    /// partitions: read live (`catalogQuery`, `partitions` given), or kept with the copy (`--cached`). A
    /// copy made before the index kept them has neither: the output then says so in a warning.
    static func input(
        _ tables: [IndexedTable], _ columns: [IndexedColumn], types: String?, partitions: Set<String>? = nil, project: String
    ) throws -> CodegenInput {
        var byTable: [String: [IndexedColumn]] = [:]
        for column in columns { byTable["\(column.schema ?? "public").\(column.table)", default: []].append(column) }
        let tables = tables.map { table in
            CodegenTable(
                schema: table.schema ?? "public", name: table.name, kind: table.kind.flatMap(RelationKind.init(rawValue:)) ?? .table,
                isPartition: partitions.map { $0.contains("\(table.schema ?? "public").\(table.name)") } ?? table.isPartition ?? false,
                graphqlType: table.graphqlType, label: table.label, description: table.description, sharedName: table.sharedName,
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
