import Foundation

/// One line of a scan plan: a change `metadata scan` makes to a project's `_metadata`, or a mapping
/// it leaves alone and why.
public struct ScanStep: Sendable, Equatable {
    /// What happens to the object.
    public enum Action: String, Sendable {
        /// A relation new to `_metadata`, with all its columns.
        case addTable = "add_table"
        /// A mapped relation that is now another kind (a view made a materialized view).
        case changeKind = "change_kind"
        /// A column new to a mapped relation.
        case addColumn = "add_column"
        /// A mapped column whose type, nullability or position moved.
        case changeColumn = "change_column"
        /// A column that looks renamed: followed (the mapping and its human fields move), or only reported.
        case rename
        /// A mapping whose relation or column is gone, kept because `--prune` was not given.
        case missing
        /// A mapping whose relation or column is gone, deleted with whatever people wrote in it.
        case prune
    }

    public var action: Action
    /// `schema.table` or `schema.table.column`.
    public var object: String
    /// What changes, in words, naming every human field a prune loses.
    public var detail: String
    /// The option that would change this step, for a front end to word after `detail`.
    public var remedy: CatalogError.Remedy? = nil

    /// The detail with the remedy worded by `advice` (a front end's words).
    public func detail(advice: (CatalogError.Remedy) -> String) -> String {
        remedy.map { "\(detail); \(advice($0))" } ?? detail
    }
}

/// A mapped column gone from its table while a new column sits in the same position with the same
/// type: PostgreSQL never reuses a column's position, so this is `ALTER TABLE … RENAME COLUMN` (or a
/// table re-created with the column renamed).
public struct ColumnRename: Sendable, Equatable, CustomStringConvertible {
    /// `schema.table`.
    public var table: String
    public var from: String
    public var to: String
    /// The human fields the old mapping holds, such as `label`: what `--follow-renames` carries across.
    public var humanFields: [String]
    /// True when the mapping moved to the new name with its human fields (`--follow-renames`).
    public var followed: Bool

    /// `schema.table.from → to`.
    public var description: String { "\(table).\(from) → \(to)" }
}

/// What scan does to one project's `_metadata`, worked out from the real catalog and the mappings
/// before anything is written: a pure value, shown by `--plan` and carried out by `ScanExecutor`.
public struct ProjectScanPlan: Sendable, Equatable {
    /// A relation's new kind.
    struct KindChange: Sendable, Equatable {
        var id: Int64
        var kind: RelationKind
    }

    /// A column to add to an existing mapping.
    struct NewColumn: Sendable, Equatable {
        var tableID: Int64
        var column: LiveColumn
    }

    /// A mapped column's row and the facts (and, for a followed rename, the name) it takes.
    struct ColumnUpdate: Sendable, Equatable {
        var id: Int64
        var column: LiveColumn
    }

    public var project: String
    /// `ok` when the project was read; otherwise why not, and nothing is planned.
    public var outcome: ProjectOutcome = .ok
    /// How many relations the database has.
    public var relations = 0
    /// Every change and kept mapping, in the database's order.
    public var steps: [ScanStep] = []
    /// Columns that look renamed, followed or not.
    public var renames: [ColumnRename] = []
    /// Mapped relations (`schema.table`) and columns (`schema.table.column`) no longer in the database,
    /// apart from followed renames.
    public var missing: [String] = []
    /// The missing ones whose mappings hold human fields, as `object (label, description)`: what a prune loses.
    public var humanFieldsPruned: [String] = []
    /// True when the missing mappings are deleted.
    public var prunes: Bool = false

    var newRelations: [LiveRelation] = []
    var kindChanges: [KindChange] = []
    var newColumns: [NewColumn] = []
    var columnChanges: [ColumnUpdate] = []
    var followedRenames: [ColumnUpdate] = []
    var goneTables: [Int64] = []
    var goneColumns: [Int64] = []

    init(project: String) {
        self.project = project
    }
}
