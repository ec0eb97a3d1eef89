import CatalogStore
import CatalogSupport
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CatalogCore

/// The billing fixture, scanned, with its human fields (`fixtures/codegen/billing-metadata.sql`).
enum BillingFixture {
    static func make() throws -> SampleFleet {
        let fleet = try SampleFleet.make(["billing"])
        let script = try String(contentsOf: Fixtures.url("codegen/billing-metadata.sql"), encoding: .utf8)
        try fleet.connect("billing").execute(script: script)
        return fleet
    }

    /// Each emitted relation and its type name.
    static let typeNames = [
        "public.customers": "Customer", "public.invoices": "Invoices", "archive.invoices": "ArchiveInvoices",
        "public.payments": "Payments", "public.open_invoices": "OpenInvoices", "public.revenue_by_month": "RevenueByMonth",
    ]
}

@Suite("Code generation from the metadata")
struct CodegenTests {
    @Test("names: PascalCase types, camelCase fields, invalid characters replaced by the documented rule")
    func names() {
        #expect(CodegenNames.pascalCase("order_items") == "OrderItems")
        #expect(CodegenNames.pascalCase("Email Templates") == "EmailTemplates")
        #expect(CodegenNames.pascalCase("2026_logs") == "_2026Logs")
        #expect(CodegenNames.camelCase("Full Name") == "fullName")
        #expect(CodegenNames.camelCase("created_at") == "createdAt")
        #expect(CodegenNames.camelCase("VAT number") == "vatNumber")
        #expect(CodegenNames.camelCase("$$") == "field")
        #expect(CodegenNames.valid("__secret", fallback: "x") == "_secret")
        #expect(CodegenNames.isValidGraphQLName("User") && !CodegenNames.isValidGraphQLName("User-Type"))
    }

    @Test("two schemas with one table name, and two columns mapping to one field, are resolved and reported")
    func collisions() throws {
        let input = CodegenInput(
            name: "t",
            tables: [
                CodegenTable(schema: "sales", name: "contacts", columns: [IndexedColumn(name: "id", type: "integer")]),
                CodegenTable(
                    schema: "public", name: "contacts",
                    columns: [
                        IndexedColumn(name: "Full Name", type: "text", position: 1),
                        IndexedColumn(name: "full_name", type: "text", position: 2),
                    ]),
                CodegenTable(schema: "public", name: "string", columns: []),
            ])
        let model = try CodegenModel(input)
        #expect(Set(model.tables.map(\.typeName)) == ["Contacts", "SalesContacts", "PublicString"])
        #expect(model.tables.first { $0.table.schema == "public" && $0.table.name == "contacts" }?.fields.map(\.name) == ["fullName", "fullName2"])
        #expect(model.warnings.contains(CodegenWarning("table sales.contacts: the name Contacts is taken; using SalesContacts")))
        #expect(model.warnings.contains(CodegenWarning("column public.contacts.full_name: the name fullName is taken; using fullName2")))
        // Deterministic whatever order the rows came in.
        let reversed = try CodegenModel(CodegenInput(name: "t", tables: input.tables.reversed()))
        #expect(reversed.tables.map(\.typeName) == model.tables.map(\.typeName))
        for format in CodegenFormat.allCases {
            #expect(
                try Codegen.generate(format, from: input) == Codegen.generate(format, from: CodegenInput(name: "t", tables: input.tables.reversed())))
        }
    }

    @Test("an invalid graphql_type and validation_rules that are not an object are refused, naming the row")
    func badMetadata() throws {
        let badType = CodegenInput(name: "t", tables: [CodegenTable(schema: "billing", name: "invoices", graphqlType: "Invoice-Type")])
        #expect(throws: CatalogError.self) { try CodegenModel(badType) }
        do { _ = try CodegenModel(badType) } catch let error as CatalogError {
            #expect(error.message.contains("graphql_type \"Invoice-Type\" of billing.invoices is not a valid GraphQL name"))
            #expect(error.code == .refused)
        }
        let badRules = CodegenInput(
            name: "t", tables: [CodegenTable(name: "users", columns: [IndexedColumn(name: "email", type: "text", validationRules: "[1, 2]")])])
        do {
            _ = try CodegenModel(badRules)
            Issue.record("rules that are an array were accepted")
        } catch let error as CatalogError {
            #expect(error.message == "validation_rules of public.users.email is not a JSON object; make it an object such as {\"max_length\": 255}")
        }
    }

    @Test("validation rules map to keywords, and the rest become warnings")
    func rules() throws {
        let rules = try CodegenRules.parse(
            #"{"format": "email", "max_length": 80, "minLength": 2, "pattern": "^a", "minimum": 0, "enum": ["a"], "x-widget": "text", "format_hint": 1}"#,
            where: "s.t.c")
        #expect(rules.value("format") == .string("email"))
        #expect(rules.value("maxLength") == .int(80))
        #expect(rules.value("minLength") == .int(2))
        #expect(rules.value("pattern") == .string("^a"))
        #expect(rules.value("enum") == .strings(["a"]))
        #expect(
            rules.warnings.map(\.message).sorted() == [
                "s.t.c: validation rule \"format_hint\" has no JSON Schema keyword; it is not enforced",
                "s.t.c: validation rule \"x-widget\" has no JSON Schema keyword; it is not enforced",
            ])
        let unknownFormat = try CodegenRules.parse(#"{"format": "iban"}"#, where: "s.t.c")
        #expect(unknownFormat.keywords.isEmpty && unknownFormat.warnings.count == 1)
    }

    @Test("domain CHECK constraints map where the form is simple")
    func domainChecks() {
        let (keywords, unmapped) = CodegenDomainChecks.keywords([
            "CHECK ((VALUE ~ '^[^@]+@[^@]+$'::text))", "CHECK ((VALUE >= 0))", "CHECK ((char_length(VALUE) <= 20))",
            "CHECK ((VALUE = ANY (ARRAY['DE'::bpchar, 'FR'::bpchar])))", "CHECK ((lower(VALUE) = VALUE))",
        ])
        #expect(keywords.map(\.0) == ["pattern", "minimum", "maxLength", "enum"])
        #expect(keywords.last?.1 == .strings(["DE", "FR"]))
        #expect(unmapped == ["CHECK ((lower(VALUE) = VALUE))"])
    }

    @Test("types map as documented in every target")
    func typeMapping() {
        #expect(CodegenTypeMapping.resolve("character varying(255)", types: [:]) == .scalar(.text, maxLength: 255))
        #expect(CodegenTypeMapping.resolve("numeric(12,2)", types: [:]) == .scalar(.numeric, maxLength: nil))
        #expect(CodegenTypeMapping.resolve("timestamp(3) with time zone", types: [:]) == .scalar(.timestamptz, maxLength: nil))
        #expect(CodegenTypeMapping.resolve("text[]", types: [:]) == .array(.scalar(.text, maxLength: nil)))
        #expect(CodegenTypeMapping.resolve("inet", types: [:]) == .scalar(.text, maxLength: nil))
        #expect(CodegenTypeMapping.resolve("tstzrange", types: [:]) == .scalar(.text, maxLength: nil))
        #expect(CodegenTypeMapping.resolve("geometry", types: [:]) == .unknown("geometry"))
        let mood = CodegenUserType(schema: "public", name: "mood", kind: .enumeration(["ok"]))
        #expect(CodegenTypeMapping.resolve("mood[]", types: ["mood": mood]) == .array(.user("mood")))
        #expect(CodegenScalar.bigint.graphQLName == "BigInt" && CodegenScalar.bigint.typeScript == "string")
        #expect(CodegenScalar.bigint.jsonSchema.first?.1 == .string("integer"))
    }

    @Test("the billing fixture: partitions are not emitted, views are read-only, enums carry PostgreSQL's values")
    func billingLive() throws {
        let fleet = try BillingFixture.make()
        let input = try fleet.catalog.codegenInput(project: "billing")
        #expect(input.tables.contains { $0.name == "payments_2026" && $0.isPartition })
        let model = try CodegenModel(input)
        #expect(Dictionary(uniqueKeysWithValues: model.tables.map { ($0.table.qualifiedName, $0.typeName) }) == BillingFixture.typeNames)
        let status = try #require(model.userTypes.first { $0.typeName == "InvoiceStatus" })
        #expect(status.enumValues.map(\.value) == ["draft", "open", "paid", "void", "written-off"])
        #expect(status.enumValues.last?.graphQLName == "written_off")
        let graphql = try fleet.catalog.generate(.graphql, project: "billing")
        #expect(graphql.text.contains("enum InvoiceStatus {"))
        #expect(!graphql.text.contains("Payments2026"))
        #expect(graphql.text.contains("  displayName: String!"))
        let typescript = try fleet.catalog.generate(.typescript, project: "billing")
        #expect(typescript.text.contains("  readonly email: EmailAddress;"))
        #expect(typescript.text.contains("export type InvoiceStatus = \"draft\" | \"open\" | \"paid\" | \"void\" | \"written-off\";"))
        #expect(graphql.warnings.contains(CodegenWarning("column public.customers.VAT number: the name vatNumber is taken; using vatNumber2")))
        #expect(graphql.warnings.contains { $0.message.contains("\"x-widget\"") })
        // --cached reads the index the live read refreshed: the same mappings, user types and partitions.
        let cached = try fleet.catalog.codegenInput(project: "billing", cached: true)
        #expect(cached.tables.map(\.qualifiedName).sorted() == input.tables.map(\.qualifiedName).sorted())
        #expect(cached.types == input.types && cached.notes.isEmpty)
        #expect(cached.tables.filter(\.isPartition).map(\.qualifiedName) == ["public.payments_2026"])
        for format in CodegenFormat.allCases {
            #expect(try Codegen.generate(format, from: cached) == Codegen.generate(format, from: input), "\(format)")
        }
        // A copy the index made without them (an older catalog's) says so, and the next live read replaces it.
        var old = try #require(try fleet.catalog.store.indexStates()["billing"])
        try fleet.catalog.store.applyIndexUpdates(
            [
                .replace(
                    project: "billing", revision: old.revision, incarnation: old.incarnation, metadataVersion: old.metadataVersion,
                    tables: try fleet.catalog.store.indexedTables(projects: ["billing"], filter: .all).map(\.table),
                    columns: try fleet.catalog.store.indexedColumns(projects: ["billing"], filter: .all))
            ], at: old.fetchedAt)
        let older = try fleet.catalog.codegenInput(project: "billing", cached: true)
        #expect(older.types.isEmpty)
        #expect(older.notes.first?.message.hasPrefix("from the index: this copy was made before the index kept pg_catalog facts") == true)
        #expect(try Codegen.generate(.graphql, from: older).warnings.contains(older.notes[0]))
        _ = try fleet.catalog.generate(.graphql, project: "billing")
        old = try #require(try fleet.catalog.store.indexStates()["billing"])
        #expect(old.hasTypes)
        #expect(
            try Codegen.generate(.openapi, from: fleet.catalog.codegenInput(project: "billing", cached: true))
                == Codegen.generate(.openapi, from: input))
    }

    @Test("every output passes the real tools: tsc --strict, graphql-core, jsonschema with real rows, openapi-spec-validator")
    func realTools() throws {
        let fleet = try BillingFixture.make()
        let directory = try TestWorkspace.temporaryDirectory()
        for format in CodegenFormat.allCases {
            let output = try fleet.catalog.generate(format, project: "billing", files: true)
            try fleet.catalog.writeGenerated(output, to: fleet.catalog.codegenDirectory(directory.path))
        }
        let path = { (name: String) in directory.appendingPathComponent(name).path }
        try CodegenTools.expectSuccess("/usr/bin/tsc", ["--strict", "--noEmit", path("index.ts")])
        try CodegenTools.python(["graphql", path("schema.graphql")])
        try CodegenTools.python(["openapi", path("openapi.yaml")])
        let connection = try fleet.connect("billing")
        for (relation, typeName) in BillingFixture.typeNames.sorted(by: { $0.key < $1.key }) {
            let parts = relation.split(separator: ".").map(String.init)
            let rows =
                try connection.query(
                    "SELECT coalesce(json_agg(row_to_json(t)), '[]')::text AS rows FROM \(try connection.quoteIdentifier(parts[0])).\(try connection.quoteIdentifier(parts[1])) t"
                ).records.first?["rows"] ?? "[]"
            #expect(rows != "[]", "\(relation) has no rows to check")
            let bad = try CodegenTools.brokenRows(typeName, from: rows)
            try Data(rows.utf8).write(to: directory.appendingPathComponent("\(typeName).rows"))
            try Data(bad.utf8).write(to: directory.appendingPathComponent("\(typeName).bad"))
            try CodegenTools.python(["jsonschema", path("\(typeName).json"), path("\(typeName).rows"), path("\(typeName).bad")])
        }
    }

    @Test("the shared definitions generate alone, one type each")
    func sharedDefinitions() throws {
        let fleet = try SampleFleet.make([])
        _ = try fleet.catalog.addShared(name: "users", file: Fixtures.url("definitions/users.yaml").path)
        _ = try fleet.catalog.addShared(name: "settings", file: Fixtures.url("definitions/settings.yaml").path)
        let output = try fleet.catalog.generate(.typescript, project: nil)
        #expect(output.text.contains("export interface User {"))
        #expect(output.text.contains("export interface Setting {"))
        #expect(output.text.contains("Table public.users, shared definition users v1."))
        let directory = try TestWorkspace.temporaryDirectory()
        try fleet.catalog.writeGenerated(output, to: fleet.catalog.codegenDirectory(directory.path))
        try CodegenTools.expectSuccess("/usr/bin/tsc", ["--strict", "--noEmit", directory.appendingPathComponent("index.ts").path])
    }
}

/// Runs the real tools on generated files.
enum CodegenTools {
    static func expectSuccess(_ executable: String, _ arguments: [String]) throws {
        let outcome = try ChildProcess(executable, arguments).run()
        #expect(outcome.status == 0, "\(executable) \(arguments.joined(separator: " ")): \(outcome.output)")
    }

    static func python(_ arguments: [String]) throws {
        try expectSuccess("/usr/bin/env", ["python3", Fixtures.root.appendingPathComponent("scripts/codegen_check.py").path] + arguments)
    }

    /// Rows that each break one validation rule, built from the first real row.
    static func brokenRows(_ typeName: String, from rows: String) throws -> String {
        let all = try JSONSerialization.jsonObject(with: Data(rows.utf8)) as! [[String: Any]]
        let changes: [[String: Any]]
        switch typeName {
        case "Customer": changes = [["email": "not-an-email"], ["name": "A"], ["name": "ada lovelace"], ["tags": "vip"], ["external_id": 7]]
        case "Invoices": changes = [["tax_rate": 2], ["line_count": 11], ["status": "lost"], ["total_cents": -1], ["customer_id": NSNull()]]
        case "ArchiveInvoices": changes = [["status": ["paid", "lost"]], ["archived": "yes"]]
        case "Payments": changes = [["amount": "120"]]
        case "OpenInvoices": changes = [["email": NSNull()]]
        default: changes = [["revenue": "lots"]]
        }
        let broken = changes.map { change in all[0].merging(change) { _, new in new } }
        return String(decoding: try JSONSerialization.data(withJSONObject: broken), as: UTF8.self)
    }
}

@Suite("Code generation speed")
struct CodegenSpeedTests {
    /// 500 tables of 13 columns each, with labels, rules, an enum, a domain and a composite, as bench/codegen.py builds.
    static func bigInput(tables: Int = 500) -> CodegenInput {
        let types: [String: CodegenUserType] = [
            "status_kind": CodegenUserType(schema: "public", name: "status_kind", kind: .enumeration(["new", "active", "closed", "on-hold"])),
            "email_address": CodegenUserType(
                schema: "public", name: "email_address",
                kind: .domain(base: "text", notNull: false, checks: ["CHECK ((VALUE ~ '^[^@]+@[^@]+$'::text))"])),
            "postal_address": CodegenUserType(schema: "public", name: "postal_address", kind: .composite([("street", "text"), ("city", "text")])),
        ]
        let columns: [(String, String)] = [
            ("id", "bigint"), ("name", "character varying(120)"), ("status", "status_kind"), ("email", "email_address"),
            ("amount", "numeric(12,2)"), ("created_at", "timestamp with time zone"), ("due_on", "date"), ("payload", "jsonb"),
            ("external_id", "uuid"), ("tags", "text[]"), ("owner_id", "bigint"), ("address", "postal_address"), ("blob", "bytea"),
        ]
        let schemas = ["public", "billing", "crm", "ops", "audit"]
        let tables = (0..<tables).map { index in
            CodegenTable(
                schema: schemas[index % 5], name: String(format: "t%04d", index), kind: index % 10 == 9 ? .view : .table,
                label: "Table \(index)", description: "Generated table \(index)",
                columns: columns.enumerated().map { position, column in
                    IndexedColumn(
                        name: column.0, type: column.1, label: column.0.capitalized, isNullable: position % 2 == 0,
                        validationRules: column.0 == "email"
                            ? #"{"format": "email", "max_length": 200}"# : column.0 == "name" ? #"{"min_length": 1, "x-ui": "text"}"# : nil,
                        position: position + 1)
                })
        }
        return CodegenInput(name: "project big", tables: tables, types: types)
    }

    @Test("all four formats for 500 tables, timed in-process")
    func fiveHundredTables() throws {
        let input = Self.bigInput()
        var total = 0.0
        for format in CodegenFormat.allCases {
            let started = Date()
            let output = try Codegen.generate(format, from: input, files: false)
            let seconds = Date().timeIntervalSince(started)
            total += seconds
            print("codegen \(format.rawValue): \(Int(seconds * 1000)) ms, \(output.text.utf8.count) bytes, \(output.files.count) file(s)")
        }
        print("codegen all four formats: \(Int(total * 1000)) ms")
    }
}
