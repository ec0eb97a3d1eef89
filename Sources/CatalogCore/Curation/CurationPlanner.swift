/// One row a metadata edit may change, as read from a project: a relation or a column, with its
/// current human fields.
struct CurationRow: Sendable, Equatable {
    var target: MetadataTarget
    var values: [MetadataField: JSONValue]
    /// The shared definition the relation is attached to, if any.
    var sharedName: String?
}

/// How values a person set are treated.
enum ConflictRule: Sendable, Equatable {
    /// One named target: the user's value replaces whatever is there.
    case replace
    /// A fleet edit: a value set differently is a conflict and is left alone.
    case leaveAlone
    /// A fleet edit with `--force`: it is replaced, and listed as lost.
    case force
}

/// The metadata edit planner: a pure function of the rows read and the edits asked for. No I/O.
enum CurationPlanner {
    static func plan(
        project: String, rows: [CurationRow], rule: ConflictRule, edits: (MetadataTarget) -> [FieldEdit]
    ) -> ProjectCurationPlan {
        var plan = ProjectCurationPlan(project: project, changes: [], unchanged: 0)
        for row in rows.sorted(by: { $0.target < $1.target }) {
            for edit in edits(row.target) where edit.field.applies(toColumn: row.target.isColumn) {
                let old = row.values[edit.field]
                if old == edit.value {
                    plan.unchanged += 1
                    continue
                }
                plan.changes.append(
                    CurationChange(
                        target: row.target, field: edit.field, old: old, new: edit.value,
                        resolution: resolve(old: old, new: edit.value, rule: rule), sharedName: row.sharedName))
            }
        }
        return plan
    }

    /// An empty field is nobody's choice and is filled; unsetting is always what was asked for.
    static func resolve(old: JSONValue?, new: JSONValue?, rule: ConflictRule) -> CurationResolution {
        guard old != nil, new != nil else { return .write }
        switch rule {
        case .replace: return .write
        case .leaveAlone: return .conflict
        case .force: return .overwrite
        }
    }
}
