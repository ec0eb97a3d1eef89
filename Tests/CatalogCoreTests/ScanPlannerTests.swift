import Testing

@testable import CatalogCore

@Suite("Scan plans: facts refreshed, renames recognised, human fields never lost unsaid")
struct ScanPlannerTests {
    typealias Key = MetadataScanner.RelationKey

    static let users = LiveRelation(
        schema: "public", name: "users", kind: .table,
        columns: [
            LiveColumn(name: "id", type: "bigint", isNullable: false, position: 1),
            LiveColumn(name: "e_mail", type: "text", isNullable: false, position: 2),
            LiveColumn(name: "phone", type: "text", isNullable: true, position: 4),
        ])

    static func mapped(_ columns: [MappedColumn]) -> [Key: MappedRelation] {
        [
            Key(schema: "public", name: "users"): MappedRelation(
                id: 10, kind: "table", columns: Dictionary(uniqueKeysWithValues: columns.map { ($0.name, $0) }))
        ]
    }

    static let id = MappedColumn(id: 1, name: "id", type: "bigint", isNullable: false, position: 1)
    static let email = MappedColumn(
        id: 2, name: "email", type: "text", isNullable: false, position: 2,
        humanFields: [
            HumanField(name: "label", value: "E-mail"), HumanField(name: "validation_rules", value: #"{"format": "email"}"#),
            HumanField(name: "graphql_field", value: "email"),
        ])
    static let fax = MappedColumn(id: 3, name: "fax", type: "text", isNullable: true, position: 3)

    @Test("a column gone while a new one sits in its position with its type is listed as a rename, and kept until --prune")
    func renameReported() {
        let plan = ScanPlanner.plan(
            project: "p", live: [Self.users], mapped: Self.mapped([Self.id, Self.email, Self.fax]), prune: false, followRenames: false)
        #expect(
            plan.renames == [
                ColumnRename(
                    table: "public.users", from: "email", to: "e_mail", humanFields: ["label", "validation_rules", "graphql_field"], followed: false)
            ])
        #expect(
            plan.steps.map { "\($0.action.rawValue) \($0.object)" } == [
                "add_column public.users.e_mail", "add_column public.users.phone",
                "rename public.users.email", "missing public.users.email", "missing public.users.fax",
            ])
        #expect(
            plan.steps[2].detail == "looks renamed to e_mail (same position 2 and type text), not followed"
        )
        #expect(plan.steps[2].remedy == .followRenames(fields: ["label", "validation_rules", "graphql_field"], to: "e_mail"))
        #expect(plan.steps[3].remedy == .pruneMappings)
        #expect(plan.steps[3].detail.contains(#"it holds label "E-mail", validation_rules {"format": "email"}, graphql_field "email""#))
        #expect(plan.missing == ["public.users.email", "public.users.fax"])
        #expect(plan.goneColumns.isEmpty && plan.humanFieldsPruned.isEmpty && plan.followedRenames.isEmpty)
    }

    @Test("--follow-renames moves the mapping (and so its human fields) to the new name instead of adding and pruning")
    func renameFollowed() {
        let plan = ScanPlanner.plan(
            project: "p", live: [Self.users], mapped: Self.mapped([Self.id, Self.email, Self.fax]), prune: true, followRenames: true)
        #expect(plan.followedRenames == [.init(id: 2, column: Self.users.columns[1])])
        #expect(plan.newColumns.map(\.column.name) == ["phone"])
        #expect(plan.goneColumns == [3])
        #expect(plan.missing == ["public.users.fax"])
        #expect(plan.humanFieldsPruned.isEmpty)
        #expect(
            plan.steps.first { $0.action == .rename }?.detail
                == "renamed to e_mail (same position 2 and type text); the mapping follows and carries label, validation_rules, graphql_field")
        #expect(plan.steps.first { $0.action == .prune }?.detail == "no longer in the database; the mapping is deleted, it holds no human fields")
    }

    @Test("--prune without --follow-renames says, in the plan, every human field it deletes")
    func pruneNamesHumanFields() {
        let plan = ScanPlanner.plan(project: "p", live: [Self.users], mapped: Self.mapped([Self.id, Self.email]), prune: true, followRenames: false)
        #expect(plan.goneColumns == [2])
        #expect(plan.humanFieldsPruned == ["public.users.email (label, validation_rules, graphql_field)"])
        #expect(
            plan.steps.first { $0.action == .prune }?.detail
                == #"no longer in the database; the mapping is deleted, losing label "E-mail", validation_rules {"format": "email"}, graphql_field "email""#
        )
    }

    @Test("a vanished table's prune names its own human fields and the columns that hold some")
    func pruneTable() {
        var mapped = Self.mapped([Self.id, Self.email])
        mapped[Key(schema: "public", name: "users")]?.humanFields = [HumanField(name: "label", value: "People")]
        let plan = ScanPlanner.plan(project: "p", live: [], mapped: mapped, prune: true, followRenames: true)
        #expect(plan.goneTables == [10] && plan.goneColumns.isEmpty)
        #expect(plan.humanFieldsPruned == ["public.users (label, columns)"])
        #expect(
            plan.steps.map(\.detail) == [
                #"no longer in the database; the mapping is deleted, losing label "People", human fields on column(s) email"#
            ])
    }

    @Test(
        "no rename without the same position and the same type, and each new column pairs once",
        arguments: [
            (MappedColumn(id: 2, name: "email", type: "varchar(255)", isNullable: false, position: 2), false),
            (MappedColumn(id: 2, name: "email", type: "text", isNullable: false, position: 3), false),
            (MappedColumn(id: 2, name: "email", type: nil, isNullable: nil, position: nil), false),
            (MappedColumn(id: 2, name: "email", type: "text", isNullable: true, position: 2), true),
        ])
    func renameNeedsPositionAndType(column: MappedColumn, isRename: Bool) {
        let plan = ScanPlanner.plan(project: "p", live: [Self.users], mapped: Self.mapped([Self.id, column]), prune: false, followRenames: true)
        #expect(plan.renames.isEmpty == !isRename)
        #expect(plan.newColumns.map(\.column.name) == (isRename ? ["phone"] : ["e_mail", "phone"]))
    }

    @Test("facts that moved are changes, a new relation is added whole, and nothing else is planned")
    func factsOnly() {
        let live = [
            Self.users,
            LiveRelation(
                schema: "s", name: "v", kind: .materializedView, columns: [LiveColumn(name: "a", type: "int", isNullable: true, position: 1)]),
        ]
        var mapped = Self.mapped([
            Self.id, MappedColumn(id: 2, name: "e_mail", type: "varchar(10)", isNullable: true, position: 2),
            MappedColumn(id: 4, name: "phone", type: "text", isNullable: true, position: 4),
        ])
        mapped[Key(schema: "public", name: "users")]?.kind = "view"
        let plan = ScanPlanner.plan(project: "p", live: live, mapped: mapped, prune: true, followRenames: true)
        #expect(
            plan.steps.map { "\($0.action.rawValue) \($0.object): \($0.detail)" } == [
                "change_kind public.users: view → table",
                "change_column public.users.e_mail: type varchar(10) → text; nullable → NOT NULL",
                "add_table s.v: materialized_view with 1 column(s)",
            ])
        #expect(plan.missing.isEmpty && plan.renames.isEmpty)
    }
}
