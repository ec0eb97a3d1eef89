import CatalogCore
import CatalogStore
import Foundation

/// A fleet for `catalog lint`, built straight into a store's index (no databases): twenty projects
/// from one clean template, and, for the divergent fleet, 51 planted divergences that cover every
/// rule, plus two registered projects that were never read. The clean control fleet must lint clean.
public enum LintFleet {
    /// A divergence planted on purpose, and the findings it must cause (rule, bare names, and the
    /// project that must be named in the finding's projects or details).
    public struct Planted: Sendable, CustomStringConvertible {
        public var label: String
        public var expected: [Expected]
        public var description: String { label }
    }

    public struct Expected: Sendable, Hashable, CustomStringConvertible {
        public var rule: String
        public var column: String?
        public var table: String?
        public var project: String?
        public var description: String { "\(rule) \(table ?? "-").\(column ?? "-") \(project ?? "-")" }

        /// Whether `finding` is this expectation: same rule and names, and the project named in it.
        public func matches(_ finding: LintFinding) -> Bool {
            guard finding.rule == rule, finding.column == column, finding.table == table else { return false }
            guard let project else { return true }
            return finding.projects == [project] || finding.details.contains { $0.contains("\(project) ") || $0.hasSuffix(project) }
        }
    }

    /// The moment every index copy was taken, so outputs are stable.
    public static let fetchedAt = Date(timeIntervalSince1970: 1_780_000_000)

    struct Column {
        var name: String
        var type: String
        var nullable: Bool? = true
        var label: String? = nil
        var description: String? = nil
        var rules: String? = nil
    }

    struct Table {
        var name: String
        var kind = "table"
        var columns: [Column]
        var schema = "public"
    }

    public static let names = (1...20).map { String(format: "p%02d", $0) }

    static func template() -> [Table] {
        [
            Table(
                name: "users",
                columns: [
                    Column(name: "id", type: "bigint", nullable: false, label: "ID"),
                    Column(name: "email", type: "character varying(255)", nullable: false, label: "Email"),
                    Column(name: "name", type: "text", label: "Name"),
                    Column(name: "created_at", type: "timestamp with time zone", nullable: false, label: "Created"),
                ]),
            Table(
                name: "orders",
                columns: [
                    Column(name: "id", type: "bigint", nullable: false),
                    Column(name: "user_id", type: "bigint", nullable: false),
                    Column(name: "total", type: "numeric(10,2)", nullable: false),
                    Column(name: "status", type: "text", nullable: false, rules: #"{"max_length": 20}"#),
                    Column(name: "created_at", type: "timestamp with time zone", nullable: false),
                ]),
            Table(
                name: "products",
                columns: [
                    Column(name: "id", type: "bigint", nullable: false),
                    Column(name: "sku", type: "text", nullable: false),
                    Column(name: "price", type: "numeric(10,2)", nullable: false),
                    Column(name: "created_at", type: "timestamp with time zone", nullable: false),
                ] + (1...12).map { Column(name: "attr_\($0)", type: "text") }),
            Table(
                name: "order_totals", kind: "view",
                columns: [Column(name: "user_id", type: "bigint"), Column(name: "total", type: "numeric(10,2)")]),
        ]
    }

    /// The shared tables of the divergent fleet, as a project's copy has them: `settings` (attached to
    /// none; three projects have the table) and `tags` (its color column unlabelled; p01 has it attached).
    static let settings: [Column] = [
        Column(name: "id", type: "bigint", nullable: false, label: "ID"), Column(name: "key", type: "text", nullable: false, label: "Key"),
        Column(name: "value", type: "jsonb", label: "Value"),
        Column(name: "created_at", type: "timestamp with time zone", nullable: false, label: "Created"),
    ]
    static let tags: [Column] = [
        Column(name: "id", type: "bigint", nullable: false, label: "ID"), Column(name: "title", type: "text", nullable: false, label: "Title"),
        Column(name: "color", type: "text"), Column(name: "created_at", type: "timestamp with time zone", nullable: false, label: "Created"),
    ]

    /// The shared definitions: `users` (every project attached; written with the short type names a
    /// definition file uses, which compare equal to the printed ones), and for the divergent fleet
    /// `settings` and `tags`, defined as the tables above.
    static func definitions(divergent: Bool) -> [(name: String, definition: TableDefinition)] {
        let users = TableDefinition(
            table: "users",
            columns: [
                ColumnDefinition(name: "id", type: "bigint", label: "ID", nullable: false),
                ColumnDefinition(name: "email", type: "varchar(255)", label: "Email", nullable: false),
                ColumnDefinition(name: "name", type: "text", label: "Name", nullable: true),
                ColumnDefinition(name: "created_at", type: "timestamptz", label: "Created", nullable: false),
            ])
        guard divergent else { return [("users", users)] }
        return [("users", users)]
            + [("settings", settings), ("tags", tags)].map { name, columns in
                (
                    name,
                    TableDefinition(
                        table: name,
                        columns: columns.map { ColumnDefinition(name: $0.name, type: $0.type, label: $0.label, nullable: $0.nullable) })
                )
            }
    }

    /// The config the fleets are linted with: naming rules, a synonym group, one suppression that
    /// hides a planted finding and one that matches nothing.
    public static let configYAML = """
        # catalog lint config for the fixture fleets
        rules:
          label-mismatch: info
        naming:
          case: snake_case
          forbidden: [data, "tmp_.*"]
          tables: plural
          required_columns: [created_at]
        synonyms:
          - [email, email_address, e_mail]
        suppressions:
          - rule: naming
            column: "legacy.*"
            reason: legacy column names are kept until the 2027 migration
          - rule: type-mismatch
            column: "old_.*"
            reason: old columns are being dropped

        """

    public static func config() throws -> LintConfig { try LintConfig.parse(configYAML, file: "catalog-lint.yaml") }

    static func id() -> Column { Column(name: "id", type: "bigint", nullable: false) }
    static func created() -> Column { Column(name: "created_at", type: "timestamp with time zone", nullable: false) }

    /// The planted divergences, applied to the template's copies, and what each must cause.
    static func plant(_ fleet: inout [String: [Table]]) -> [Planted] {
        var planted: [Planted] = []
        func change(_ project: String, _ table: String, _ column: String, _ body: (inout Column) -> Void) {
            let t = fleet[project]!.firstIndex { $0.name == table }!
            let c = fleet[project]![t].columns.firstIndex { $0.name == column }!
            body(&fleet[project]![t].columns[c])
        }
        func add(_ project: String, _ table: Table) { fleet[project]!.append(table) }
        func addColumn(_ project: String, _ table: String, _ column: Column) {
            let t = fleet[project]!.firstIndex { $0.name == table }!
            fleet[project]![t].columns.append(column)
        }
        func expect(_ rule: LintRule, column: String? = nil, table: String? = nil, _ project: String?) -> Expected {
            Expected(rule: rule.id, column: column, table: table, project: project)
        }
        func plant(_ label: String, _ expected: Expected...) { planted.append(Planted(label: label, expected: expected)) }

        // type-mismatch (12)
        change("p02", "users", "email") { $0.type = "character varying(100)" }
        plant(
            "p02 users.email varchar(100): length mismatch", expect(.typeMismatch, column: "email", "p02"),
            expect(.sharedDivergence, table: "users", "p02"))
        add("p04", Table(name: "contacts", columns: [id(), Column(name: "e_mail", type: "text", nullable: false), created()]))
        plant("p04 contacts.e_mail text: a synonym of email", expect(.typeMismatch, column: "email", "p04"))
        for k in 1...8 {
            let project = names[k + 3]
            change(project, "products", "attr_\(k)") { $0.type = "integer" }
            plant("\(project) products.attr_\(k) integer", expect(.typeMismatch, column: "attr_\(k)", project))
        }
        change("p13", "orders", "total") { $0.type = "numeric(12,2)" }
        plant("p13 orders.total numeric(12,2)", expect(.typeMismatch, column: "total", "p13"))
        change("p14", "orders", "status") { $0.type = "character varying(20)" }
        plant("p14 orders.status varchar(20)", expect(.typeMismatch, column: "status", "p14"))

        // nullability-mismatch (8)
        for (k, project) in [(9, "p15"), (10, "p16"), (11, "p17"), (12, "p18")] {
            change(project, "products", "attr_\(k)") { $0.nullable = false }
            plant("\(project) products.attr_\(k) NOT NULL", expect(.nullabilityMismatch, column: "attr_\(k)", project))
        }
        change("p19", "orders", "user_id") { $0.nullable = true }
        plant("p19 orders.user_id nullable", expect(.nullabilityMismatch, column: "user_id", "p19"))
        change("p20", "products", "sku") { $0.nullable = true }
        plant("p20 products.sku nullable", expect(.nullabilityMismatch, column: "sku", "p20"))
        change("p03", "orders", "created_at") { $0.nullable = true }
        plant("p03 orders.created_at nullable", expect(.nullabilityMismatch, column: "created_at", "p03"))
        change("p06", "products", "price") { $0.nullable = true }
        plant("p06 products.price nullable", expect(.nullabilityMismatch, column: "price", "p06"))

        // shared-divergence (6)
        let t = fleet["p05"]!.firstIndex { $0.name == "users" }!
        fleet["p05"]![t].columns.removeAll { $0.name == "name" }
        plant("p05 users lacks name", expect(.sharedDivergence, table: "users", "p05"))
        addColumn("p06", "users", Column(name: "nickname", type: "text"))
        plant("p06 users has an extra nickname", expect(.sharedDivergence, table: "users", "p06"))
        change("p07", "users", "id") { $0.type = "integer" }
        plant(
            "p07 users.id integer", expect(.sharedDivergence, table: "users", "p07"), expect(.typeMismatch, column: "id", "p07"))
        change("p08", "users", "created_at") { $0.nullable = true }
        plant(
            "p08 users.created_at nullable", expect(.sharedDivergence, table: "users", "p08"),
            expect(.nullabilityMismatch, column: "created_at", "p08"))
        change("p09", "users", "name") { $0.nullable = false }
        plant(
            "p09 users.name NOT NULL", expect(.sharedDivergence, table: "users", "p09"),
            expect(.nullabilityMismatch, column: "name", "p09"))
        change("p10", "users", "email") { $0.nullable = true }
        plant(
            "p10 users.email nullable", expect(.sharedDivergence, table: "users", "p10"),
            expect(.nullabilityMismatch, column: "email", "p10"))

        // shared-candidate (3): settings tables in projects not attached to "settings"
        add("p11", Table(name: "settings", columns: settings))
        plant("p11 has its own settings (100 %)", expect(.sharedCandidate, table: "settings", "p11"))
        add("p12", Table(name: "settings", columns: settings.filter { $0.name != "value" }))
        plant("p12 has its own settings without value", expect(.sharedCandidate, table: "settings", "p12"))
        add("p13", Table(name: "settings", columns: settings + [Column(name: "scope", type: "text")]))
        plant("p13 has its own settings with scope", expect(.sharedCandidate, table: "settings", "p13"))

        // label-mismatch (4)
        change("p11", "users", "email") { $0.label = "E-mail" }
        plant("p11 users.email labelled E-mail", expect(.labelMismatch, column: "email", "p11"))
        change("p12", "users", "name") { $0.label = "Full name" }
        plant("p12 users.name labelled Full name", expect(.labelMismatch, column: "name", "p12"))
        change("p13", "orders", "status") { $0.description = "Order state" }
        plant("p13 orders.status described as Order state", expect(.labelMismatch, column: "status", "p13"))
        change("p14", "orders", "status") { $0.description = "Lifecycle" }
        plant("p14 orders.status described as Lifecycle", expect(.labelMismatch, column: "status", "p14"))

        // validation-mismatch (2); p17's rules differ only in spelling and are not a divergence
        change("p15", "orders", "status") { $0.rules = #"{"max_length": 30}"# }
        plant("p15 orders.status max_length 30", expect(.validationMismatch, column: "status", "p15"))
        change("p16", "orders", "status") { $0.rules = #"{"pattern": "^[a-z]+$", "max_length": 20}"# }
        plant("p16 orders.status with a pattern", expect(.validationMismatch, column: "status", "p16"))
        change("p17", "orders", "status") { $0.rules = #"{ "max_length" : 20 }"# }

        // naming (10): new tables and columns named against the config's rules, and one the config suppresses
        for (project, table, why) in [
            ("p02", "OrderItems", ""), ("p04", "tmp_imports", " (forbidden)"), ("p06", "invoice", " (singular)"), ("p10", "person", " (singular)"),
        ] {
            add(project, Table(name: table, columns: [id(), created()]))
            plant("\(project) table \(table)\(why)", expect(.naming, table: table, project))
        }
        for (project, table, column, type, why) in [
            ("p03", "products", "skuCode", "text", ""), ("p05", "orders", "data", "jsonb", " (forbidden)"),
            ("p09", "products", "userName", "text", ""), ("p14", "orders", "Notes", "text", ""),
        ] {
            addColumn(project, table, Column(name: column, type: type))
            plant("\(project) column \(column)\(why)", expect(.naming, column: column, project))
        }
        for (project, table, other) in [
            ("p07", "audit_entries", Column(name: "action", type: "text", nullable: false)),
            ("p08", "shipments", Column(name: "carrier", type: "text")),
        ] {
            add(project, Table(name: table, columns: [id(), other]))
            plant("\(project) \(table) lacks created_at", expect(.naming, column: "created_at", table: table, project))
        }
        addColumn("p16", "orders", Column(name: "legacyCode", type: "text"))

        // missing-metadata (5): p19 and p20 have an old _metadata, p21 and p22 were never read (added by make)
        plant("p19 _metadata version 2", expect(.missingMetadata, "p19"))
        plant("p20 _metadata version 2", expect(.missingMetadata, "p20"))
        plant("p21 never read", expect(.missingMetadata, "p21"))
        plant("p22 never read", expect(.missingMetadata, "p22"))
        add("p01", Table(name: "tags", columns: tags))
        plant("shared tags.color has no label", expect(.missingMetadata, column: "color", table: "tags", "p01"))

        // unused-suppression (1)
        plant("the suppression for old_.* matches nothing", expect(.unusedSuppression, nil))
        return planted
    }

    /// Builds the fleet into a new store at `path` and returns it with what was planted (none for the
    /// control fleet). `projects` adds more copies of the clean template (for the benchmark).
    @discardableResult
    public static func make(at path: String, divergent: Bool) throws -> (catalog: Catalog, planted: [Planted]) {
        let store = try Store(path: path)
        let catalog = Catalog(store: store)
        var fleet = Dictionary(uniqueKeysWithValues: names.map { ($0, template()) })
        let planted = divergent ? plant(&fleet) : []
        let registered = names + (divergent ? ["p21", "p22"] : [])
        for name in registered {
            try store.insert(Project(name: name, dsn: "postgresql://lint@127.0.0.1:1/\(name)", tags: name < "p11" ? ["eu"] : ["us"]))
        }
        try store.applyIndexUpdates(
            names.map { name in
                let version = divergent && (name == "p19" || name == "p20") ? MetadataSchema.latestVersion - 1 : MetadataSchema.latestVersion
                return update(project: name, tables: fleet[name]!, metadataVersion: version)
            }, at: fetchedAt)
        for (name, definition) in definitions(divergent: divergent) {
            _ = try catalog.addShared(name: name, definition: definition, note: nil)
        }
        _ = try catalog.attachShared("users", to: ProjectSelection(names: names))
        if divergent { _ = try catalog.attachShared("tags", to: ProjectSelection(names: ["p01"])) }
        return (catalog, planted)
    }

    static func update(project: String, tables: [Table], metadataVersion: Int) -> IndexUpdate {
        let indexed = tables.map { table in
            IndexedTable(
                schema: table.schema, name: table.name, kind: table.kind, graphqlType: nil, label: nil, description: nil, isShared: nil,
                sharedName: nil, sharedVersion: nil)
        }
        let columns = tables.flatMap { table in
            table.columns.enumerated().map { position, column in
                IndexedColumn(
                    schema: table.schema, table: table.name, kind: table.kind, name: column.name, type: column.type, graphqlField: nil,
                    label: column.label, description: column.description, isNullable: column.nullable, validationRules: column.rules,
                    position: position + 1)
            }
        }
        return .replace(
            project: project, revision: 1, incarnation: "1/\(project)", metadataVersion: metadataVersion, tables: indexed, columns: columns)
    }

    /// Registers and indexes one more clean project with a table of its own: an unrelated change
    /// that must move no fingerprint.
    public static func addUnrelated(_ catalog: Catalog, project: String) throws {
        var tables = template()
        tables.append(Table(name: "widgets", columns: [id(), Column(name: "gadget", type: "text"), created()]))
        try catalog.store.insert(Project(name: project, dsn: "postgresql://lint@127.0.0.1:1/\(project)"))
        try catalog.store.applyIndexUpdates([update(project: project, tables: tables, metadataVersion: MetadataSchema.latestVersion)], at: fetchedAt)
        _ = try catalog.attachShared("users", to: ProjectSelection(names: [project]))
    }
}
