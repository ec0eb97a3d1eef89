import Foundation

/// A JSON value as catalog prints it, in the CLI's `--format json` and in the HTTP API alike.
///
/// Objects keep their fields in the order given, for reading the code; `rendered` writes them with
/// sorted keys, so scripts see a stable layout.
public indirect enum OrderedJSON: Sendable, Equatable, Encodable {
    case object([(String, OrderedJSON)])
    case array([OrderedJSON])
    case string(String)
    case int(Int)
    /// Encoded rounded to three decimals, like the CLI's numbers.
    case double(Double)
    case bool(Bool)
    case null

    public static func == (lhs: OrderedJSON, rhs: OrderedJSON) -> Bool {
        switch (lhs, rhs) {
        case (.object(let left), .object(let right)):
            left.count == right.count && zip(left, right).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let left), .array(let right)): left == right
        case (.string(let left), .string(let right)): left == right
        case (.int(let left), .int(let right)): left == right
        case (.double(let left), .double(let right)): left == right
        case (.bool(let left), .bool(let right)): left == right
        case (.null, .null): true
        default: false
        }
    }

    /// Encodes the value through `Codable`, with the same rules as `rendered`.
    public func encode(to encoder: Encoder) throws {
        switch self {
        case .object(let fields):
            var container = encoder.container(keyedBy: Key.self)
            for (key, value) in fields { try container.encode(value, forKey: Key(stringValue: key)) }
        case .array(let values):
            var container = encoder.unkeyedContainer()
            for value in values { try container.encode(value) }
        case .string(let text):
            var container = encoder.singleValueContainer()
            try container.encode(text)
        case .int(let number):
            var container = encoder.singleValueContainer()
            try container.encode(number)
        case .double(let number):
            var container = encoder.singleValueContainer()
            try container.encode((number * 1000).rounded() / 1000)
        case .bool(let flag):
            var container = encoder.singleValueContainer()
            try container.encode(flag)
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension OrderedJSON {
    /// A string, or null.
    public static func text(_ value: String?) -> OrderedJSON { value.map(OrderedJSON.string) ?? .null }

    /// An integer, or null.
    public static func number(_ value: Int?) -> OrderedJSON { value.map(OrderedJSON.int) ?? .null }

    /// A boolean, or null.
    public static func flag(_ value: Bool?) -> OrderedJSON { value.map(OrderedJSON.bool) ?? .null }

    /// A timestamp in ISO 8601, UTC, to the second (the CLI's format), or null.
    public static func timestamp(_ date: Date?) -> OrderedJSON { date.map { .string(UTCTimestamp.format($0)) } ?? .null }

    /// A list of strings.
    public static func strings(_ values: [String]) -> OrderedJSON { .array(values.map(OrderedJSON.string)) }
}

extension OrderedJSON {
    /// The catalog's own JSON values (definitions, validation rules, sync fields), as output JSON.
    public init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let number): self = number.rounded() == number && abs(number) < 1e15 ? .int(Int(number)) : .double(number)
        case .string(let text): self = .string(text)
        case .array(let values): self = .array(values.map(OrderedJSON.init))
        case .object(let fields): self = .object(fields.keys.sorted().map { ($0, OrderedJSON(fields[$0]!)) })
        }
    }
}

extension OrderedJSON {
    /// The text `JSONEncoder` writes with `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]`
    /// (keys sorted by their UTF-8 bytes, the last of a repeated key kept), and a final newline.
    /// Written directly: several times faster than going through `Codable` on a large answer.
    /// A number that is not finite is written as null (JSONEncoder refuses it).
    public var rendered: String { String(decoding: renderedBytes, as: UTF8.self) }

    /// `rendered` as UTF-8 bytes, for writing out without another copy (a search answer at
    /// N = 1000 is 1.4 MB).
    public var renderedBytes: [UInt8] {
        var stream = JSONStream()
        stream.value(self)
        return stream.finished()
    }
}
