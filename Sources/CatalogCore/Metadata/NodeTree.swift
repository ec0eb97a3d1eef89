/// PostgreSQL's `pg_node_tree` text (`pg_rewrite.ev_action` and the like), read into a tree of nodes,
/// lists and atoms, the way the server's own `pg_strtok` splits it: tokens end at whitespace and at
/// `(`, `)`, `{`, `}`, which are tokens of their own, and a backslash keeps the next character in the
/// token. `<>` is an empty field. A `Const`'s datum (`:constvalue 4 [ 1 0 0 0 ]`) is skipped.
indirect enum NodeTree: Equatable {
    /// `{NAME :field value ...}`.
    case node(String, [String: NodeTree])
    /// `( ... )`, including typed lists such as `(i 1 2)`.
    case list([NodeTree])
    /// Anything else, as written (escapes kept).
    case atom(String)

    /// Parses the text; nil when it is not a node tree this reader understands.
    init?(_ text: String) {
        var parser = Parser(tokens: Self.tokens(text))
        guard let tree = parser.value(), parser.position == parser.tokens.count else { return nil }
        self = tree
    }

    subscript(field: String) -> NodeTree? {
        if case .node(_, let fields) = self { return fields[field] }
        return nil
    }

    var name: String? {
        if case .node(let name, _) = self { return name }
        return nil
    }

    var items: [NodeTree] {
        if case .list(let items) = self { return items }
        return []
    }

    var int: Int? {
        if case .atom(let text) = self { return Int(text) }
        return nil
    }

    /// True for `true`; false for anything else.
    var isTrue: Bool { self == .atom("true") }

    /// An empty field (`<>`) or an empty list.
    var isEmpty: Bool { self == .atom("<>") || self == .list([]) }

    static func tokens(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 }
        func isBracket(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")") || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "}")
        }
        var tokens: [String] = []
        var index = 0
        while index < bytes.count {
            if isSpace(bytes[index]) {
                index += 1
                continue
            }
            let first = index
            if isBracket(bytes[index]) {
                index += 1
            } else {
                while index < bytes.count, !isSpace(bytes[index]), !isBracket(bytes[index]) {
                    index += bytes[index] == UInt8(ascii: "\\") && index + 1 < bytes.count ? 2 : 1
                }
            }
            tokens.append(String(decoding: bytes[first..<index], as: UTF8.self))
        }
        return tokens
    }

    private struct Parser {
        let tokens: [String]
        var position = 0

        mutating func value() -> NodeTree? {
            guard position < tokens.count else { return nil }
            let token = tokens[position]
            position += 1
            switch token {
            case "{":
                guard position < tokens.count else { return nil }
                let name = String(tokens[position])
                position += 1
                var fields: [String: NodeTree] = [:]
                while position < tokens.count {
                    let next = tokens[position]
                    if next == "}" {
                        position += 1
                        return .node(name, fields)
                    }
                    guard next.hasPrefix(":"), next.count > 1 else {
                        // The rest of a field written as several tokens (a Const's datum bytes).
                        guard next != "{", next != "(", next != ")" else { return nil }
                        position += 1
                        continue
                    }
                    position += 1
                    guard let field = value() else { return nil }
                    fields[String(next.dropFirst())] = field
                }
                return nil
            case "(":
                var items: [NodeTree] = []
                while position < tokens.count {
                    if tokens[position] == ")" {
                        position += 1
                        return .list(items)
                    }
                    guard let item = value() else { return nil }
                    items.append(item)
                }
                return nil
            case "}", ")":
                return nil
            default:
                return .atom(String(token))
            }
        }
    }
}
