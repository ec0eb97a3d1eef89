import Foundation
import Yams

/// Reads and writes shared definitions as YAML or JSON. Reading goes through YAML's node tree
/// (JSON is YAML too), so every error names the file, the line and the key.
public enum DefinitionFile {
    /// The largest definition accepted, in bytes. 1,600 columns with labels and rules fit many
    /// times over; anything larger is not a table definition.
    public static let maximumBytes = 4 * 1024 * 1024

    /// PostgreSQL's limit on the columns of one table.
    public static let maximumColumns = 1600

    /// Parses a definition; unknown keys, wrong types, missing or duplicate columns, more than
    /// 1,600 columns, YAML anchors and aliases, and non-object `validation_rules` are refused.
    public static func parse(_ text: String, file: String) throws -> TableDefinition {
        guard text.utf8.count <= maximumBytes else { throw tooLarge(file) }
        if let line = YAMLAliasCheck.firstAnchorOrAliasLine(in: text) {
            throw CatalogError("\(file):\(line): YAML anchors and aliases (&name, *name) are not allowed in definitions; write each value out")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw CatalogError("\(file): \(describe(error)); fix the YAML syntax and try again")
        }
        guard let node else { throw CatalogError("\(file): the file is empty; see fixtures/definitions/users.yaml for the format") }
        return try Reader(file: file).table(node)
    }

    /// Reads a definition file from disk; only a regular file of at most `maximumBytes`.
    public static func read(path: String) throws -> TableDefinition {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw CatalogError("cannot read \(path): \((error as NSError).localizedDescription); check the path")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw CatalogError("\(path) is not a regular file; give the path of a YAML or JSON definition file")
        }
        guard ((attributes[.size] as? NSNumber)?.intValue ?? 0) <= maximumBytes else { throw tooLarge(path) }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CatalogError("cannot read \(path): \((error as NSError).localizedDescription); check the path")
        }
        return try parse(text, file: path)
    }

    private static func tooLarge(_ file: String) -> CatalogError {
        CatalogError("\(file) is larger than \(maximumBytes / 1024 / 1024) MiB, which no table definition needs; check that it is the right file")
    }

    /// The canonical YAML form: fixed key order, absent fields omitted.
    public static func yaml(_ definition: TableDefinition) -> String {
        (try? YAMLEncoder().encode(definition)) ?? ""
    }

    /// The canonical JSON form: sorted keys, pretty-printed.
    public static func json(_ definition: TableDefinition) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? String(decoding: encoder.encode(definition), as: UTF8.self)) ?? "{}") + "\n"
    }

    /// Compact canonical JSON, as kept in the store and hashed.
    static func storageText(_ definition: TableDefinition) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(definition), as: UTF8.self)) ?? "{}"
    }

    /// Reads the compact JSON kept in the store.
    static func fromStorage(_ text: String) throws -> TableDefinition {
        try parse(text, file: "(store)")
    }

    static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            "line \(mark.line): syntax error: \(problem)"
        case .duplicatedKeysInMapping(let duplicates, _):
            "duplicate key \(duplicates.joined(separator: ", "))"
        default:
            "syntax error: \(error)"
        }
    }

    /// The resolved tag of a node, such as `tag:yaml.org,2002:str`.
    static func tagName(_ node: Node) -> Tag.Name { Tag.Name(rawValue: node.tag.description) }

    /// Walks the node tree, checking every key and type.
    private struct Reader {
        let file: String

        func fail(_ node: Node, _ message: String) -> CatalogError {
            let line = node.mark.map { ":\($0.line)" } ?? ""
            return CatalogError("\(file)\(line): \(message)")
        }

        func mapping(_ node: Node, _ what: String, allowed: [String]) throws -> [(key: String, value: Node)] {
            guard case .mapping(let mapping) = node else { throw fail(node, "\(what) must be a mapping of keys to values") }
            var seen = Set<String>()
            return try mapping.map { pair in
                guard let key = pair.key.string, DefinitionFile.tagName(pair.key) == .str || DefinitionFile.tagName(pair.key) == .implicit else {
                    throw fail(pair.key, "\(what) has a key that is not text")
                }
                guard allowed.contains(key) else {
                    throw fail(pair.key, "unknown key '\(key)' in \(what); allowed keys: \(allowed.joined(separator: ", "))")
                }
                guard seen.insert(key).inserted else { throw fail(pair.key, "duplicate key '\(key)' in \(what)") }
                return (key, pair.value)
            }
        }

        func string(_ node: Node, _ key: String) throws -> String? {
            if DefinitionFile.tagName(node) == .null { return nil }
            guard case .scalar = node, DefinitionFile.tagName(node) == .str else { throw fail(node, "'\(key)' must be text") }
            return node.string
        }

        func requiredString(_ node: Node?, _ key: String, in parent: Node, _ what: String) throws -> String {
            guard let node else { throw fail(parent, "\(what) is missing '\(key)'") }
            guard let value = try string(node, key), !value.isEmpty else { throw fail(node, "'\(key)' in \(what) must be non-empty text") }
            return value
        }

        func table(_ node: Node) throws -> TableDefinition {
            let fields = try mapping(node, "the definition", allowed: TableDefinition.CodingKeys.allCases.map(\.rawValue))
            let values = Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0.value) })
            guard let columnsNode = values["columns"] else { throw fail(node, "the definition is missing 'columns'") }
            guard case .sequence(let sequence) = columnsNode else { throw fail(columnsNode, "'columns' must be a list") }
            guard sequence.count <= DefinitionFile.maximumColumns else {
                throw fail(
                    columnsNode, "the definition has \(sequence.count) columns; PostgreSQL allows at most \(DefinitionFile.maximumColumns) in a table"
                )
            }
            let columns = try sequence.map(column)
            var names = Set<String>()
            for (column, node) in zip(columns, sequence) where !names.insert(column.name).inserted {
                throw fail(node, "duplicate column '\(column.name)'")
            }
            return TableDefinition(
                schema: try values["schema"].flatMap { try string($0, "schema") } ?? "public",
                table: try requiredString(values["table"], "table", in: node, "the definition"),
                graphqlType: try values["graphql_type"].flatMap { try string($0, "graphql_type") },
                label: try values["label"].flatMap { try string($0, "label") },
                description: try values["description"].flatMap { try string($0, "description") },
                columns: columns)
        }

        func column(_ node: Node) throws -> ColumnDefinition {
            let fields = try mapping(node, "a column", allowed: ColumnDefinition.CodingKeys.allCases.map(\.rawValue))
            let values = Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0.value) })
            let name = try requiredString(values["name"], "name", in: node, "a column")
            var nullable: Bool?
            if let node = values["nullable"], DefinitionFile.tagName(node) != .null {
                guard DefinitionFile.tagName(node) == .bool, let value = node.bool else {
                    throw fail(node, "'nullable' of column '\(name)' must be true or false")
                }
                nullable = value
            }
            var position: Int?
            if let node = values["position"], DefinitionFile.tagName(node) != .null {
                guard DefinitionFile.tagName(node) == .int, let value = node.int else {
                    throw fail(node, "'position' of column '\(name)' must be a whole number")
                }
                position = value
            }
            var rules: JSONValue?
            if let node = values["validation_rules"], DefinitionFile.tagName(node) != .null {
                let value = try json(node)
                guard value.isObject else {
                    throw fail(node, "'validation_rules' of column '\(name)' must be a JSON object, such as {max_length: 255}")
                }
                rules = value
            }
            return ColumnDefinition(
                name: name, type: try requiredString(values["type"], "type", in: node, "column '\(name)'"),
                label: try values["label"].flatMap { try string($0, "label") },
                graphqlField: try values["graphql_field"].flatMap { try string($0, "graphql_field") },
                nullable: nullable, validationRules: rules, position: position)
        }

        func json(_ node: Node) throws -> JSONValue {
            if case .alias = node { throw fail(node, "aliases are not allowed in definitions") }
            return try YAMLJSON.value(node, fail: fail)
        }
    }
}
