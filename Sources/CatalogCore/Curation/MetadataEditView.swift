import Foundation
import Yams

/// The YAML view `metadata edit` opens in `$EDITOR`: one relation's human fields and each column's.
/// Reading it back checks every key and value and names the line that is wrong; the edit is what
/// differs between the view as shown and as saved, so fields nobody touched are never written.
public enum MetadataEditView {
    /// The view of a relation, with a header that says what may change.
    public static func render(_ description: RelationDescription) -> String {
        let summary = description.summary
        let relation = MetadataTarget(schema: summary.schema, table: summary.table)
        var pairs: [(Node, Node)] = [
            (key("relation"), quoted(relation.description)),
            (key("label"), quoted(summary.label)),
            (key("description"), quoted(summary.description)),
            (key("graphql_type"), quoted(summary.graphqlType)),
        ]
        let columns = description.columns.map { column -> (Node, Node) in
            let fields: [(Node, Node)] = [
                (key("label"), quoted(column.label)),
                (key("description"), quoted(column.description)),
                (key("graphql_field"), quoted(column.graphqlField)),
                (key("validation_rules"), column.validationRules.map(node) ?? null),
            ]
            return (key(column.name), Node.mapping(Node.Mapping(fields)))
        }
        pairs.append((key("columns"), Node.mapping(Node.Mapping(columns))))
        let header = """
            # catalog metadata edit \(description.project) \(relation)
            # Change labels, descriptions, GraphQL names and validation rules (a JSON object), then save and
            # close. ~ leaves a field empty. Columns cannot be renamed, added or removed here.

            """
        return header + ((try? Yams.serialize(node: .mapping(Node.Mapping(pairs)), width: -1, allowUnicode: true)) ?? "")
    }

    /// The edit between the view as shown (`original`) and as saved (`edited`); nil when nothing changed.
    /// An invalid file (YAML, a key, a value, a renamed column) is refused with its line, and nothing is written.
    public static func request(project: String, original: String, edited: String, file: String) throws -> MetadataEditRequest? {
        let before = try Reader(file: "(the view as shown)").read(original, columns: nil, relation: nil)
        let after = try Reader(file: file).read(edited, columns: Set(before.columns), relation: before.relation)
        var editsByTarget: [MetadataTarget: [FieldEdit]] = [:]
        for (target, fields) in after.values {
            let old = before.values[target] ?? [:]
            let changed = fields.filter { old[$0.key] != $0.value }
            if !changed.isEmpty {
                editsByTarget[target] = changed.map { FieldEdit(field: $0.key, value: $0.value) }.sorted { $0.field < $1.field }
            }
        }
        guard !editsByTarget.isEmpty else { return nil }
        return MetadataEditRequest(
            projects: ProjectSelection(names: [project]), selector: .relation(before.relation), edits: [], editsByTarget: editsByTarget,
            force: false, action: "metadata edit")
    }

    private static func key(_ text: String) -> Node {
        Node(text, .implicit, isPlainKey(text) ? .plain : .doubleQuoted)
    }

    private static var null: Node { Node("~", Tag(.null), .plain) }

    /// A key that YAML reads back as the same text when written plain.
    private static func isPlainKey(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, CharacterSet.letters.contains(first) || first == "_" else { return false }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_"))
        let reserved = ["true", "false", "yes", "no", "on", "off", "null", "y", "n"]
        return text.unicodeScalars.allSatisfy { allowed.contains($0) && $0.isASCII } && !reserved.contains(text.lowercased())
    }

    /// Text is always double-quoted, so a label such as `yes` or `123` reads back as text.
    private static func quoted(_ text: String?) -> Node {
        guard let text else { return null }
        return Node(text, Tag(.str), .doubleQuoted)
    }

    private static func node(_ value: JSONValue) -> Node {
        switch value {
        case .null: return null
        case .bool(let flag): return Node(flag ? "true" : "false", Tag(.bool), .plain)
        case .number: return Node(value.canonicalText, Tag(value.canonicalText.contains(".") ? .float : .int), .plain)
        case .string(let text): return quoted(text)
        case .array(let values): return Node.sequence(Node.Sequence(values.map(node), .implicit, .flow))
        case .object(let fields):
            return Node.mapping(Node.Mapping(fields.keys.sorted().map { (quoted($0), node(fields[$0]!)) }, .implicit, .flow))
        }
    }

    /// What one view holds.
    struct Contents {
        var relation: MetadataTarget
        var columns: [String]
        var values: [MetadataTarget: [MetadataField: JSONValue?]]
    }

    /// Reads a view back, checking keys, values and (against the view as shown) the relation and its columns.
    struct Reader {
        let file: String

        func fail(_ node: Node?, _ message: String) -> CatalogError {
            let line = node?.mark.map { ":\($0.line)" } ?? ""
            return CatalogError(.badInput, "\(file)\(line): \(message); nothing was written")
        }

        func read(_ text: String, columns known: Set<String>?, relation shown: MetadataTarget?) throws -> Contents {
            let root: Node?
            do {
                root = try Yams.compose(yaml: text)
            } catch let error as YamlError {
                throw CatalogError(.badInput, "\(file): \(DefinitionFile.describe(error)); fix the YAML and save again; nothing was written")
            }
            guard let root else { throw fail(nil, "the file is empty") }
            let top = try mapping(root, "the file", allowed: ["relation", "label", "description", "graphql_type", "columns"])
            guard let relationNode = top["relation"], let text = relationNode.string else { throw fail(root, "'relation' is missing") }
            let relation = try MetadataTarget(parsing: text)
            if let shown, relation != shown {
                throw fail(relationNode, "the relation is \(shown); it cannot be changed here")
            }
            var values: [MetadataTarget: [MetadataField: JSONValue?]] = [:]
            values[relation] = try fields(top, [.label, .description, .graphqlType])
            guard let columnsNode = top["columns"] else { throw fail(root, "'columns' is missing") }
            guard case .mapping(let columnPairs) = columnsNode else { throw fail(columnsNode, "'columns' must map each column to its fields") }
            var names: [String] = []
            for pair in columnPairs {
                guard let name = pair.key.string else { throw fail(pair.key, "a column name must be text") }
                if let known, !known.contains(name) {
                    throw fail(
                        pair.key, "column \"\(name)\" is not in \(relation); columns cannot be renamed or added here, only their fields edited")
                }
                let columnFields = try mapping(
                    pair.value, "column \"\(name)\"", allowed: ["label", "description", "graphql_field", "validation_rules"])
                values[MetadataTarget(schema: relation.schema, table: relation.table, column: name)] =
                    try fields(columnFields, [.label, .description, .graphqlField, .validationRules])
                names.append(name)
            }
            if let known, let missing = known.subtracting(names).sorted().first {
                throw fail(columnsNode, "column \"\(missing)\" is missing; keep every column (a renamed column is refused too)")
            }
            return Contents(relation: relation, columns: names, values: values)
        }

        private func mapping(_ node: Node, _ what: String, allowed: [String]) throws -> [String: Node] {
            guard case .mapping(let pairs) = node else { throw fail(node, "\(what) must be a mapping of keys to values") }
            var result: [String: Node] = [:]
            for pair in pairs {
                guard let key = pair.key.string, allowed.contains(key) else {
                    throw fail(pair.key, "unknown key '\(pair.key.string ?? "?")' in \(what); allowed keys: \(allowed.joined(separator: ", "))")
                }
                guard result[key] == nil else { throw fail(pair.key, "duplicate key '\(key)' in \(what)") }
                result[key] = pair.value
            }
            return result
        }

        private func fields(_ nodes: [String: Node], _ fields: [MetadataField]) throws -> [MetadataField: JSONValue?] {
            var values: [MetadataField: JSONValue?] = [:]
            for field in fields {
                guard let node = nodes[field.rawValue], DefinitionFile.tagName(node) != .null else {
                    values[field] = .some(nil)
                    continue
                }
                do {
                    if field == .validationRules {
                        let value = try json(node)
                        guard value.isObject else {
                            throw CatalogError(.badInput, "validation_rules must be a JSON object, such as {\"maxLength\": 254}")
                        }
                        values[field] = value
                    } else {
                        guard case .scalar = node, let text = node.string else { throw CatalogError(.badInput, "\(field.rawValue) must be text") }
                        values[field] = try field.value(from: text)
                    }
                } catch let error as CatalogError {
                    throw fail(node, error.message)
                }
            }
            return values
        }

        private func json(_ node: Node) throws -> JSONValue {
            try YAMLJSON.value(node, fail: fail)
        }
    }
}


extension Catalog {
    /// The YAML view of one relation's human fields, read live, for `metadata edit`.
    public func metadataEditView(_ project: String, relation: MetadataTarget, options: FanOutOptions = FanOutOptions()) throws -> String {
        MetadataEditView.render(try describeRelation(project, relation: relation.relation, options: options))
    }
}
