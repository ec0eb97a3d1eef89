import Foundation

/// A table definition shared by many projects: what catalog writes into each project's `_metadata`.
public struct TableDefinition: Sendable, Equatable, Codable {
    public var schema: String
    public var table: String
    public var graphqlType: String?
    public var label: String?
    public var description: String?
    public var columns: [ColumnDefinition]

    public init(
        schema: String = "public", table: String, graphqlType: String? = nil, label: String? = nil,
        description: String? = nil, columns: [ColumnDefinition]
    ) {
        self.schema = schema
        self.table = table
        self.graphqlType = graphqlType
        self.label = label
        self.description = description
        self.columns = columns
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case schema, table
        case graphqlType = "graphql_type"
        case label, description, columns
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schema, forKey: .schema)
        try container.encode(table, forKey: .table)
        try container.encodeIfPresent(graphqlType, forKey: .graphqlType)
        try container.encodeIfPresent(label, forKey: .label)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encode(columns, forKey: .columns)
    }

    /// The column with this name, if the definition has one.
    public func column(_ name: String) -> ColumnDefinition? { columns.first { $0.name == name } }
}

/// One column of a shared table definition.
public struct ColumnDefinition: Sendable, Equatable, Codable {
    public var name: String
    public var type: String
    public var label: String?
    public var graphqlField: String?
    public var nullable: Bool?
    /// Always a JSON object when present.
    public var validationRules: JSONValue?
    public var position: Int?

    public init(
        name: String, type: String, label: String? = nil, graphqlField: String? = nil, nullable: Bool? = nil,
        validationRules: JSONValue? = nil, position: Int? = nil
    ) {
        self.name = name
        self.type = type
        self.label = label
        self.graphqlField = graphqlField
        self.nullable = nullable
        self.validationRules = validationRules
        self.position = position
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, type, label
        case graphqlField = "graphql_field"
        case nullable
        case validationRules = "validation_rules"
        case position
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(type, forKey: .type)
        try container.encodeIfPresent(label, forKey: .label)
        try container.encodeIfPresent(graphqlField, forKey: .graphqlField)
        try container.encodeIfPresent(nullable, forKey: .nullable)
        try container.encodeIfPresent(validationRules, forKey: .validationRules)
        try container.encodeIfPresent(position, forKey: .position)
    }
}

/// One immutable version of a shared definition, with who made it, when and why.
public struct SharedVersion: Sendable, Equatable {
    public var name: String
    public var version: Int
    public var definition: TableDefinition
    public var author: String
    public var note: String?
    public var createdAt: Date
}
