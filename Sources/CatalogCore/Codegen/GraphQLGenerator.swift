/// GraphQL SDL: a custom scalar per special PostgreSQL type used, an enum per PostgreSQL enum, an object
/// type per composite type and per table, view and materialized view, and a `Query` with one list per
/// relation (so the document validates on its own). Domains take their base type.
enum GraphQLGenerator {
    static func generate(_ model: CodegenModel) -> String {
        var out = "# \(model.marker)\n"
        for scalar in model.customScalars {
            out += "\n" + description([scalar.scalarDescription], indent: "") + "scalar \(scalar.graphQLName)\n"
        }
        for type in model.userTypes {
            let documentation = userTypeDocumentation(type)
            switch type.type.kind {
            case .enumeration:
                out += "\n" + description(documentation, indent: "") + "enum \(type.typeName) {\n"
                for value in type.enumValues {
                    if value.graphQLName != value.value { out += description(["PostgreSQL value \"\(value.value)\"."], indent: "  ") }
                    out += "  \(value.graphQLName)\n"
                }
                out += "}\n"
            case .composite:
                out += "\n" + description(documentation, indent: "") + "type \(type.typeName) {\n"
                for attribute in type.attributes {
                    out += description(["Attribute \(attribute.name)."], indent: "  ")
                    out += "  \(attribute.field): \(render(attribute.type, model))\n"
                }
                out += "}\n"
            case .domain: continue
            }
        }
        var queryFields = NameAllocator()
        var query: [String] = []
        for table in model.tables {
            out += "\n" + description(table.documentation, indent: "") + "type \(table.typeName) {\n"
            for field in table.fields {
                out += description(field.documentation, indent: "  ")
                out +=
                    "  \(field.name): \(render(field.type, model))\(field.column.isRequired || TypeScriptGenerator.isNotNullDomain(field.type, model) ? "!" : "")\n"
            }
            if table.fields.isEmpty { out += "  \"No columns are mapped.\"\n  _empty: Boolean\n" }
            out += "}\n"
            let name = queryFields.claim(table.typeName.prefix(1).lowercased() + table.typeName.dropFirst(), what: "query field")
            query.append(description(["Every row of \(table.table.qualifiedName)."], indent: "  ") + "  \(name): [\(table.typeName)!]!\n")
        }
        out += "\n" + description(["The relations of \(model.name), one list each."], indent: "") + "type Query {\n"
        out += query.isEmpty ? "  \"Nothing is mapped yet.\"\n  _empty: Boolean\n" : query.joined()
        out += "}\n"
        return out
    }

    static func render(_ type: CodegenType, _ model: CodegenModel) -> String {
        switch type {
        case .scalar(let scalar, _): scalar.graphQLName
        case .unknown: CodegenScalar.json.graphQLName
        case .array(let element): "[\(render(element, model))]"
        case .user(let key):
            if let user = model.userType(key), case .domain = user.type.kind, let base = user.base {
                render(base, model)
            } else {
                model.userType(key)?.typeName ?? CodegenScalar.json.graphQLName
            }
        }
    }

    static func userTypeDocumentation(_ type: CodegenModel.UserType) -> [String] {
        let kind: String
        switch type.type.kind {
        case .enumeration: kind = "Enum"
        case .domain(let base, _, _): kind = "Domain over \(base):"
        case .composite: kind = "Composite type"
        }
        return (type.type.comment.map { [$0] } ?? []) + ["\(kind) \(type.type.schema).\(type.type.name)."]
    }

    /// A block string; `"""` inside is escaped as the spec says.
    static func description(_ lines: [String], indent: String) -> String {
        guard !lines.isEmpty else { return "" }
        let body = lines.joined(separator: "\n\n")
        if !TypeScriptGenerator.contains(body, "\"\"\""), !body.utf8.contains(0x0D) {
            // The common case, byte by byte: each non-empty line indented.
            var out = indent + "\"\"\"\n"
            out.reserveCapacity(body.utf8.count + 64)
            TypeScriptGenerator.eachLine(body) { line in
                if !line.isEmpty { out += indent + line }
                out += "\n"
            }
            return out + indent + "\"\"\"\n"
        }
        let escaped = body.replacingOccurrences(of: "\"\"\"", with: "\\\"\"\"")
        let indented = escaped.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : indent + $0 }
        return "\(indent)\"\"\"\n\(indented.joined(separator: "\n"))\n\(indent)\"\"\"\n"
    }
}
