import Testing

@testable import CatalogCore

@Suite("The sync planner (pure, three-way)")
struct SyncPlannerTests {
    static let v1 = TableDefinition(
        table: "users", graphqlType: "User", label: "Users",
        columns: [
            ColumnDefinition(name: "id", type: "bigint", nullable: false, position: 1),
            ColumnDefinition(
                name: "email", type: "text", label: "Email", nullable: false, validationRules: .object(["format": .string("email")]), position: 2),
        ])

    static var v2: TableDefinition {
        var definition = v1
        definition.columns[1].label = "Email address"
        definition.columns.append(ColumnDefinition(name: "phone", type: "text", label: "Phone", position: 3))
        return definition
    }

    /// The project's rows exactly as a sync of `definition` at `version` leaves them.
    static func synced(_ definition: TableDefinition, version: Int) -> MappedTable {
        var table = MappedTable(
            graphqlType: definition.graphqlType, label: definition.label, description: definition.description,
            isShared: true, sharedName: "users", sharedVersion: version)
        for column in definition.columns {
            table.columns[column.name] = MappedTableColumn(
                type: column.type, label: column.label, graphqlField: column.graphqlField,
                nullable: column.nullable, validationRules: column.validationRules, position: column.position)
        }
        return table
    }

    func plan(
        base: TableDefinition?, baseVersion: Int = 1, theirs: TableDefinition, version: Int = 2, ours: MappedTable?, force: Bool = false
    ) -> ProjectSyncPlan {
        SyncPlanner.plan(
            SyncSides(project: "p", definition: "users", base: base.map { (baseVersion, $0) }, theirs: (version, theirs), ours: ours), force: force)
    }

    @Test("an absent table is created with every shared field")
    func create() {
        let result = plan(base: nil, theirs: Self.v1, version: 1, ours: nil)
        #expect(result.action == .create)
        #expect(result.newColumns == ["id", "email"])
        #expect(result.writes.contains { $0.path == "columns.email.validation_rules" && $0.theirs == .object(["format": .string("email")]) })
        #expect(result.conflicts.isEmpty)
    }

    @Test("nothing changed anywhere: unchanged")
    func unchanged() {
        let result = plan(base: Self.v1, theirs: Self.v1, version: 1, ours: Self.synced(Self.v1, version: 1))
        #expect(result.action == .unchanged)
        #expect(result.changes.isEmpty)
    }

    @Test("changed upstream only: update exactly those fields, and add new columns")
    func upstreamChange() {
        let result = plan(base: Self.v1, theirs: Self.v2, ours: Self.synced(Self.v1, version: 1))
        #expect(result.action == .update)
        #expect(result.newColumns == ["phone"])
        #expect(result.writes.map(\.path).contains("columns.email.label"))
        #expect(result.writes.allSatisfy { $0.resolution == .update })
        #expect(!result.writes.map(\.path).contains("label"))
    }

    @Test("changed locally only: a kept override, not a conflict, and nothing written for it")
    func localOverride() {
        var ours = Self.synced(Self.v1, version: 1)
        ours.label = "Our users"
        let result = plan(base: Self.v1, theirs: Self.v2, ours: ours)
        #expect(result.action == .update)
        #expect(result.overrides.map(\.path) == ["label"])
        #expect(!result.writes.map(\.path).contains("label"))
    }

    @Test("the same field changed on both sides: conflict, with both values")
    func conflict() {
        var ours = Self.synced(Self.v1, version: 1)
        ours.columns["email"]?.label = "E-mail"
        let result = plan(base: Self.v1, theirs: Self.v2, ours: ours)
        #expect(result.action == .conflict)
        let conflict = result.conflicts.first
        #expect(conflict?.path == "columns.email.label")
        #expect(conflict?.ours == .string("E-mail"))
        #expect(conflict?.theirs == .string("Email address"))
        #expect(conflict?.base == .string("Email"))
    }

    @Test("both sides made the same change: nothing to do for that field")
    func convergent() {
        var ours = Self.synced(Self.v1, version: 1)
        ours.columns["email"]?.label = "Email address"
        let result = plan(base: Self.v1, theirs: Self.v2, ours: ours)
        #expect(!result.changes.map(\.path).contains("columns.email.label"))
        #expect(result.action == .update)
    }

    @Test("--force: the shared value wins and the local values lost are listed")
    func force() {
        var ours = Self.synced(Self.v1, version: 1)
        ours.columns["email"]?.label = "E-mail"
        ours.label = "Our users"
        let result = plan(base: Self.v1, theirs: Self.v2, ours: ours, force: true)
        #expect(result.action == .update)
        #expect(Set(result.lost.map(\.path)) == ["columns.email.label", "label"])
        #expect(result.conflicts.isEmpty)
    }

    @Test("first sync adopts field by field: empty takes shared, shared-empty keeps local, both set and different conflict")
    func adoption() {
        let scanned = MappedTable(
            label: "Accounts",
            columns: [
                "id": MappedTableColumn(type: "bigint", nullable: false, position: 1),
                "email": MappedTableColumn(type: "character varying(255)", nullable: false, position: 2),
                "legacy": MappedTableColumn(type: "text", label: "Legacy", nullable: true, position: 3),
            ])
        let result = plan(base: nil, theirs: Self.v1, version: 1, ours: scanned)
        let byPath = Dictionary(uniqueKeysWithValues: result.changes.map { ($0.path, $0.resolution) })
        #expect(byPath["graphql_type"] == .update)
        #expect(byPath["columns.email.label"] == .update)
        #expect(byPath["label"] == .conflict)
        #expect(byPath["columns.email.type"] == .conflict)
        #expect(byPath["columns.legacy.label"] == nil, "a column the shared version lacks is not a shared field")
        #expect(byPath["columns.id.type"] == nil)
        #expect(result.action == .conflict)
    }

    @Test("adoption with no disagreements updates, and sets the bookkeeping")
    func cleanAdoption() {
        let scanned = MappedTable(columns: [
            "id": MappedTableColumn(type: "bigint", nullable: false, position: 1),
            "email": MappedTableColumn(type: "text", nullable: false, position: 2),
        ])
        let result = plan(base: nil, theirs: Self.v1, version: 1, ours: scanned)
        #expect(result.action == .update)
        #expect(result.conflicts.isEmpty)
        let target = ProjectMappings.targetTable(result, theirs: Self.v1, ours: scanned)
        #expect(target.columns["email"]?.label == "Email")
        #expect(target.label == "Users")
    }

    @Test("only the bookkeeping is stale: still an update, so shared_version is written")
    func bookkeepingOnly() {
        var ours = Self.synced(Self.v1, version: 1)
        ours.sharedVersion = nil
        let result = plan(base: Self.v1, theirs: Self.v1, version: 1, ours: ours)
        #expect(result.action == .update)
        #expect(result.writes.isEmpty)
    }

    @Test("a field cleared upstream is cleared when the project kept the old value")
    func clearedUpstream() {
        var v2 = Self.v1
        v2.graphqlType = nil
        let result = plan(base: Self.v1, theirs: v2, ours: Self.synced(Self.v1, version: 1))
        #expect(result.writes.first { $0.path == "graphql_type" }?.theirs == nil)
        #expect(ProjectMappings.targetTable(result, theirs: v2, ours: Self.synced(Self.v1, version: 1)).graphqlType == nil)
    }

    @Test("a column that leaves the shared definition keeps its mapping: listed, never blanked")
    func columnRemovedUpstream() throws {
        var v3 = Self.v1
        v3.columns.removeAll { $0.name == "email" }
        let ours = Self.synced(Self.v1, version: 1)
        let result = plan(base: Self.v1, theirs: v3, version: 3, ours: ours)
        #expect(result.removedColumns == ["email"])
        #expect(!result.changes.contains { $0.path.hasPrefix("columns.email.") })
        #expect(result.action == .update)
        let target = ProjectMappings.targetTable(result, theirs: v3, ours: ours)
        #expect(target.columns["email"] == ours.columns["email"])
        // A column the project never mapped is not listed.
        var unmapped = ours
        unmapped.columns["email"] = nil
        #expect(plan(base: Self.v1, theirs: v3, version: 3, ours: unmapped).removedColumns.isEmpty)
        #expect(plan(base: Self.v1, theirs: v3, version: 3, ours: ours, force: true).removedColumns == ["email"])
    }

    @Test("validation rules compare by value, not text")
    func rulesByValue() {
        var ours = Self.synced(Self.v1, version: 1)
        ours.columns["email"]?.validationRules = try? JSONValue(json: "{\"format\":   \"email\"}")
        #expect(plan(base: Self.v1, theirs: Self.v1, version: 1, ours: ours).action == .unchanged)
    }

    @Test("the plan hash changes when the plan does")
    func planHash() {
        let a = SyncPlan(projects: [plan(base: Self.v1, theirs: Self.v2, ours: Self.synced(Self.v1, version: 1))])
        let b = SyncPlan(projects: [plan(base: Self.v1, theirs: Self.v1, version: 1, ours: Self.synced(Self.v1, version: 1))])
        #expect(a.hash != b.hash)
        #expect(a.hash == SyncPlan(projects: a.projects).hash)
        #expect(a.hash.count == 16)
    }

    @Test("column names with dots split correctly")
    func dottedColumns() {
        #expect(SyncFields.split("columns.a.b.label")?.column == "a.b")
        #expect(SyncFields.split("columns.a.b.label")?.field == "label")
        #expect(SyncFields.split("label") == nil)
    }
}
