import Foundation

/// A JSON value, for `validation_rules`: compared by value, not by text, so `{"a":1}` from a YAML
/// file and `{"a": 1}` from PostgreSQL's jsonb are the same rules.
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        if case .object = self {} else { return try encodeScalarOrArray(to: encoder) }
        try encodeObject(to: encoder)
    }

    private func encodeObject(to encoder: Encoder) throws {
        guard case .object(let value) = self else { return }
        // Keys in sorted order, so YAML and JSON output are stable.
        var keyed = encoder.container(keyedBy: Key.self)
        for key in value.keys.sorted() { try keyed.encode(value[key], forKey: Key(stringValue: key)) }
    }

    private func encodeScalarOrArray(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object: break
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Parses JSON text, such as PostgreSQL's output for a jsonb value.
    public init(json text: String) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// Compact JSON with sorted keys: the form bound into PostgreSQL and used in hashes.
    public var canonicalText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "null"
    }

    public var isObject: Bool {
        if case .object = self { return true }
        return false
    }
}
