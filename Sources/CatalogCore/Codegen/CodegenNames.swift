/// The naming rules every generator shares, so a type or field has one name in all four outputs.
///
/// - A table's type is its `graphql_type` when set (it must be a valid GraphQL name), else the shared
///   definition's name or the table name in PascalCase (`order_items` → `OrderItems`).
/// - A field is its `graphql_field` when set, else the column name in camelCase (`Full Name` → `fullName`).
/// - Characters outside `[A-Za-z0-9_]` split words; a name that starts with a digit gets a leading `_`;
///   a name that starts with `__` (reserved by GraphQL) loses one `_`.
/// - Collisions are resolved in a fixed order: explicit names claim first, then tables in `public`,
///   then the other schemas by name. A later claimant takes its schema's PascalCase as a prefix
///   (`SalesContacts`), and then a number (`Contacts2`). Each resolution is reported as a warning.
/// - Type names never take a name the outputs themselves use: GraphQL's built-in scalars, the custom
///   scalars, `Query`, `Json`, and TypeScript's primitive type names.
enum CodegenNames {
    /// Names no table or user type may take.
    static let reservedTypeNames: Set<String> = Set([
        "Query", "Mutation", "Subscription", "Int", "Float", "String", "Boolean", "ID", "Json", "Array", "Object",
        "any", "bigint", "boolean", "never", "null", "number", "object", "string", "symbol", "undefined", "unknown", "void",
    ]).union(CodegenScalar.allCases.compactMap(\.customGraphQLName))

    static func isValidGraphQLName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !name.hasPrefix("__") else { return false }
        return isNameStart(first) && name.unicodeScalars.allSatisfy(isNameContinue)
    }

    private static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    private static func isNameContinue(_ scalar: Unicode.Scalar) -> Bool { isNameStart(scalar) || ("0"..."9").contains(scalar) }

    /// The words of a name: runs of letters and digits, split at every other character.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for scalar in text.unicodeScalars {
            if isNameContinue(scalar) && scalar != "_" {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// `order_items` → `OrderItems`; `Email Templates` → `EmailTemplates`.
    static func pascalCase(_ text: String) -> String {
        valid(words(text).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(), fallback: "Type")
    }

    /// `created_at` → `createdAt`; `Full Name` → `fullName`; `ID` → `id`.
    static func camelCase(_ text: String) -> String {
        let parts = words(text)
        guard let first = parts.first else { return valid("", fallback: "field") }
        let head = first == first.uppercased() ? first.lowercased() : first.prefix(1).lowercased() + first.dropFirst()
        return valid(head + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(), fallback: "field")
    }

    /// Makes any text a valid GraphQL name (and so a valid TypeScript identifier) by the documented rule.
    static func valid(_ text: String, fallback: String) -> String {
        var name = String(String.UnicodeScalarView(text.unicodeScalars.map { isNameContinue($0) ? $0 : "_" }))
        if name.isEmpty { name = fallback }
        if let first = name.unicodeScalars.first, ("0"..."9").contains(first) { name = "_" + name }
        while name.hasPrefix("__") { name.removeFirst() }
        return name.isEmpty ? fallback : name
    }
}

/// Hands out unique names from one namespace, in the order claims arrive, and reports each rename.
struct NameAllocator {
    private(set) var taken: Set<String>
    var warnings: [CodegenWarning] = []

    init(reserved: Set<String> = []) { taken = reserved }

    /// Claims `wanted`, or `prefix + wanted`, or the first free `wanted2`, `wanted3`, ….
    mutating func claim(_ wanted: String, prefix: String? = nil, what: String) -> String {
        if taken.insert(wanted).inserted { return wanted }
        var candidates: [String] = []
        if let prefix, !prefix.isEmpty { candidates.append(prefix + wanted) }
        for candidate in candidates where taken.insert(candidate).inserted {
            warnings.append(CodegenWarning("\(what): the name \(wanted) is taken; using \(candidate)"))
            return candidate
        }
        var number = 2
        while !taken.insert("\(wanted)\(number)").inserted { number += 1 }
        warnings.append(CodegenWarning("\(what): the name \(wanted) is taken; using \(wanted)\(number)"))
        return "\(wanted)\(number)"
    }
}
