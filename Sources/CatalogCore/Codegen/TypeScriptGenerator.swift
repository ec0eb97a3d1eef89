import Foundation

/// TypeScript (4.8 features only): one module, `index.ts`, with an interface per table and composite
/// type, a union of string literals per enum and a named alias per domain. Fields use the GraphQL
/// names; a nullable column is `T | null`; view and materialized view fields are `readonly`.
enum TypeScriptGenerator {
    static func generate(_ model: CodegenModel) -> String {
        var out = "// \(model.marker)\n"
        out += "\n/** Any JSON value, as a json or jsonb column holds it. */\n"
        out += "export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };\n"
        for type in model.userTypes {
            out += "\n" + comment(GraphQLGenerator.userTypeDocumentation(type), indent: "")
            switch type.type.kind {
            case .enumeration:
                let values = type.enumValues.map { literal($0.value) }
                out += "export type \(type.typeName) = \(values.isEmpty ? "never" : values.joined(separator: " | "));\n"
            case .domain:
                out += "export type \(type.typeName) = \(type.base.map { render($0, model) } ?? "unknown");\n"
            case .composite:
                out += "export interface \(type.typeName) {\n"
                for attribute in type.attributes {
                    out += comment(["Attribute \(attribute.name)."], indent: "  ")
                    out += "  \(attribute.field): \(render(attribute.type, model)) | null;\n"
                }
                out += "}\n"
            }
        }
        for table in model.tables {
            out += "\n" + comment(table.documentation, indent: "") + "export interface \(table.typeName) {\n"
            let modifier = table.table.isReadOnly ? "readonly " : ""
            for field in table.fields {
                out += comment(field.documentation, indent: "  ")
                let type = render(field.type, model)
                let nullable = field.column.isRequired || isNotNullDomain(field.type, model) ? type : "\(type) | null"
                out += "  \(modifier)\(field.name): \(nullable);\n"
            }
            out += "}\n"
        }
        return out
    }

    static func render(_ type: CodegenType, _ model: CodegenModel) -> String {
        switch type {
        case .scalar(let scalar, _): scalar.typeScript
        case .unknown: "unknown"
        case .array(let element): "Array<\(render(element, model)) | null>"
        case .user(let key): model.userType(key)?.typeName ?? "unknown"
        }
    }

    /// A NOT NULL domain never holds null, whatever the column says.
    static func isNotNullDomain(_ type: CodegenType, _ model: CodegenModel) -> Bool {
        guard case .user(let key) = type, case .domain(_, let notNull, _) = model.userType(key)?.type.kind else { return false }
        return notNull
    }

    /// A TSDoc comment; `*/` inside is broken up so the comment cannot end early.
    static func comment(_ lines: [String], indent: String) -> String {
        guard !lines.isEmpty else { return "" }
        let joined = lines.joined(separator: "\n\n")
        if !contains(joined, "*/"), !joined.utf8.contains(0x0D) {
            // The common case, byte by byte.
            var out = indent + "/**\n"
            out.reserveCapacity(joined.utf8.count + 64)
            eachLine(joined) { line in
                out += line.isEmpty ? indent + " *\n" : indent + " * " + line + "\n"
            }
            return out + indent + " */\n"
        }
        let body = joined.replacingOccurrences(of: "*/", with: "*\\/")
        let rows = body.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "\(indent) *" : "\(indent) * \($0)" }
        return "\(indent)/**\n\(rows.joined(separator: "\n"))\n\(indent) */\n"
    }

    /// Whether `text` holds `part` (a short ASCII string), compared byte by byte.
    static func contains(_ text: String, _ part: StaticString) -> Bool {
        let needle = UnsafeBufferPointer(start: part.utf8Start, count: part.utf8CodeUnitCount)
        guard let first = needle.first else { return true }
        var utf8 = text.utf8[...]
        while let index = utf8.firstIndex(of: first) {
            if utf8[index...].starts(with: needle) { return true }
            utf8 = utf8[utf8.index(after: index)...]
        }
        return false
    }

    /// Calls `body` with each line of `text` (split at `\n`, empty lines included). For text without
    /// `\r`, the same lines as splitting the characters.
    static func eachLine(_ text: String, _ body: (Substring) -> Void) {
        var start = text.startIndex
        while let end = text.utf8[start...].firstIndex(of: 0x0A) {
            body(text[start..<end])
            start = text.utf8.index(after: end)
        }
        body(text[start...])
    }

    /// A string literal: JSON's escapes are TypeScript's.
    static func literal(_ text: String) -> String {
        OrderedJSON.string(text).rendered.trimmingCharacters(in: .newlines)
    }
}
