import Foundation

/// One relation of a project as `describe` lists it: what it is, how many columns it has, its label.
public struct RelationSummary: Sendable, Equatable {
    public var schema: String
    public var table: String
    public var kind: String?
    public var columnCount: Int
    public var label: String?
    public var graphqlType: String?
    public var description: String?
    /// The shared definition the relation is attached to, if any.
    public var sharedName: String?
}

/// One column as `describe` shows it: PostgreSQL's facts (type, nullability) and the human fields.
public struct ColumnDescription: Sendable, Equatable {
    public var name: String
    public var type: String?
    public var nullable: Bool?
    public var position: Int?
    public var label: String?
    public var description: String?
    public var graphqlField: String?
    public var validationRules: JSONValue?
}

/// One relation with every column: what a person needs to understand a table.
public struct RelationDescription: Sendable, Equatable {
    public var project: String
    public var summary: RelationSummary
    public var sharedVersion: Int?
    public var columns: [ColumnDescription]
}

/// A project's relations, as `describe PROJECT` lists them.
public struct ProjectDescription: Sendable, Equatable {
    public var project: String
    public var relations: [RelationSummary]
    /// When the copy described was read from the project; the time of the live read unless `--cached`.
    public var fetchedAt: Date?
}

/// The JSON of `describe --format json`, shared by the CLI and the API.
public enum DescribeJSON {
    public static func document(_ description: ProjectDescription) -> OrderedJSON {
        .object([
            ("project", .string(description.project)),
            ("fetched_at", .timestamp(description.fetchedAt)),
            ("relations", .array(description.relations.map(relation))),
        ])
    }

    public static func document(_ description: RelationDescription) -> OrderedJSON {
        let summary = description.summary
        return .object([
            ("project", .string(description.project)),
            ("schema", .string(summary.schema)),
            ("table", .string(summary.table)),
            ("kind", .text(summary.kind)),
            ("label", .text(summary.label)),
            ("graphql_type", .text(summary.graphqlType)),
            ("description", .text(summary.description)),
            ("shared_name", .text(summary.sharedName)),
            ("shared_version", .number(description.sharedVersion)),
            ("columns", .array(description.columns.map(column))),
        ])
    }

    static func relation(_ summary: RelationSummary) -> OrderedJSON {
        .object([
            ("schema", .string(summary.schema)),
            ("table", .string(summary.table)),
            ("kind", .text(summary.kind)),
            ("columns", .int(summary.columnCount)),
            ("label", .text(summary.label)),
            ("graphql_type", .text(summary.graphqlType)),
            ("description", .text(summary.description)),
            ("shared_name", .text(summary.sharedName)),
        ])
    }

    static func column(_ column: ColumnDescription) -> OrderedJSON {
        .object([
            ("name", .string(column.name)),
            ("type", .text(column.type)),
            ("nullable", .flag(column.nullable)),
            ("position", .number(column.position)),
            ("label", .text(column.label)),
            ("description", .text(column.description)),
            ("graphql_field", .text(column.graphqlField)),
            ("validation_rules", column.validationRules.map(OrderedJSON.init) ?? .null),
        ])
    }
}
