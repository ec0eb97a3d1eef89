import CatalogStore
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CatalogCore

@Suite("Describe and curate the metadata")
struct CurationTests {
    static func email(_ label: String) throws -> MetadataEditRequest {
        try MetadataEditRequest.fleet(
            ProjectSelection(all: true), selector: .columns(try SearchQuery(.column, name: "email"), table: nil),
            edits: [FieldEdit(field: .label, value: .string(label))], force: false, action: "metadata set")
    }

    static func value(_ connection: Connection, _ sql: String, _ parameters: [(any PostgresBindable)?] = []) throws -> String? {
        try connection.query(sql, parameters).records.first?["v"]
    }

    @Test("the planner fills empty fields, counts fields already as asked, and leaves values people set as conflicts")
    func plannerRules() {
        let rows = [
            CurationRow(target: MetadataTarget(schema: "public", table: "a", column: "email"), values: [:]),
            CurationRow(target: MetadataTarget(schema: "public", table: "b", column: "email"), values: [.label: .string("Email")]),
            CurationRow(
                target: MetadataTarget(schema: "public", table: "c", column: "email"), values: [.label: .string("E-mail")], sharedName: "users"),
        ]
        let edit: (MetadataTarget) -> [FieldEdit] = { _ in [FieldEdit(field: .label, value: .string("Email"))] }
        let plan = CurationPlanner.plan(project: "p", rows: rows, rule: .leaveAlone, edits: edit)
        #expect(plan.unchanged == 1)
        #expect(plan.changes.map(\.resolution) == [.write, .conflict])
        #expect(plan.changes.last?.sharedName == "users" && plan.changes.last?.old == .string("E-mail"))
        #expect(CurationPlanner.plan(project: "p", rows: rows, rule: .force, edits: edit).changes.map(\.resolution) == [.write, .overwrite])
        #expect(CurationPlanner.plan(project: "p", rows: rows, rule: .replace, edits: edit).changes.map(\.resolution) == [.write, .write])
        let unset: (MetadataTarget) -> [FieldEdit] = { _ in [FieldEdit(field: .label, value: nil)] }
        let unsetPlan = CurationPlanner.plan(project: "p", rows: rows, rule: .leaveAlone, edits: unset)
        #expect(unsetPlan.unchanged == 1 && unsetPlan.changes.map(\.resolution) == [.write, .write])
        // A GraphQL type never lands on a column.
        let wrong = CurationPlanner.plan(project: "p", rows: rows, rule: .replace) { _ in [FieldEdit(field: .graphqlType, value: .string("X"))] }
        #expect(wrong.changes.isEmpty && wrong.unchanged == 0)
    }

    @Test("values are checked before anything is written: labels, GraphQL names, validation rules")
    func valueChecks() throws {
        #expect(MetadataField.isGraphQLName("Customer") && MetadataField.isGraphQLName("_x1"))
        for bad in ["9x", "a-b", "", "__typename", "é", "a b"] { #expect(!MetadataField.isGraphQLName(bad), "\(bad)") }
        #expect(throws: CatalogError.self) { try MetadataField.label.value(from: "  ") }
        #expect(try MetadataField.validationRules.value(from: #"{"a": 1}"#) == .object(["a": .number(1)]))
        for bad in ["[1]", "{", "\"x\"", "nope"] {
            #expect { try MetadataField.validationRules.value(from: bad) } throws: { ($0 as? CatalogError)?.code == .badInput }
        }
        #expect {
            try MetadataEditRequest.single(
                project: "p", target: MetadataTarget(schema: "s", table: "t"), edits: [FieldEdit(field: .validationRules, value: .object([:]))],
                action: "x")
        } throws: {
            "\($0)".contains("a relation has no validation_rules")
        }
        #expect(try MetadataTarget(parsing: "public.users.first.name").column == "first.name")
        #expect(throws: CatalogError.self) { try MetadataTarget(parsing: "users") }
    }

    @Test("describe lists relations and one relation's columns, live and from the index")
    func describe() throws {
        let fleet = try SampleFleet.make(["saas"])
        let project = try fleet.catalog.describeProject("saas")
        let users = try #require(project.relations.first { $0.table == "users" })
        #expect(users.kind == "table" && users.columnCount == 6 && users.schema == "public")
        #expect(project.relations.contains { $0.table == "active_users" && $0.kind == "view" })
        try fleet.connect("saas").query("UPDATE _metadata.mappings_table SET label = 'People' WHERE table_name = 'users'")
        // Cached: the index's copy, read before the change; live: the change.
        #expect(try fleet.catalog.describeProject("saas", cached: true).relations.first { $0.table == "users" }?.label == nil)
        let relation = try fleet.catalog.describeRelation("saas", relation: MetadataTarget(schema: "public", table: "users"))
        #expect(relation.summary.label == "People")
        #expect(relation.columns.map(\.name) == ["id", "email", "display_name", "status", "profile", "created_at"])
        #expect(relation.columns[1].type == "text" && relation.columns[1].nullable == false)
        #expect { try fleet.catalog.describeRelation("saas", relation: MetadataTarget(schema: "public", table: "nope")) } throws: {
            ($0 as? CatalogError)?.code == .notFound
        }
    }

    @Test("a single set writes in one transaction and records who, what, old and new value in the audit history")
    func singleSetIsAudited() throws {
        let fleet = try SampleFleet.make(["saas"])
        let edits = try FieldEdit.validated(set: [.label: "Email address", .validationRules: #"{"format":"email"}"#])
        let target = MetadataTarget(schema: "public", table: "users", column: "email")
        let report = try fleet.catalog.applyMetadataEdit(try .single(project: "saas", target: target, edits: edits, action: "metadata set"))
        #expect(report.results.map(\.outcome) == [.ok] && report.results.first?.written.count == 2)
        let connection = try fleet.connect("saas")
        #expect(
            try Self.value(
                connection,
                "SELECT label AS v FROM _metadata.mappings_column WHERE pg_column = 'email' AND table_id = (SELECT id FROM _metadata.mappings_table WHERE table_name = 'users')"
            ) == "Email address")
        let audit = try fleet.catalog.store.auditLog(limit: 10).filter { $0.action == "metadata set" }
        #expect(audit.count == 2)
        let label = try #require(audit.first { $0.detail?.contains("\"label\"") == true })
        #expect(label.target == "public.users.email@saas" && label.actor == AuditEntry.currentActor)
        #expect(label.detail == #"{"field":"label","new":"Email address","old":null,"shared_name":null}"#)
        // Unset records the old value.
        try fleet.catalog.applyMetadataEdit(
            try .single(project: "saas", target: target, edits: try FieldEdit.validated(set: [:], unset: [.label]), action: "metadata unset"))
        #expect(try fleet.catalog.store.auditLog(limit: 1).first?.detail == #"{"field":"label","new":null,"old":"Email address","shared_name":null}"#)
    }

    @Test("a fleet plan lists every change with old and new values, counts the unchanged, and applies only what it showed")
    func fleetPlanAndApply() throws {
        let fleet = try SampleFleet.make()
        try fleet.connect("shop").query("UPDATE _metadata.mappings_column SET label = 'E-mail' WHERE pg_column = 'email'")
        try fleet.connect("saas").query(
            "UPDATE _metadata.mappings_column SET label = 'Email address' WHERE pg_column = 'email' AND table_id = (SELECT id FROM _metadata.mappings_table WHERE table_name = 'users')"
        )
        let planned = try fleet.catalog.planMetadataEdit(try Self.email("Email address"))
        let byProject = Dictionary(uniqueKeysWithValues: planned.plan.projects.map { ($0.project, $0) })
        #expect(byProject["crm"]?.writes.count == 5 && byProject["saas"]?.writes.count == 1 && byProject["saas"]?.unchanged == 1)
        #expect(byProject["shop"]?.conflicts.map(\.old) == [.string("E-mail")])
        #expect(planned.plan.hash.count == 16)
        let report = try fleet.catalog.applyMetadataEdit(try Self.email("Email address"), expectPlan: planned.plan.hash)
        #expect(report.results.allSatisfy { $0.outcome == .ok })
        #expect(try Self.value(fleet.connect("shop"), "SELECT label AS v FROM _metadata.mappings_column WHERE pg_column = 'email'") == "E-mail")
        #expect(
            try Self.value(
                fleet.connect("crm"), "SELECT count(*) AS v FROM _metadata.mappings_column WHERE pg_column = 'email' AND label = 'Email address'")
                == "5")
        // Nothing left to do but the conflict; --force replaces it and lists it as lost.
        var forced = try Self.email("Email address")
        forced.force = true
        let plan = try fleet.catalog.planMetadataEdit(forced).plan
        #expect(plan.changeCount == 1 && plan.projects.flatMap(\.changes).map(\.resolution) == [.overwrite])
        try fleet.catalog.applyMetadataEdit(forced, expectPlan: plan.hash)
        #expect(
            try Self.value(fleet.connect("shop"), "SELECT label AS v FROM _metadata.mappings_column WHERE pg_column = 'email'") == "Email address")
    }

    @Test("a stale --expect-plan is refused and nothing is written")
    func stalePlan() throws {
        let fleet = try SampleFleet.make(["saas", "shop"])
        let planned = try fleet.catalog.planMetadataEdit(try Self.email("Email address"))
        try fleet.connect("shop").query("UPDATE _metadata.mappings_column SET label = 'Mail' WHERE pg_column = 'email'")
        let revisions = try ["saas", "shop"].map { try Self.value(fleet.connect($0), "SELECT value AS v FROM _metadata.revision") }
        #expect { try fleet.catalog.applyMetadataEdit(try Self.email("Email address"), expectPlan: planned.plan.hash) } throws: {
            ($0 as? CatalogError)?.code == .planChanged
        }
        #expect(try ["saas", "shop"].map { try Self.value(fleet.connect($0), "SELECT value AS v FROM _metadata.revision") } == revisions)
    }

    @Test("a fleet edit that matches nothing says so and writes nothing")
    func matchesNothing() throws {
        let fleet = try SampleFleet.make(["saas"])
        let request = try MetadataEditRequest.fleet(
            ProjectSelection(all: true), selector: .columns(try SearchQuery(.column, name: "no_such_column"), table: nil),
            edits: [FieldEdit(field: .label, value: .string("x"))], force: false, action: "metadata set")
        #expect { try fleet.catalog.applyMetadataEdit(request) } throws: {
            ($0 as? CatalogError)?.code == .notFound && "\($0)".contains("no column matches \"no_such_column\"")
        }
        #expect(try fleet.catalog.store.auditLog(limit: 5).allSatisfy { $0.action != "metadata set" })
    }

    @Test("an edit under a shared definition is a local override, and the next sync keeps it")
    func sharedOverrideSurvivesSync() throws {
        let fleet = try SampleFleet.make(["saas"])
        try fleet.catalog.addShared(name: "users", file: Fixtures.url("definitions/users.yaml").path)
        try fleet.catalog.attachShared("users", to: ProjectSelection(names: ["saas"]))
        let first = try fleet.catalog.sync(force: true)
        #expect(first.results.allSatisfy { $0.outcome == .ok }, "\(first.results)")
        let target = MetadataTarget(schema: "public", table: "users", column: "email")
        let request = try MetadataEditRequest.single(
            project: "saas", target: target, edits: [FieldEdit(field: .label, value: .string("Login"))], action: "metadata set")
        let plan = try fleet.catalog.planMetadataEdit(request).plan
        #expect(plan.sharedNames == ["users"] && plan.projects.first?.changes.first?.sharedName == "users")
        try fleet.catalog.applyMetadataEdit(request)
        let next = try fleet.catalog.sync()
        #expect(next.results.allSatisfy { $0.outcome == .ok })
        #expect(next.plan.projects.first?.changes.contains { $0.path == "columns.email.label" && $0.resolution == .keepLocal } == true)
        #expect(
            try Self.value(
                fleet.connect("saas"),
                "SELECT c.label AS v FROM _metadata.mappings_column c JOIN _metadata.mappings_table t ON t.id = c.table_id WHERE t.table_name = 'users' AND c.pg_column = 'email'"
            ) == "Login")
    }

    @Test("a project that cannot be reached is reported; the others are applied")
    func unreachableProject() throws {
        let fleet = try SampleFleet.make(["saas", "shop"])
        // Nothing listens on port 1: the connection is refused at once.
        try fleet.catalog.addProject(name: "gone", dsn: "postgresql://postgres@127.0.0.1:1/gone")
        let report = try fleet.catalog.applyMetadataEdit(try Self.email("Email address"), options: FanOutOptions(timeout: 3))
        #expect(report.failures.map(\.project) == ["gone"])
        #expect(report.failedCount == 1)
        #expect(report.results.filter { $0.outcome == .ok }.map(\.project) == ["saas", "shop"])
        #expect(
            try Self.value(fleet.connect("shop"), "SELECT label AS v FROM _metadata.mappings_column WHERE pg_column = 'email'") == "Email address")
    }

    @Test("killing a fleet edit midway leaves each project fully edited or untouched")
    func killMidway() throws {
        let fleet = try SampleFleet.make()
        let crm = try fleet.connect("crm")
        // Hold the row the crm transaction writes last, so it stops inside its transaction, four rows written.
        let blocker = try fleet.connect("crm")
        try blocker.execute(
            script: """
                BEGIN; SELECT 1 FROM _metadata.mappings_column c JOIN _metadata.mappings_table t ON t.id = c.table_id
                WHERE t.table_name = 'legacy_leads' AND c.pg_column = 'email' FOR UPDATE
                """)
        let blockerPID = try Self.value(blocker, "SELECT pg_backend_pid() AS v")
        let child = try ChildProcessHandle.spawn(
            CLIRun.binary,
            ["metadata", "set", "--all", "--column", "email", "--label", "Email address", "--store", fleet.storePath, "--timeout", "60"])
        let waiting = try TestWorkspace.wait(upTo: 20, every: 0.1) {
            try Self.value(
                crm, "SELECT count(*) AS v FROM pg_stat_activity WHERE datname = $1 AND application_name = 'catalog' AND wait_event_type = 'Lock'",
                [fleet.databases["crm"]]) == "1"
        }
        #expect(waiting)
        child.kill()
        try blocker.execute(script: "ROLLBACK")
        let gone = try TestWorkspace.wait(upTo: 10, every: 0.1) {
            try Self.value(
                crm, "SELECT count(*) AS v FROM pg_stat_activity WHERE datname = $1 AND pid NOT IN (pg_backend_pid(), $2::int)",
                [fleet.databases["crm"], blockerPID]) == "0"
        }
        #expect(gone)
        for (project, total) in [("crm", 5), ("saas", 2), ("shop", 1)] {
            let labelled = try Self.value(
                fleet.connect(project), "SELECT count(*) AS v FROM _metadata.mappings_column WHERE pg_column = 'email' AND label IS NOT NULL")
            #expect(labelled == "0" || labelled == String(total), "\(project): \(labelled ?? "?") of \(total)")
            if project == "crm" { #expect(labelled == "0") }
        }
    }

    @Test("metadata edit: only what changed in the view is written; a renamed column or bad YAML is refused with its line")
    func editView() throws {
        let fleet = try SampleFleet.make(["saas"])
        let relation = MetadataTarget(schema: "public", table: "users")
        let original = try fleet.catalog.metadataEditView("saas", relation: relation)
        #expect(original.contains("relation: \"public.users\"") && original.contains("  email:\n    label: ~"))
        // Someone else sets the description meanwhile; the view's stale ~ for it must not clear it.
        try fleet.connect("saas").query("UPDATE _metadata.mappings_table SET description = 'Theirs' WHERE table_name = 'users'")
        let edited = original.replacingOccurrences(of: "  email:\n    label: ~", with: "  email:\n    label: \"Email address\"")
        let request = try #require(try MetadataEditView.request(project: "saas", original: original, edited: edited, file: "f.yaml"))
        #expect(request.editsByTarget.count == 1)
        try fleet.catalog.applyMetadataEdit(request)
        let after = try fleet.catalog.describeRelation("saas", relation: relation)
        #expect(after.summary.description == "Theirs" && after.columns.first { $0.name == "email" }?.label == "Email address")
        #expect(try MetadataEditView.request(project: "saas", original: original, edited: original, file: "f.yaml") == nil)

        let lines = original.components(separatedBy: "\n")
        let renamedLine = try #require(lines.firstIndex(of: "  display_name:")) + 1
        let renamed = original.replacingOccurrences(of: "  display_name:", with: "  displayname:")
        #expect { try MetadataEditView.request(project: "saas", original: original, edited: renamed, file: "f.yaml") } throws: {
            "\($0)".hasPrefix("f.yaml:\(renamedLine): column \"displayname\" is not in public.users") && ($0 as? CatalogError)?.code == .badInput
        }
        let malformed = original.replacingOccurrences(of: "\nlabel: ~", with: "\nlabel: [unclosed")
        #expect { try MetadataEditView.request(project: "saas", original: original, edited: malformed, file: "f.yaml") } throws: {
            "\($0)".contains("f.yaml:") && "\($0)".contains("syntax error") && ($0 as? CatalogError)?.code == .badInput
        }
        let badName = original.replacingOccurrences(of: "graphql_type: ~", with: "graphql_type: \"9bad\"")
        let graphqlLine = try #require(lines.firstIndex(of: "graphql_type: ~")) + 1
        #expect { try MetadataEditView.request(project: "saas", original: original, edited: badName, file: "f.yaml") } throws: {
            "\($0)".hasPrefix("f.yaml:\(graphqlLine): '9bad' is not a valid GraphQL name")
        }
    }
}
