/// The kinds of relation catalog maps, as stored in `_metadata.mappings_table.relation_kind`.
public enum RelationKind: String, Sendable, Codable, CaseIterable {
    case table
    case partitionedTable = "partitioned_table"
    case view
    case materializedView = "materialized_view"
    case foreignTable = "foreign_table"

    /// Maps `pg_class.relkind`; partitions are ordinary tables (`r`).
    init?(relkind: String) {
        switch relkind {
        case "r": self = .table
        case "p": self = .partitionedTable
        case "v": self = .view
        case "m": self = .materializedView
        case "f": self = .foreignTable
        default: return nil
        }
    }
}
