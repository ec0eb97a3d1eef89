/// A project's current `_metadata` rows for one table, as sync and drift see them ("ours").
public struct MappedTable: Sendable, Equatable {
    public var graphqlType: String?
    public var label: String?
    public var description: String?
    public var isShared: Bool
    public var sharedName: String?
    public var sharedVersion: Int?
    public var columns: [String: MappedTableColumn]

    public init(
        graphqlType: String? = nil, label: String? = nil, description: String? = nil, isShared: Bool = false,
        sharedName: String? = nil, sharedVersion: Int? = nil, columns: [String: MappedTableColumn] = [:]
    ) {
        self.graphqlType = graphqlType
        self.label = label
        self.description = description
        self.isShared = isShared
        self.sharedName = sharedName
        self.sharedVersion = sharedVersion
        self.columns = columns
    }
}

/// One column's mapping in a project.
public struct MappedTableColumn: Sendable, Equatable {
    public var type: String?
    public var label: String?
    public var graphqlField: String?
    public var nullable: Bool?
    public var validationRules: JSONValue?
    public var position: Int?

    public init(
        type: String? = nil, label: String? = nil, graphqlField: String? = nil, nullable: Bool? = nil,
        validationRules: JSONValue? = nil, position: Int? = nil
    ) {
        self.type = type
        self.label = label
        self.graphqlField = graphqlField
        self.nullable = nullable
        self.validationRules = validationRules
        self.position = position
    }
}

/// The fields sync compares, flattened to paths such as `label` or `columns.email.type`.
/// Empty text reads as absent: an empty field is one nobody set.
enum SyncFields {
    static let tableFields = ["graphql_type", "label", "description"]
    static let columnFields = ["type", "label", "graphql_field", "nullable", "validation_rules", "position"]

    static func text(_ value: String?) -> JSONValue? { value.flatMap { $0.isEmpty ? nil : .string($0) } }

    static func of(_ definition: TableDefinition) -> [String: JSONValue] {
        var fields = tableFields(definition.graphqlType, definition.label, definition.description)
        for column in definition.columns {
            add(
                column.name,
                MappedTableColumn(
                    type: column.type, label: column.label, graphqlField: column.graphqlField,
                    nullable: column.nullable, validationRules: column.validationRules, position: column.position), to: &fields)
        }
        return fields
    }

    static func of(_ table: MappedTable) -> [String: JSONValue] {
        var fields = tableFields(table.graphqlType, table.label, table.description)
        for (name, column) in table.columns { add(name, column, to: &fields) }
        return fields
    }

    private static func tableFields(_ graphqlType: String?, _ label: String?, _ description: String?) -> [String: JSONValue] {
        ["graphql_type": text(graphqlType), "label": text(label), "description": text(description)].compactMapValues { $0 }
    }

    private static func add(_ name: String, _ column: MappedTableColumn, to fields: inout [String: JSONValue]) {
        let values: [String: JSONValue?] = [
            "type": text(column.type), "label": text(column.label), "graphql_field": text(column.graphqlField),
            "nullable": column.nullable.map(JSONValue.bool), "validation_rules": column.validationRules,
            "position": column.position.map { .number(Double($0)) },
        ]
        for (field, value) in values { if let value { fields["columns.\(name).\(field)"] = value } }
    }

    /// Splits `columns.NAME.FIELD` into the column name (which may itself hold dots) and the field.
    static func split(_ path: String) -> (column: String, field: String)? {
        guard path.hasPrefix("columns."), let dot = path.lastIndex(of: ".") else { return nil }
        let start = path.index(path.startIndex, offsetBy: 8)
        guard dot > start else { return nil }
        return (String(path[start..<dot]), String(path[path.index(after: dot)...]))
    }

    /// Every path a definition could set, so absent fields are compared too.
    static func paths(_ definitions: [TableDefinition?], _ tables: [MappedTable?]) -> [String] {
        var columns = Set<String>()
        for definition in definitions { definition?.columns.forEach { columns.insert($0.name) } }
        for table in tables { table?.columns.keys.forEach { columns.insert($0) } }
        return tableFields + columns.sorted().flatMap { name in columnFields.map { "columns.\(name).\($0)" } }
    }
}
