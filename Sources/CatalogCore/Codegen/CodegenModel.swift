/// The input with every name, type and rule resolved once, so the four generators agree: a table has
/// one type name and a column one field name in every output. Building it is where bad metadata is
/// refused (an invalid `graphql_type`, `validation_rules` that are not an object).
struct CodegenModel {
    struct Field {
        var column: CodegenColumn
        var name: String
        var type: CodegenType
        var rules: CodegenRules
        var documentation: [String]
    }

    struct Table {
        var table: CodegenTable
        var typeName: String
        var fields: [Field]
        var documentation: [String]
    }

    struct UserType {
        var key: String
        var type: CodegenUserType
        var typeName: String
        /// For enums: each PostgreSQL value and its GraphQL name.
        var enumValues: [(value: String, graphQLName: String)] = []
        /// For domains: the base type and the constraints that map.
        var base: CodegenType?
        var domainKeywords: [(String, OrderedJSON)] = []
        /// For composites: each attribute with its field name and type.
        var attributes: [(name: String, field: String, type: CodegenType)] = []
    }

    var name: String
    var tables: [Table]
    /// The user types the emitted tables use (directly or through other user types), by type name.
    var userTypes: [UserType]
    var warnings: [CodegenWarning]
    private var userTypesByKey: [String: Int] = [:]

    func userType(_ key: String) -> UserType? { userTypesByKey[key].map { userTypes[$0] } }

    /// The custom GraphQL scalars the output uses, in name order.
    var customScalars: [CodegenScalar] {
        var used = Set<CodegenScalar>()
        func visit(_ type: CodegenType) {
            switch type {
            case .scalar(let scalar, _): used.insert(scalar)
            case .array(let element): visit(element)
            case .unknown: used.insert(.json)
            case .user: break
            }
        }
        for table in tables { table.fields.forEach { visit($0.type) } }
        for type in userTypes {
            if let base = type.base { visit(base) }
            type.attributes.forEach { visit($0.type) }
        }
        var seen = Set<String>()
        return used.filter { $0.customGraphQLName != nil }.sorted { $0.graphQLName < $1.graphQLName }
            .filter { seen.insert($0.graphQLName).inserted }
    }

    init(_ input: CodegenInput) throws {
        name = input.name
        var warnings = input.notes
        let emitted = input.tables.filter { !$0.isPartition }.sorted { ($0.schema, $0.name) < ($1.schema, $1.name) }
        for table in emitted {
            if let explicit = table.graphqlType, !explicit.isEmpty, !CodegenNames.isValidGraphQLName(explicit) {
                throw CatalogError(
                    .refused,
                    "graphql_type \"\(explicit)\" of \(table.qualifiedName) is not a valid GraphQL name (letters, digits and _, not starting with a digit or __); fix that row of _metadata.mappings_table"
                )
            }
        }
        var allocator = NameAllocator(reserved: CodegenNames.reservedTypeNames)
        var typeNames: [Int: String] = [:]
        let indices = Array(emitted.indices)
        let explicit = indices.filter { emitted[$0].graphqlType?.isEmpty == false }
        let defaults = indices.filter { emitted[$0].graphqlType?.isEmpty != false }
        let claimOrder = explicit + defaults.filter { emitted[$0].schema == "public" } + defaults.filter { emitted[$0].schema != "public" }
        for index in claimOrder {
            let table = emitted[index]
            let wanted = table.graphqlType.flatMap { $0.isEmpty ? nil : $0 } ?? CodegenNames.pascalCase(table.sharedName ?? table.name)
            typeNames[index] = allocator.claim(wanted, prefix: CodegenNames.pascalCase(table.schema), what: "table \(table.qualifiedName)")
        }
        // User types reachable from the emitted columns, then from each other.
        // A large project repeats a handful of type texts and rule texts: each is parsed once.
        var resolvedTypes: [String: CodegenType] = [:]
        func resolve(_ text: String?) -> CodegenType {
            let key = text ?? ""
            if let known = resolvedTypes[key] { return known }
            let type = CodegenTypeMapping.resolve(text, types: input.types)
            resolvedTypes[key] = type
            return type
        }
        var parsedRules: [String: CodegenRules] = [:]
        func rules(_ text: String?, row: String) throws -> CodegenRules {
            guard let text else { return CodegenRules() }
            if parsedRules[text] == nil {
                do { parsedRules[text] = try CodegenRules.parse(text, where: CodegenRules.rowPlaceholder) } catch {
                    _ = try CodegenRules.parse(text, where: row)
                    throw error
                }
            }
            return parsedRules[text]!.naming(row)
        }
        var reachable: [String] = []
        var pending = emitted.flatMap { $0.columns.map { resolve($0.pgType) } }
        while let type = pending.popLast() {
            switch type {
            case .array(let element): pending.append(element)
            case .user(let key) where !reachable.contains(key):
                reachable.append(key)
                switch input.types[key]!.kind {
                case .domain(let base, _, _): pending.append(CodegenTypeMapping.resolve(base, types: input.types))
                case .composite(let attributes): pending += attributes.map { CodegenTypeMapping.resolve($0.type, types: input.types) }
                case .enumeration: break
                }
            default: break
            }
        }
        var userTypes: [UserType] = []
        for key in reachable.sorted() {
            let type = input.types[key]!
            let typeName = allocator.claim(
                CodegenNames.pascalCase(type.name), prefix: CodegenNames.pascalCase(type.schema), what: "type \(type.schema).\(type.name)")
            var resolved = UserType(key: key, type: type, typeName: typeName)
            switch type.kind {
            case .enumeration(let values):
                var valueNames = NameAllocator(reserved: ["true", "false", "null"])
                for value in values {
                    var wanted = CodegenNames.valid(value, fallback: "EMPTY")
                    if ["true", "false", "null"].contains(wanted) { wanted += "_" }
                    let name = valueNames.claim(wanted, what: "enum \(type.schema).\(type.name) value \"\(value)\"")
                    if name != value {
                        warnings.append(CodegenWarning("enum \(type.schema).\(type.name): value \"\(value)\" is \(name) in GraphQL"))
                    }
                    resolved.enumValues.append((value, name))
                }
                warnings += valueNames.warnings
            case .domain(let base, _, let checks):
                resolved.base = CodegenTypeMapping.resolve(base, types: input.types)
                let (keywords, unmapped) = CodegenDomainChecks.keywords(checks)
                resolved.domainKeywords = keywords
                warnings += unmapped.map { CodegenWarning("domain \(type.schema).\(type.name): constraint \($0) has no JSON Schema keyword") }
            case .composite(let attributes):
                var fields = NameAllocator()
                for attribute in attributes {
                    let field = fields.claim(
                        CodegenNames.camelCase(attribute.name), what: "type \(type.schema).\(type.name) attribute \(attribute.name)")
                    resolved.attributes.append((attribute.name, field, CodegenTypeMapping.resolve(attribute.type, types: input.types)))
                }
                warnings += fields.warnings
            }
            userTypes.append(resolved)
        }
        var tables: [Table] = []
        for (index, table) in emitted.enumerated() {
            var fields = NameAllocator()
            var resolved: [Field] = []
            let columns = table.columns.sorted { ($0.position ?? Int.max, $0.name) < ($1.position ?? Int.max, $1.name) }
            var names: [String: String] = [:]
            let claims = columns.filter { $0.graphqlField?.isEmpty == false } + columns.filter { $0.graphqlField?.isEmpty != false }
            for column in claims {
                let row = "\(table.qualifiedName).\(column.name)"
                var wanted = CodegenNames.camelCase(column.name)
                if let explicit = column.graphqlField, !explicit.isEmpty {
                    wanted = CodegenNames.valid(explicit, fallback: "field")
                    if wanted != explicit {
                        warnings.append(CodegenWarning("\(row): graphql_field \"\(explicit)\" is not a valid GraphQL name; using \(wanted)"))
                    }
                }
                names[column.name] = fields.claim(wanted, what: "column \(row)")
            }
            for column in columns {
                let row = "\(table.qualifiedName).\(column.name)"
                let type = resolve(column.pgType)
                if case .unknown(let name) = Self.innermost(type) {
                    warnings.append(CodegenWarning("\(row): PostgreSQL type \(name) is not mapped; it is generated as any JSON value"))
                }
                let rules = try rules(column.validationRules, row: row)
                warnings += rules.warnings
                resolved.append(
                    Field(
                        column: column, name: names[column.name]!, type: type, rules: rules,
                        documentation: Self.columnDocumentation(column, rules: rules)))
            }
            warnings += fields.warnings
            tables.append(
                Table(
                    table: table, typeName: typeNames[index]!, fields: resolved,
                    documentation: Self.tableDocumentation(table)))
        }
        self.tables = tables
        self.userTypes = userTypes.sorted { $0.typeName < $1.typeName }
        for (index, type) in self.userTypes.enumerated() { userTypesByKey[type.key] = index }
        self.warnings = Array(Set(warnings + allocator.warnings)).sorted()
    }

    static func innermost(_ type: CodegenType) -> CodegenType {
        if case .array(let element) = type { return innermost(element) }
        return type
    }

    /// The description lines of a table: label, description, then what kind of relation it is.
    static func tableDocumentation(_ table: CodegenTable) -> [String] {
        var lines: [String] = []
        if let label = table.label, !label.isEmpty { lines.append(label) }
        if let description = table.description, !description.isEmpty { lines.append(description) }
        let kind: String
        switch table.kind {
        case .table: kind = "Table"
        case .partitionedTable: kind = "Partitioned table"
        case .view: kind = "Read-only view"
        case .materializedView: kind = "Read-only materialized view"
        case .foreignTable: kind = "Foreign table"
        }
        var source = "\(kind) \(table.qualifiedName)"
        if let shared = table.sharedName { source += ", shared definition \(shared)" + (table.sharedVersion.map { " v\($0)" } ?? "") }
        lines.append(source + ".")
        return lines
    }

    /// The description lines of a column: label, description, and its rules as written.
    static func columnDocumentation(_ column: CodegenColumn, rules: CodegenRules) -> [String] {
        var lines: [String] = []
        if let label = column.label, !label.isEmpty { lines.append(label) }
        if let description = column.description, !description.isEmpty { lines.append(description) }
        var source = "Column \(column.name)" + (column.pgType.map { " (\($0))" } ?? "")
        if let text = rules.canonical { source += "; validation rules \(text)" }
        lines.append(source + ".")
        return lines
    }
}
