import Foundation

/// A PostgreSQL type name as `format_type` prints it, so that `varchar(255)` written in a shared
/// definition and `character varying(255)` read from a database compare equal, and so that two
/// types that differ only in their length or precision are told apart from two different types.
struct LintTypeName: Hashable, Comparable {
    /// The type as PostgreSQL prints it.
    let text: String

    init(_ written: String) {
        text = Self.normalized(written)
    }

    /// The type without its modifiers: `character varying(255)[]` → `character varying[]`.
    var base: String {
        var result = ""
        var depth = 0
        for character in text {
            if character == "(" {
                depth += 1
            } else if character == ")" {
                depth -= 1
            } else if depth == 0 {
                result.append(character)
            }
        }
        return result
    }

    static func < (lhs: LintTypeName, rhs: LintTypeName) -> Bool { lhs.text < rhs.text }

    /// Short spellings PostgreSQL accepts, and the names it prints for them.
    private static let aliases: [String: String] = [
        "varchar": "character varying", "char": "character", "bpchar": "character", "int": "integer", "int4": "integer",
        "int8": "bigint", "int2": "smallint", "bool": "boolean", "float8": "double precision", "float4": "real",
        "float": "double precision", "decimal": "numeric", "timestamptz": "timestamp with time zone",
        "timestamp": "timestamp without time zone", "timetz": "time with time zone", "time": "time without time zone",
        "varbit": "bit varying", "serial": "integer", "bigserial": "bigint", "smallserial": "smallint",
    ]

    static func normalized(_ written: String) -> String {
        let trimmed = written.trimmingCharacters(in: .whitespaces).lowercased()
        var array = ""
        var body = Substring(trimmed)
        while body.hasSuffix("[]") {
            array += "[]"
            body = body.dropLast(2)
        }
        var name = body
        var modifier = Substring("")
        if let open = body.firstIndex(of: "("), body.hasSuffix(")") || body.contains(") ") {
            name = body[..<open]
            modifier = body[open...]
        }
        let bare = name.trimmingCharacters(in: .whitespaces)
        guard let printed = aliases[bare] else { return trimmed }
        // timestamp(3) → timestamp(3) without time zone, as format_type prints it.
        if printed.hasPrefix("timestamp ") || printed.hasPrefix("time "), let space = printed.firstIndex(of: " ") {
            return printed[..<space] + modifier + printed[space...] + array
        }
        return printed + modifier + array
    }
}
