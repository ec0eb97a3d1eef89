import Yams

/// A YAML node read as a JSON value (`validation_rules` in a definition file or in the view
/// `metadata edit` opens), each scalar by its resolved tag. `fail` words an error at a node's line.
enum YAMLJSON {
    static func value(_ node: Node, fail: (Node, String) -> CatalogError) throws -> JSONValue {
        switch node {
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for pair in mapping {
                guard let key = pair.key.string else { throw fail(pair.key, "a JSON object key must be text") }
                object[key] = try value(pair.value, fail: fail)
            }
            return .object(object)
        case .sequence(let sequence):
            return .array(try sequence.map { try value($0, fail: fail) })
        case .scalar:
            switch DefinitionFile.tagName(node) {
            case .null: return .null
            case .bool: return .bool(node.bool ?? false)
            case .int: return .number(Double(node.int ?? 0))
            case .float: return .number(node.float ?? 0)
            default: return .string(node.string ?? "")
            }
        case .alias:
            throw fail(node, "aliases are not allowed here")
        }
    }
}
