import CatalogStore

/// What the generators read: one project's mappings (or the shared definitions) and the user-defined
/// types PostgreSQL knows for them. A pure value, so every generator is a function of it alone and the
/// same metadata gives byte-identical files.
public struct CodegenInput: Sendable, Equatable {
    /// The project's name (or `shared` for `--shared`), used in titles.
    public var name: String
    public var tables: [CodegenTable]
    /// Enums, domains and composite types, keyed by the name `format_type` gives them (the spelling
    /// `pg_type` holds), so `mood` and `billing.mood` are each found as written.
    public var types: [String: CodegenUserType]
    /// What the reader could not know, reported with the generators' own warnings.
    public var notes: [CodegenWarning]

    public init(name: String, tables: [CodegenTable], types: [String: CodegenUserType] = [:], notes: [CodegenWarning] = []) {
        self.name = name
        self.tables = tables
        self.types = types
        self.notes = notes
    }
}

/// One mapped relation.
public struct CodegenTable: Sendable, Equatable {
    public var schema: String
    public var name: String
    public var kind: RelationKind
    /// A partition of a partitioned table: not emitted, since its parent is.
    public var isPartition: Bool
    public var graphqlType: String?
    public var label: String?
    public var description: String?
    public var sharedName: String?
    public var sharedVersion: Int?
    /// The mapped columns, as the index keeps them (read live, from the index, or from a shared definition).
    public var columns: [IndexedColumn]

    public init(
        schema: String = "public", name: String, kind: RelationKind = .table, isPartition: Bool = false, graphqlType: String? = nil,
        label: String? = nil, description: String? = nil, sharedName: String? = nil, sharedVersion: Int? = nil, columns: [IndexedColumn] = []
    ) {
        self.schema = schema
        self.name = name
        self.kind = kind
        self.isPartition = isPartition
        self.graphqlType = graphqlType
        self.label = label
        self.description = description
        self.sharedName = sharedName
        self.sharedVersion = sharedVersion
        self.columns = columns
    }

    /// `schema.table`, as messages name a row of `_metadata.mappings_table`.
    public var qualifiedName: String { "\(schema).\(name)" }

    /// Views, materialized views and foreign tables are read through, never written.
    public var isReadOnly: Bool { kind == .view || kind == .materializedView }
}

extension IndexedColumn {
    /// A column as the generators read it: the index's fields (`type` is `format_type` text such as
    /// `character varying(255)` or `text[]`, nil when the scan never saw it), the relation given by its table.
    init(
        name: String, type: String? = nil, graphqlField: String? = nil, label: String? = nil, description: String? = nil,
        isNullable: Bool? = nil, validationRules: String? = nil, position: Int? = nil
    ) {
        self.init(
            schema: nil, table: "", kind: nil, name: name, type: type, graphqlField: graphqlField, label: label, description: description,
            isNullable: isNullable, validationRules: validationRules, position: position)
    }

    /// Non-null only when the metadata says NOT NULL (unknown reads as nullable).
    var isRequired: Bool { isNullable == false }
}

/// A user-defined type read from `pg_type`.
public struct CodegenUserType: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `pg_enum` labels in their sort order.
        case enumeration([String])
        /// The base type's `format_type` text, whether the domain is NOT NULL, and its CHECK clauses
        /// as `pg_get_constraintdef` writes them.
        case domain(base: String, notNull: Bool, checks: [String])
        /// Attribute names and their `format_type` text, in order.
        case composite([(name: String, type: String)])

        public static func == (lhs: Kind, rhs: Kind) -> Bool {
            switch (lhs, rhs) {
            case (.enumeration(let left), .enumeration(let right)): left == right
            case (.domain(let b1, let n1, let c1), .domain(let b2, let n2, let c2)): b1 == b2 && n1 == n2 && c1 == c2
            case (.composite(let left), .composite(let right)): left.map(\.name) == right.map(\.name) && left.map(\.type) == right.map(\.type)
            default: false
            }
        }
    }

    public var schema: String
    public var name: String
    public var kind: Kind
    /// `COMMENT ON TYPE`, carried as the type's description.
    public var comment: String?

    public init(schema: String, name: String, kind: Kind, comment: String? = nil) {
        self.schema = schema
        self.name = name
        self.kind = kind
        self.comment = comment
    }
}

/// Something a generator changed or could not carry, printed on stderr; the output is still written.
public struct CodegenWarning: Sendable, Equatable, Hashable, Comparable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public static func < (lhs: CodegenWarning, rhs: CodegenWarning) -> Bool { lhs.message < rhs.message }
}
