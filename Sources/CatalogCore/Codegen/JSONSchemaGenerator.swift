/// JSON Schema 2020-12, one document per table, describing a row as `row_to_json` writes it: every
/// column is a property (named as in PostgreSQL) and always present, a nullable one also accepts null.
/// The user types a table uses are in its own `$defs`, so each file stands alone.
enum JSONSchemaGenerator {
    static let dialect = "https://json-schema.org/draft/2020-12/schema"

    /// Each table's schema, by file name (`TypeName.json`).
    static func files(_ model: CodegenModel) -> [(name: String, content: String)] {
        model.tables.map { table in
            var fields = tableSchema(table, model, refPrefix: "#/$defs/")
            fields.insert(contentsOf: [("$comment", .string(model.marker)), ("$schema", .string(dialect))], at: 0)
            let used = usedTypes(table, model)
            if !used.isEmpty {
                fields.append(("$defs", .object(used.map { ($0.typeName, userTypeSchema($0, model, refPrefix: "#/$defs/")) })))
            }
            return ("\(table.typeName).json", OrderedJSON.object(fields).rendered)
        }
    }

    /// Every table and user type in one schema's `$defs`, for standard output.
    static func document(_ model: CodegenModel) -> String {
        let definitions =
            model.tables.map { ($0.typeName, OrderedJSON.object(tableSchema($0, model, refPrefix: "#/$defs/"))) }
            + model.userTypes.map { ($0.typeName, userTypeSchema($0, model, refPrefix: "#/$defs/")) }
        return OrderedJSON.object([
            ("$comment", .string(model.marker)), ("$schema", .string(dialect)), ("title", .string(model.name)),
            ("description", .string("Every relation of \(model.name), one definition each, as row_to_json writes a row.")),
            ("$defs", .object(definitions)),
        ]).rendered
    }

    static func tableSchema(_ table: CodegenModel.Table, _ model: CodegenModel, refPrefix: String) -> [(String, OrderedJSON)] {
        var fields: [(String, OrderedJSON)] = [("title", .string(table.table.label.flatMap { $0.isEmpty ? nil : $0 } ?? table.typeName))]
        fields.append(("description", .string(table.documentation.dropFirst(table.table.label?.isEmpty == false ? 1 : 0).joined(separator: "\n\n"))))
        fields.append(("type", .string("object")))
        fields.append(("properties", .object(table.fields.map { ($0.column.name, property($0, model, refPrefix: refPrefix)) })))
        fields.append(("required", .strings(table.fields.map(\.column.name))))
        if table.table.isReadOnly { fields.append(("readOnly", .bool(true))) }
        return fields
    }

    private static func property(_ field: CodegenModel.Field, _ model: CodegenModel, refPrefix: String) -> OrderedJSON {
        var schema = fragment(field.type, model, refPrefix: refPrefix)
        for (keyword, value) in field.rules.keywords { merge(keyword, value, into: &schema) }
        let nullable = !field.column.isRequired && !TypeScriptGenerator.isNotNullDomain(field.type, model)
        if nullable { schema = allowingNull(schema) }
        var documented: [(String, OrderedJSON)] = []
        if let label = field.column.label, !label.isEmpty { documented.append(("title", .string(label))) }
        documented.append(("description", .string(field.documentation.dropFirst(documented.isEmpty ? 0 : 1).joined(separator: "\n\n"))))
        return .object(documented + schema)
    }

    /// The keywords for a value of `type`, never null.
    static func fragment(_ type: CodegenType, _ model: CodegenModel, refPrefix: String) -> [(String, OrderedJSON)] {
        switch type {
        case .scalar(let scalar, let maxLength):
            return scalar.jsonSchema + (maxLength.map { [("maxLength", OrderedJSON.int($0))] } ?? [])
        case .unknown: return []
        case .array(let element):
            return [("type", .string("array")), ("items", .object(allowingNull(fragment(element, model, refPrefix: refPrefix))))]
        case .user(let key):
            guard let user = model.userType(key) else { return [] }
            return [("$ref", .string(refPrefix + user.typeName))]
        }
    }

    static func userTypeSchema(_ type: CodegenModel.UserType, _ model: CodegenModel, refPrefix: String) -> OrderedJSON {
        var fields: [(String, OrderedJSON)] = [
            ("title", .string(type.typeName)), ("description", .string(GraphQLGenerator.userTypeDocumentation(type).joined(separator: "\n\n"))),
        ]
        switch type.type.kind {
        case .enumeration(let values):
            fields += [("type", .string("string")), ("enum", .strings(values))]
        case .domain:
            var schema = type.base.map { fragment($0, model, refPrefix: refPrefix) } ?? []
            for (keyword, value) in type.domainKeywords { merge(keyword, value, into: &schema) }
            fields += schema
        case .composite:
            fields.append(("type", .string("object")))
            fields.append(
                ("properties", .object(type.attributes.map { ($0.name, .object(allowingNull(fragment($0.type, model, refPrefix: refPrefix)))) })))
        }
        return .object(fields)
    }

    /// Adds a keyword; a length limit keeps the stricter of two.
    static func merge(_ keyword: String, _ value: OrderedJSON, into schema: inout [(String, OrderedJSON)]) {
        guard let index = schema.firstIndex(where: { $0.0 == keyword }) else { return schema.append((keyword, value)) }
        if case .int(let old) = schema[index].1, case .int(let new) = value {
            schema[index].1 = .int(keyword.hasPrefix("max") ? min(old, new) : max(old, new))
        } else {
            schema[index].1 = value
        }
    }

    /// The same keywords, also accepting null.
    static func allowingNull(_ schema: [(String, OrderedJSON)]) -> [(String, OrderedJSON)] {
        guard !schema.isEmpty else { return schema }
        var schema = schema
        if let index = schema.firstIndex(where: { $0.0 == "enum" }), case .array(let values) = schema[index].1 {
            schema[index].1 = .array(values + [.null])
        }
        if let index = schema.firstIndex(where: { $0.0 == "type" }), case .string(let type) = schema[index].1 {
            schema[index].1 = .strings([type, "null"])
            return schema
        }
        return [("anyOf", .array([.object(schema), .object([("type", .string("null"))])]))]
    }

    /// The user types a table reaches, directly or through other user types.
    static func usedTypes(_ table: CodegenModel.Table, _ model: CodegenModel) -> [CodegenModel.UserType] {
        var found: [String: CodegenModel.UserType] = [:]
        var pending = table.fields.map(\.type)
        while let type = pending.popLast() {
            switch type {
            case .array(let element): pending.append(element)
            case .user(let key):
                guard found[key] == nil, let user = model.userType(key) else { continue }
                found[key] = user
                if let base = user.base { pending.append(base) }
                pending += user.attributes.map(\.type)
            default: continue
            }
        }
        return found.values.sorted { $0.typeName < $1.typeName }
    }
}
