import Foundation

/// Works out a scan plan from the real catalog and the mappings; reads nothing and writes nothing.
/// Only PostgreSQL's facts change. Human fields move only with a followed rename, and a prune names
/// every one it deletes.
enum ScanPlanner {
    static func plan(
        project: String, live: [LiveRelation], mapped: [MetadataScanner.RelationKey: MappedRelation], prune: Bool, followRenames: Bool
    ) -> ProjectScanPlan {
        var plan = ProjectScanPlan(project: project)
        plan.relations = live.count
        plan.prunes = prune
        for relation in live {
            let table = "\(relation.schema).\(relation.name)"
            guard let existing = mapped[MetadataScanner.RelationKey(schema: relation.schema, name: relation.name)] else {
                plan.newRelations.append(relation)
                plan.steps.append(
                    ScanStep(action: .addTable, object: table, detail: "\(relation.kind.rawValue) with \(relation.columns.count) column(s)"))
                continue
            }
            if existing.kind != relation.kind.rawValue {
                plan.kindChanges.append(.init(id: existing.id, kind: relation.kind))
                plan.steps.append(ScanStep(action: .changeKind, object: table, detail: "\(existing.kind ?? "unknown") → \(relation.kind.rawValue)"))
            }
            planColumns(of: relation, table: table, existing: existing, followRenames: followRenames, into: &plan)
        }
        let liveKeys = Set(live.map { MetadataScanner.RelationKey(schema: $0.schema, name: $0.name) })
        for (key, relation) in mapped.sorted(by: { ($0.key.schema, $0.key.name) < ($1.key.schema, $1.key.name) }) where !liveKeys.contains(key) {
            let fields = relation.humanFields
            let columns = relation.columns.filter { !$0.value.humanFields.isEmpty }.keys.sorted()
            var held = fields.map(\.text)
            if !columns.isEmpty { held.append("human fields on column(s) \(columns.joined(separator: ", "))") }
            gone(
                "\(key.schema).\(key.name)", id: relation.id, isTable: true, held: held,
                names: fields.map(\.name) + (columns.isEmpty ? [] : ["columns"]), into: &plan)
        }
        return plan
    }

    private static func planColumns(
        of relation: LiveRelation, table: String, existing: MappedRelation, followRenames: Bool, into plan: inout ProjectScanPlan
    ) {
        let liveNames = Set(relation.columns.map(\.name))
        let goneColumns = existing.columns.filter { !liveNames.contains($0.key) }.sorted { $0.key < $1.key }
        let renames = matchRenames(gone: goneColumns.map(\.value), added: relation.columns.filter { existing.columns[$0.name] == nil })
        for column in relation.columns {
            let object = "\(table).\(column.name)"
            if let current = existing.columns[column.name] {
                let changes = differences(current, column)
                if !changes.isEmpty {
                    plan.columnChanges.append(.init(id: current.id, column: column))
                    plan.steps.append(ScanStep(action: .changeColumn, object: object, detail: changes.joined(separator: "; ")))
                }
            } else if let old = renames.first(where: { $0.value.name == column.name })?.key, followRenames {
                let mappedColumn = existing.columns[old]!
                let fields = mappedColumn.humanFields.map(\.name)
                plan.followedRenames.append(.init(id: mappedColumn.id, column: column))
                plan.renames.append(ColumnRename(table: table, from: old, to: column.name, humanFields: fields, followed: true))
                let carried = fields.isEmpty ? "it holds no human fields" : "carries \(fields.joined(separator: ", "))"
                plan.steps.append(
                    ScanStep(
                        action: .rename, object: "\(table).\(old)",
                        detail:
                            "renamed to \(column.name) (same position \(column.position) and type \(column.type)); the mapping follows and \(carried)"
                    ))
            } else {
                plan.newColumns.append(.init(tableID: existing.id, column: column))
                plan.steps.append(
                    ScanStep(
                        action: .addColumn, object: object, detail: "\(column.type), \(nullability(column.isNullable)), position \(column.position)"))
            }
        }
        for (name, column) in goneColumns {
            let object = "\(table).\(name)"
            let fields = column.humanFields
            if let target = renames[name] {
                if followRenames { continue }
                plan.renames.append(ColumnRename(table: table, from: name, to: target.name, humanFields: fields.map(\.name), followed: false))
                let carry: CatalogError.Remedy? = fields.isEmpty ? nil : .followRenames(fields: fields.map(\.name), to: target.name)
                plan.steps.append(
                    ScanStep(
                        action: .rename, object: object,
                        detail: "looks renamed to \(target.name) (same position \(target.position) and type \(target.type)), not followed",
                        remedy: carry))
            }
            gone(object, id: column.id, isTable: false, held: fields.map(\.text), names: fields.map(\.name), into: &plan)
        }
    }

    /// A vanished mapping: reported, or deleted with `--prune`, naming what people wrote in it either way.
    private static func gone(_ object: String, id: Int64, isTable: Bool, held: [String], names: [String], into plan: inout ProjectScanPlan) {
        plan.missing.append(object)
        let holds = held.isEmpty ? "it holds no human fields" : "it holds \(held.joined(separator: ", "))"
        guard plan.prunes else {
            plan.steps.append(
                ScanStep(action: .missing, object: object, detail: "no longer in the database; kept, \(holds)", remedy: .pruneMappings))
            return
        }
        if isTable { plan.goneTables.append(id) } else { plan.goneColumns.append(id) }
        if !names.isEmpty { plan.humanFieldsPruned.append("\(object) (\(names.joined(separator: ", ")))") }
        let loses = held.isEmpty ? "it holds no human fields" : "losing \(held.joined(separator: ", "))"
        plan.steps.append(ScanStep(action: .prune, object: object, detail: "no longer in the database; the mapping is deleted, \(loses)"))
    }

    /// Pairs each vanished column with a new one in the same position and of the same type.
    static func matchRenames(gone: [MappedColumn], added: [LiveColumn]) -> [String: LiveColumn] {
        var pairs: [String: LiveColumn] = [:]
        var taken = Set<String>()
        for column in gone {
            guard let position = column.position, let type = column.type,
                let target = added.first(where: { $0.position == position && $0.type == type && !taken.contains($0.name) })
            else { continue }
            pairs[column.name] = target
            taken.insert(target.name)
        }
        return pairs
    }

    private static func differences(_ mapped: MappedColumn, _ column: LiveColumn) -> [String] {
        var changes: [String] = []
        if mapped.type != column.type { changes.append("type \(mapped.type ?? "unknown") → \(column.type)") }
        if mapped.isNullable != column.isNullable {
            changes.append("\(mapped.isNullable.map(nullability) ?? "unknown") → \(nullability(column.isNullable))")
        }
        if mapped.position != column.position { changes.append("position \(mapped.position.map(String.init) ?? "unknown") → \(column.position)") }
        return changes
    }

    private static func nullability(_ isNullable: Bool) -> String {
        isNullable ? "nullable" : "NOT NULL"
    }
}
