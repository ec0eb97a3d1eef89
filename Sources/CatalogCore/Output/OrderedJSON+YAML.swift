import Yams

extension OrderedJSON {
    /// The same value as YAML, keys in the order given (`describe --format yaml`). Text is quoted
    /// wherever YAML would otherwise read it as something else.
    public var yaml: String {
        (try? Yams.serialize(node: node, width: -1, allowUnicode: true)) ?? ""
    }

    private var node: Node {
        switch self {
        case .object(let fields): return .mapping(Node.Mapping(fields.map { (Node($0.0), $0.1.node) }))
        case .array(let values): return .sequence(Node.Sequence(values.map(\.node)))
        case .string(let text): return Node(text, Tag(.str))
        case .int(let number): return Node(String(number), Tag(.int))
        case .double(let number): return Node(String((number * 1000).rounded() / 1000), Tag(.float))
        case .bool(let flag): return Node(flag ? "true" : "false", Tag(.bool))
        case .null: return Node("null", Tag(.null))
        }
    }
}
