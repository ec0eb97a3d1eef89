/// A relation (`schema.table`) or one of its columns (`schema.table.column`), as a metadata edit names it.
public struct MetadataTarget: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var schema: String
    public var table: String
    /// The column, or nil for the relation itself.
    public var column: String?

    public init(schema: String, table: String, column: String? = nil) {
        self.schema = schema
        self.table = table
        self.column = column
    }

    /// Reads `schema.table` or `schema.table.column`; a column name may itself hold dots.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty }) else {
            throw CatalogError(
                .badInput, "'\(text)' does not name a relation or a column; write schema.table or schema.table.column, such as public.users.email")
        }
        self.init(schema: parts[0], table: parts[1], column: parts.count > 2 ? parts[2] : nil)
    }

    /// The relation this target belongs to (itself, for a relation).
    public var relation: MetadataTarget { MetadataTarget(schema: schema, table: table) }

    public var isColumn: Bool { column != nil }

    public var description: String { "\(schema).\(table)" + (column.map { ".\($0)" } ?? "") }

    public static func < (lhs: MetadataTarget, rhs: MetadataTarget) -> Bool {
        (lhs.schema, lhs.table, lhs.column ?? "") < (rhs.schema, rhs.table, rhs.column ?? "")
    }
}
