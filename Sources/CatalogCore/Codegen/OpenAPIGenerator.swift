import Yams

/// An OpenAPI 3.1 document: `openapi`, `info`, empty `paths`, and `components.schemas` holding the
/// JSON Schema of every table and user type (3.1 speaks JSON Schema 2020-12). Written as YAML, keys in
/// a fixed order (the document's own, then schemas by name), by `QuotedYAML`: the text Yams writes for
/// `node(document)`, several times faster. Yams writes what `QuotedYAML` leaves out.
enum OpenAPIGenerator {
    static func generate(_ model: CodegenModel) -> String {
        let refPrefix = "#/components/schemas/"
        let schemas =
            (model.tables.map { ($0.typeName, OrderedJSON.object(JSONSchemaGenerator.tableSchema($0, model, refPrefix: refPrefix))) }
            + model.userTypes.map { ($0.typeName, JSONSchemaGenerator.userTypeSchema($0, model, refPrefix: refPrefix)) })
            .sorted { $0.0 < $1.0 }
        let document = OrderedJSON.object([
            ("openapi", .string("3.1.0")),
            (
                "info",
                .object([
                    ("title", .string(model.name)), ("version", .string("1")),
                    ("description", .string(model.marker)),
                ])
            ),
            ("paths", .object([])),
            ("components", .object([("schemas", .object(schemas))])),
        ])
        return QuotedYAML.document(document, plainKey: isPlainKey) ?? yams(document)
    }

    /// The same document through Yams: the reference `QuotedYAML` matches byte for byte.
    static func yams(_ document: OrderedJSON) -> String {
        let yaml = (try? Yams.serialize(node: node(document), width: -1, allowUnicode: true, sortKeys: false)) ?? ""
        return yaml.hasSuffix("\n") ? yaml : yaml + "\n"
    }

    /// A YAML node in the given key order. Strings are double-quoted, so no value reads back as another type.
    static func node(_ value: OrderedJSON) -> Node {
        switch value {
        case .object(let fields):
            return .mapping(Node.Mapping(fields.map { (key($0.0), node($0.1)) }))
        case .array(let values): return .sequence(Node.Sequence(values.map(node)))
        case .string(let text): return .scalar(Node.Scalar(text, Tags.string, .doubleQuoted))
        case .int(let number): return .scalar(Node.Scalar(String(number), Tags.int))
        case .double(let number): return .scalar(Node.Scalar(String(number), Tags.float))
        case .bool(let flag): return .scalar(Node.Scalar(flag ? "true" : "false", Tags.bool))
        case .null: return .scalar(Node.Scalar("null", Tags.null))
        }
    }

    /// A key stays plain when it reads back as the same string; anything else is quoted.
    private static func key(_ text: String) -> Node {
        .scalar(Node.Scalar(text, Tags.string, isPlainKey(text) ? .plain : .doubleQuoted))
    }

    static func isPlainKey(_ text: String) -> Bool {
        guard let first = text.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
            text.utf8.allSatisfy({ CharacterSetLike.identifier.contains($0) })
        else { return false }
        return text.utf8.count > 5 || !["y", "n", "yes", "no", "on", "off", "true", "false", "null"].contains(text.lowercased())
    }
}

/// Yams tags, made once: a tag's default resolver and constructor are costly to build per scalar.
private enum Tags {
    nonisolated(unsafe) static let string = Tag(.str)
    nonisolated(unsafe) static let int = Tag(.int)
    nonisolated(unsafe) static let float = Tag(.float)
    nonisolated(unsafe) static let bool = Tag(.bool)
    nonisolated(unsafe) static let null = Tag(.null)
}

/// The characters of a key that YAML reads as a plain string.
private enum CharacterSetLike {
    static let identifier = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$".utf8)
}
