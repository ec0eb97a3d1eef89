import CatalogCore
import CatalogTestSupport
import Foundation
import Testing

@Suite("metadata scan")
struct MetadataScanTests {
    @Test("maps every relation kind with PostgreSQL's types, nullability and positions")
    func mapsRelationKinds() throws {
        let fleet = try FixtureFleet.make(["crm", "saas"])
        let crm = try fleet.connect("crm")
        let kinds = try crm.query("SELECT pg_schema || '.' || table_name AS name, relation_kind FROM _metadata.mappings_table ORDER BY 1").records
        let byName = Dictionary(uniqueKeysWithValues: kinds.map { ($0["name"]!, $0["relation_kind"]!) })
        #expect(byName["sales.contacts"] == "table")
        #expect(byName["reporting.account_contacts"] == "view")
        #expect(byName["reporting.contact_emails"] == "materialized_view")
        #expect(byName["sales.legacy_leads"] == "foreign_table")
        #expect(byName["marketing.Email Templates"] == "table")
        #expect(byName.keys.allSatisfy { !$0.hasPrefix("_metadata.") && !$0.hasPrefix("pg_catalog.") })
        let saas = try fleet.connect("saas")
        let saasKinds = try saas.query("SELECT table_name, relation_kind FROM _metadata.mappings_table").records
        #expect(saasKinds.contains { $0["table_name"] == "audit_logs" && $0["relation_kind"] == "partitioned_table" })
        #expect(saasKinds.contains { $0["table_name"] == "audit_logs_2026_h1" && $0["relation_kind"] == "table" })
        let email = try #require(
            saas.query(
                """
                SELECT c.pg_type, c.is_nullable, c.position, c.label, c.graphql_field, c.validation_rules
                FROM _metadata.mappings_column c JOIN _metadata.mappings_table t ON t.id = c.table_id
                WHERE t.table_name = 'users' AND c.pg_column = 'email'
                """
            ).records.first)
        #expect(email["pg_type"] == "text")
        #expect(email.bool("is_nullable") == false)
        #expect(email.int("position") == 2)
        #expect(email["label"] == nil && email["graphql_field"] == nil && email["validation_rules"] == nil)
    }

    @Test("a second scan changes nothing and does not move the revision")
    func idempotent() throws {
        let fleet = try FixtureFleet.make(["shop"])
        let connection = try fleet.connect("shop")
        let before = try connection.query("SELECT value FROM _metadata.revision").records.first?.int("value")
        let again = try #require(fleet.catalog.scanMetadata(.everything).first)
        #expect(again.tablesAdded == 0 && again.columnsAdded == 0 && again.columnsChanged == 0 && again.missing.isEmpty)
        #expect(try connection.query("SELECT value FROM _metadata.revision").records.first?.int("value") == before)
    }

    @Test("human fields survive a rescan; type changes are picked up; vanished things are reported, and pruned only on request")
    func keepsHumanFieldsAndReportsMissing() throws {
        let fleet = try FixtureFleet.make(["shop"])
        let connection = try fleet.connect("shop")
        try connection.execute(
            script: """
                UPDATE _metadata.mappings_column SET label = 'E-mail', validation_rules = '{"format": "email"}' WHERE pg_column = 'email';
                UPDATE _metadata.mappings_table SET description = 'Customers' WHERE table_name = 'users';
                ALTER TABLE users ALTER COLUMN email TYPE text;
                ALTER TABLE products DROP COLUMN attributes;
                DROP VIEW order_totals;
                CREATE TABLE coupons (code text PRIMARY KEY);
                """)
        let result = try #require(fleet.catalog.scanMetadata(.everything).first)
        #expect(result.tablesAdded == 1)
        #expect(result.columnsChanged == 1)
        #expect(result.missing.sorted() == ["public.order_totals", "public.products.attributes"])
        #expect(result.pruned == 0)
        let email = try #require(
            connection.query(
                """
                SELECT c.pg_type, c.label, c.validation_rules::text AS rules, t.description
                FROM _metadata.mappings_column c JOIN _metadata.mappings_table t ON t.id = c.table_id
                WHERE t.table_name = 'users' AND c.pg_column = 'email'
                """
            ).records.first)
        #expect(email["pg_type"] == "text")
        #expect(email["label"] == "E-mail")
        #expect(email["rules"] == "{\"format\": \"email\"}")
        #expect(email["description"] == "Customers")
        #expect(
            try connection.query("SELECT count(*) AS n FROM _metadata.mappings_table WHERE table_name = 'order_totals'").records.first?.int("n") == 1)
        let pruned = try #require(fleet.catalog.scanMetadata(.everything, prune: true).first)
        #expect(pruned.pruned == 2)
        #expect(
            try connection.query("SELECT count(*) AS n FROM _metadata.mappings_table WHERE table_name = 'order_totals'").records.first?.int("n") == 0)
    }

    @Test("after ALTER TABLE … RENAME COLUMN: --plan lists the rename and what a prune would lose; --follow-renames carries the human fields across")
    func renamedColumn() throws {
        let fleet = try FixtureFleet.make(["shop"])
        let connection = try fleet.connect("shop")
        try connection.execute(
            script: """
                UPDATE _metadata.mappings_column SET label = 'E-mail', description = 'Where receipts go',
                    validation_rules = '{"format": "email"}', graphql_field = 'email'
                WHERE pg_column = 'email' AND table_id = (SELECT id FROM _metadata.mappings_table WHERE table_name = 'users');
                ALTER TABLE users RENAME COLUMN email TO e_mail;
                """)
        let mappingQuery = """
            SELECT c.id, c.pg_column, c.pg_type, c.label, c.description, c.validation_rules::text AS rules, c.graphql_field
            FROM _metadata.mappings_column c JOIN _metadata.mappings_table t ON t.id = c.table_id
            WHERE t.table_name = 'users' AND c.pg_column IN ('email', 'e_mail', 'mail')
            """
        let before = try #require(connection.query(mappingQuery).records.first)

        let plan = try #require(fleet.catalog.planScan(.everything, prune: true).first)
        #expect(plan.renames.map(\.description) == ["public.users.email → e_mail"])
        #expect(plan.humanFieldsPruned == ["public.users.email (label, description, validation_rules, graphql_field)"])
        #expect(plan.steps.contains { $0.action == .prune && $0.detail.contains(#"losing label "E-mail", description "Where receipts go""#) })
        let cli = try CLIRun.run(["metadata", "scan", "shop", "--plan", "--prune"], store: fleet.storePath)
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(cli.stdout.contains("looks renamed to e_mail (same position 2 and type character varying(255)), not followed"))
        #expect(try connection.query(mappingQuery).records.map { $0["pg_column"] } == ["email"], "--plan changed nothing")

        let followed = try #require(fleet.catalog.scanMetadata(.everything, prune: true, followRenames: true).first)
        #expect(followed.outcome == .ok)
        #expect(followed.renames.map(\.followed) == [true])
        #expect(followed.columnsAdded == 0 && followed.pruned == 0 && followed.missing.isEmpty && followed.humanFieldsPruned.isEmpty)
        let after = try connection.query(mappingQuery).records
        #expect(after.count == 1)
        #expect(after.first?["pg_column"] == "e_mail")
        for field in ["id", "label", "description", "rules", "graphql_field"] { #expect(after.first?[field] == before[field], "\(field)") }
        #expect(try !fleet.catalog.drift().hasDrift)

        try connection.execute(script: "ALTER TABLE users RENAME COLUMN e_mail TO mail")
        let run = try CLIRun.run(["metadata", "scan", "shop", "--prune"], store: fleet.storePath)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stderr.contains("pruned mappings that held human fields: public.users.e_mail (label, description, validation_rules, graphql_field)"))
        #expect(run.stderr.contains("1 column(s) look renamed (public.users.e_mail → mail); rerun with --follow-renames"))
        #expect(try connection.query(mappingQuery).records.map { $0["label"] } == [nil])
    }

    @Test("a database with 520 tables in 10 schemas scans correctly in one go")
    func largeDatabase() throws {
        var script = ""
        for schema in 0..<10 {
            script += "CREATE SCHEMA s\(schema);\n"
            for table in 0..<52 {
                script += "CREATE TABLE s\(schema).t\(table) (id bigint PRIMARY KEY, name text, email text, data jsonb);\n"
            }
        }
        let database = try TestWorkspace.database(script: script)
        let catalog = try TestEnvironment.catalog()
        try catalog.addProject(name: "big", dsn: database.url)
        try catalog.installMetadata(.everything)
        let result = try #require(catalog.scanMetadata(.everything).first)
        #expect(result.outcome == .ok)
        #expect(result.relations == 520)
        #expect(result.tablesAdded == 520)
        #expect(result.columnsAdded == 2080)
        let search = try catalog.search(SearchQuery(.column, name: "email"))
        #expect(search.matches.count == 520)
        #expect(Set(search.matches.compactMap(\.schema)).count == 10)
    }

    @Test("scan refuses a project without _metadata and says what to run")
    func requiresMetadata() throws {
        let catalog = try TestEnvironment.catalog()
        let database = try TestWorkspace.database(fixture: "shop")
        try catalog.addProject(name: "bare", dsn: database.url)
        let result = try #require(catalog.scanMetadata(.everything).first)
        #expect(result.outcome.message == "project \"bare\" has no _metadata schema")
        #expect(result.outcome.remedy == .installMetadata("bare"))
    }
}
