import Foundation

/// The built-in PostgreSQL types the generators know, each with one rendering per target.
///
/// | PostgreSQL | GraphQL | TypeScript | JSON Schema |
/// | --- | --- | --- | --- |
/// | boolean | Boolean | boolean | boolean |
/// | smallint, integer | Int | number | integer (with the type's range) |
/// | bigint | BigInt (custom scalar, a decimal string: GraphQL's Int is 32 bits) | string (a JSON number loses digits past 2^53) | integer (`row_to_json` writes a number) |
/// | numeric, decimal, money | Decimal (custom scalar) | string | number (money: string) |
/// | real, double precision | Float | number | number |
/// | text, varchar(n), char(n), name, citext | String | string | string (maxLength n) |
/// | uuid | UUID | string | string, format uuid |
/// | timestamp with time zone | DateTime | string | string, format date-time |
/// | timestamp (without time zone) | LocalDateTime | string | string (no offset, so no format) |
/// | date | Date | string | string, format date |
/// | time, time with time zone, interval | String | string | string |
/// | json, jsonb | JSON | Json | any value |
/// | bytea | Bytes | string | string, pattern `^\\x[0-9a-f]*$` (`row_to_json`'s hex form) |
/// | inet, cidr, macaddr, tsvector, xml, geometric, range and bit types, … | String | string | string |
/// | T[] | [T] | (T \| null)[] | array of T or null |
/// | an enum | enum | a union of string literals | enum of its values |
/// | a domain | its base type | a named alias of its base type | its base type with the constraints that map |
/// | a composite type | an object type | an interface | an object |
/// | anything else | JSON | unknown | any value, with a warning |
enum CodegenScalar: String, CaseIterable, Sendable {
    case boolean, int16, int32, bigint, numeric, money, float, text, uuid, timestamptz, timestamp, date, time, json, bytea

    /// The GraphQL scalar declared in the output, or nil for a built-in one.
    var customGraphQLName: String? {
        switch self {
        case .bigint: "BigInt"
        case .numeric, .money: "Decimal"
        case .uuid: "UUID"
        case .timestamptz: "DateTime"
        case .timestamp: "LocalDateTime"
        case .date: "Date"
        case .json: "JSON"
        case .bytea: "Bytes"
        default: nil
        }
    }

    var graphQLName: String {
        switch self {
        case .boolean: "Boolean"
        case .int16, .int32: "Int"
        case .float: "Float"
        case .text, .time: "String"
        default: customGraphQLName!
        }
    }

    /// The description of a custom scalar, saying how its values are written.
    var scalarDescription: String {
        switch self {
        case .bigint: "A 64-bit integer (PostgreSQL bigint), serialized as a decimal string."
        case .numeric, .money: "An exact decimal number (PostgreSQL numeric), serialized as a string."
        case .uuid: "A UUID in its canonical text form."
        case .timestamptz: "A point in time with a UTC offset (PostgreSQL timestamp with time zone), RFC 3339."
        case .timestamp: "A date and time without a time zone (PostgreSQL timestamp), ISO 8601."
        case .date: "A calendar date, ISO 8601 (YYYY-MM-DD)."
        case .json: "Any JSON value (PostgreSQL json or jsonb)."
        case .bytea: "Binary data (PostgreSQL bytea), in PostgreSQL's hex form \\x…."
        default: ""
        }
    }

    var typeScript: String {
        switch self {
        case .boolean: "boolean"
        case .int16, .int32, .float: "number"
        case .json: "Json"
        default: "string"
        }
    }

    /// The JSON Schema keywords for a value as `row_to_json` writes it.
    var jsonSchema: [(String, OrderedJSON)] {
        switch self {
        case .boolean: [("type", .string("boolean"))]
        case .int16: [("type", .string("integer")), ("minimum", .int(-32768)), ("maximum", .int(32767))]
        case .int32: [("type", .string("integer")), ("minimum", .int(-2_147_483_648)), ("maximum", .int(2_147_483_647))]
        case .bigint: [("type", .string("integer"))]
        case .numeric, .float: [("type", .string("number"))]
        case .money, .text, .time, .timestamp: [("type", .string("string"))]
        case .uuid: [("type", .string("string")), ("format", .string("uuid"))]
        case .timestamptz: [("type", .string("string")), ("format", .string("date-time"))]
        case .date: [("type", .string("string")), ("format", .string("date"))]
        case .json: []
        case .bytea: [("type", .string("string")), ("pattern", .string("^\\\\x[0-9a-f]*$"))]
        }
    }
}

/// A column's type, resolved against the built-in scalars and the project's user types.
indirect enum CodegenType: Equatable, Sendable {
    case scalar(CodegenScalar, maxLength: Int?)
    /// An enum, domain or composite type, by its key in `CodegenInput.types`.
    case user(String)
    case array(CodegenType)
    /// A type the mapping does not know, by its PostgreSQL name.
    case unknown(String)
}

/// Parses `format_type` text into a `CodegenType`.
enum CodegenTypeMapping {
    static func resolve(_ text: String?, types: [String: CodegenUserType]) -> CodegenType {
        guard var name = text?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { return .unknown("unknown") }
        if name.hasSuffix("[]") {
            name.removeLast(2)
            while name.hasSuffix("[]") { name.removeLast(2) }
            return .array(resolve(name, types: types))
        }
        if types[name] != nil { return .user(name) }
        var modifier: Int?
        if let open = name.firstIndex(of: "("), let close = name.lastIndex(of: ")"), open < close {
            let inside = name[name.index(after: open)..<close]
            modifier = Int(inside.split(separator: ",").first?.trimmingCharacters(in: .whitespaces) ?? "")
            name = (String(name[..<open]) + String(name[name.index(after: close)...])).trimmingCharacters(in: .whitespaces)
            name = name.replacingOccurrences(of: "  ", with: " ")
        }
        let bare = name.lowercased().split(separator: ".").last.map(String.init) ?? name.lowercased()
        if let scalar = scalars[bare] {
            let lengthed = ["character varying", "varchar", "character", "char", "bpchar"].contains(bare)
            return .scalar(scalar, maxLength: lengthed ? modifier : nil)
        }
        if textual.contains(bare) || bare.hasSuffix("range") || bare.hasSuffix("multirange") { return .scalar(.text, maxLength: nil) }
        return .unknown(text ?? name)
    }

    private static let scalars: [String: CodegenScalar] = [
        "boolean": .boolean, "bool": .boolean,
        "smallint": .int16, "int2": .int16, "smallserial": .int16,
        "integer": .int32, "int": .int32, "int4": .int32, "serial": .int32, "oid": .int32,
        "bigint": .bigint, "int8": .bigint, "bigserial": .bigint,
        "numeric": .numeric, "decimal": .numeric, "money": .money,
        "real": .float, "float4": .float, "double precision": .float, "float8": .float,
        "text": .text, "character varying": .text, "varchar": .text, "character": .text, "char": .text, "bpchar": .text,
        "name": .text, "citext": .text, "\"char\"": .text,
        "uuid": .uuid,
        "timestamp with time zone": .timestamptz, "timestamptz": .timestamptz,
        "timestamp without time zone": .timestamp, "timestamp": .timestamp,
        "date": .date,
        "time without time zone": .time, "time": .time, "time with time zone": .time, "timetz": .time, "interval": .time,
        "json": .json, "jsonb": .json,
        "bytea": .bytea,
    ]

    /// Types `row_to_json` writes as a string and that have no closer rendering.
    private static let textual: Set<String> = [
        "inet", "cidr", "macaddr", "macaddr8", "tsvector", "tsquery", "xml", "point", "line", "lseg", "box", "path", "polygon",
        "circle", "bit", "bit varying", "varbit", "pg_lsn", "txid_snapshot", "pg_snapshot", "regclass", "regtype", "regproc",
    ]
}
