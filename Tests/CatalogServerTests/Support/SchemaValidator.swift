import Foundation

/// Checks a JSON value against an OpenAPI 3.0 schema: the subset `/openapi.json` uses (`$ref`,
/// `allOf`, `type`, `nullable`, `enum`, `required`, `properties`, `additionalProperties: false`,
/// `items`). Returns one line per violation, with the JSON path.
struct SchemaValidator {
    let document: JSON

    func violations(of value: JSON, against schema: JSON, at path: String = "$") -> [String] {
        if let reference = schema["$ref"]?.string { return violations(of: value, against: resolve(reference), at: path) }
        if value == .null {
            return schema["nullable"]?.bool == true || schema.object?.isEmpty == true ? [] : ["\(path): null is not allowed"]
        }
        if let parts = schema["allOf"]?.array {
            return parts.flatMap { violations(of: value, against: $0, at: path) }
        }
        var problems: [String] = []
        if let allowed = schema["enum"]?.array, !allowed.contains(value) {
            problems.append("\(path): \(value) is not one of \(allowed)")
        }
        switch (schema["type"]?.string, value) {
        case ("object", .object(let fields)):
            let properties = schema["properties"]?.object ?? [:]
            for name in schema["required"]?.array?.compactMap(\.string) ?? [] where fields[name] == nil {
                problems.append("\(path): missing required '\(name)'")
            }
            for (name, field) in fields {
                if let property = properties[name] {
                    problems += violations(of: field, against: property, at: "\(path).\(name)")
                } else if schema["additionalProperties"]?.bool == false {
                    problems.append("\(path): '\(name)' is not described")
                }
            }
        case ("array", .array(let elements)):
            if let items = schema["items"] {
                for (index, element) in elements.enumerated() { problems += violations(of: element, against: items, at: "\(path)[\(index)]") }
            }
        case ("integer", .number(let number)) where number.rounded() == number:
            break
        case ("number", .number), ("string", .string), ("boolean", .bool), (nil, _):
            break
        case (let type?, _):
            problems.append("\(path): expected \(type), got \(value)")
        }
        return problems
    }

    func resolve(_ reference: String) -> JSON {
        reference.dropFirst(2).split(separator: "/").reduce(document as JSON?) { node, key in node?[String(key)] } ?? .null
    }

    /// The operation for a path template and method, if described.
    func operation(path: String, method: String) -> JSON? {
        document["paths"]?[path]?[method.lowercased()]
    }

    /// The response described for a status: nil when not described; its JSON schema, if it has one.
    func response(path: String, method: String, status: Int) -> (described: Bool, schema: JSON?) {
        guard var response = operation(path: path, method: method)?["responses"]?[String(status)] else { return (false, nil) }
        if let reference = response["$ref"]?.string { response = resolve(reference) }
        return (true, response["content"]?["application/json"]?["schema"])
    }
}
