/// Which relations or columns a metadata edit reaches in each project.
public enum MetadataSelector: Sendable, Equatable {
    /// One named relation or column.
    case one(MetadataTarget)
    /// A relation and every column of it (`metadata edit`).
    case relation(MetadataTarget)
    /// Columns whose name matches, as `find-column` matches them; only in relations named `table`, if given.
    case columns(SearchQuery, table: String?)
    /// Relations whose name matches, as `find-table` matches them.
    case tables(SearchQuery)

    /// A fleet edit selects by name, and meets values people set differently (conflicts).
    public var isFleet: Bool {
        switch self {
        case .one, .relation: false
        case .columns, .tables: true
        }
    }
}

/// A metadata edit, checked before any connection: which projects, which rows, which fields.
public struct MetadataEditRequest: Sendable {
    public var projects: ProjectSelection
    public var selector: MetadataSelector
    /// The fields every selected row gets.
    public var edits: [FieldEdit]
    /// Per-row fields instead (`metadata edit`: each relation or column its own changes).
    public var editsByTarget: [MetadataTarget: [FieldEdit]]
    /// Replace values people set differently (fleet edits only).
    public var force: Bool
    /// The command, as the audit history records it (`metadata set`, `metadata unset`, `metadata edit`).
    public var action: String

    /// An edit of one relation (`schema.table`) or one column (`schema.table.column`) of one project.
    public static func single(project: String, target: MetadataTarget, edits: [FieldEdit], action: String) throws -> MetadataEditRequest {
        try FieldEdit.check(edits, column: target.isColumn)
        return MetadataEditRequest(
            projects: ProjectSelection(names: [project]), selector: .one(target), edits: edits, editsByTarget: [:], force: false,
            action: action)
    }

    /// An edit of every matching column or relation across the selected projects (all when none are named).
    public static func fleet(
        _ projects: ProjectSelection, selector: MetadataSelector, edits: [FieldEdit], force: Bool, action: String
    ) throws -> MetadataEditRequest {
        switch selector {
        case .columns: try FieldEdit.check(edits, column: true)
        case .tables: try FieldEdit.check(edits, column: false)
        case .one, .relation: throw CatalogError(.badInput, "a fleet edit selects columns or relations by name")
        }
        var projects = projects
        if projects.names.isEmpty { projects.all = true }
        return MetadataEditRequest(projects: projects, selector: selector, edits: edits, editsByTarget: [:], force: force, action: action)
    }

    var rule: ConflictRule { selector.isFleet ? (force ? .force : .leaveAlone) : .replace }

    func edits(for target: MetadataTarget) -> [FieldEdit] {
        if case .one(let wanted) = selector, wanted != target { return [] }
        return editsByTarget.isEmpty ? edits : editsByTarget[target] ?? []
    }
}
