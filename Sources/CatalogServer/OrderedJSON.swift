import CatalogCore
import Foundation

/// A JSON value whose objects keep their keys in the order given; encoded with sorted keys, as the CLI does.
indirect enum OrderedJSON: Sendable, Equatable, Encodable {
    case object([(String, OrderedJSON)])
    case array([OrderedJSON])
    case string(String)
    case int(Int)
    /// Encoded rounded to three decimals, like the CLI's numbers.
    case double(Double)
    case bool(Bool)
    case null

    static func == (lhs: OrderedJSON, rhs: OrderedJSON) -> Bool {
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

    /// Writes the value with the same rules as the CLI's `--format json`.
    func encode(to encoder: Encoder) throws {
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
    static func text(_ value: String?) -> OrderedJSON { value.map(OrderedJSON.string) ?? .null }

    /// An integer, or null.
    static func number(_ value: Int?) -> OrderedJSON { value.map(OrderedJSON.int) ?? .null }

    /// A boolean, or null.
    static func flag(_ value: Bool?) -> OrderedJSON { value.map(OrderedJSON.bool) ?? .null }

    /// A timestamp in ISO 8601, UTC, to the second (the CLI's format), or null.
    static func timestamp(_ date: Date?) -> OrderedJSON { date.map { .string($0.formatted(.iso8601)) } ?? .null }

    /// A list of strings.
    static func strings(_ values: [String]) -> OrderedJSON { .array(values.map(OrderedJSON.string)) }
}

extension OrderedJSON {
    /// The catalog's own JSON values (definitions, validation rules, sync fields), as API JSON.
    init(_ value: JSONValue) {
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
