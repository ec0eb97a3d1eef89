import Foundation

/// The DDL `project create --create-tables` writes for a shared definition: the one place catalog
/// writes DDL, and only into a database it has just created. Names are quoted; a column type is the
/// definition's text, so it is first checked to be a type name (letters, digits, `_`, spaces, dots,
/// a `(n[,m])` modifier and `[]`) and then resolved by the server (`to_regtype`) before the plan is made.
enum TableDDL {
    /// `CREATE SCHEMA IF NOT EXISTS` (outside `public`), then `CREATE TABLE` with the columns in
    /// position order and `NOT NULL` where the definition says `nullable: false`.
    static func statements(_ definition: TableDefinition, named name: String, quote: (String) throws -> String) throws -> [String] {
        var statements: [String] = []
        if definition.schema != "public" { statements.append("CREATE SCHEMA IF NOT EXISTS \(try quote(definition.schema))") }
        let columns = try orderedColumns(definition).map { column in
            guard isTypeName(column.type) else { throw invalidType(column, in: definition, named: name) }
            return "\(try quote(column.name)) \(column.type)\(column.nullable == false ? " NOT NULL" : "")"
        }
        statements.append("CREATE TABLE \(try quote(definition.schema)).\(try quote(definition.table)) (\(columns.joined(separator: ", ")))")
        return statements
    }

    /// The columns by `position`, the unpositioned last in the definition's order.
    static func orderedColumns(_ definition: TableDefinition) -> [ColumnDefinition] {
        definition.columns.enumerated().sorted { ($0.element.position ?? .max, $0.offset) < ($1.element.position ?? .max, $1.offset) }.map(\.element)
    }

    /// True for text shaped like a type name, such as `bigint`, `character varying(255)`, `numeric(10, 2)` or `text[]`.
    static func isTypeName(_ type: String) -> Bool {
        var rest = Substring(type.trimmingCharacters(in: .whitespaces))
        while rest.hasSuffix("[]") { rest = rest.dropLast(2) }
        if rest.hasSuffix(")") {
            guard let open = rest.firstIndex(of: "(") else { return false }
            let modifier = rest[rest.index(after: open)..<rest.index(before: rest.endIndex)]
            guard !modifier.isEmpty, modifier.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "," || $0 == " ") }) else { return false }
            rest = rest[..<open]
        }
        guard let first = rest.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return rest.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_ .".contains($0)) }
    }

    static func invalidType(_ column: ColumnDefinition, in definition: TableDefinition, named name: String) -> CatalogError {
        CatalogError(
            .badInput,
            "shared definition \"\(name)\": column \(definition.schema).\(definition.table).\(column.name) has the type \"\(column.type)\", which is not a type name catalog writes into DDL; nothing was changed",
            remedy: .store(.updateShared(name)))
    }
}
