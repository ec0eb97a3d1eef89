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
        var writer = JSONTextWriter()
        writer.write(self, level: 0)
        writer.bytes.append(UInt8(ascii: "\n"))
        return writer.bytes
    }
}

/// Writes `OrderedJSON` as bytes, laid out like Foundation's `JSONWriter` in pretty-printed mode.
private struct JSONTextWriter {
    var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(4096)
    }

    mutating func write(_ value: OrderedJSON, level: Int) {
        switch value {
        case .object(let fields):
            open(UInt8(ascii: "{"), count: fields.count)
            if let order = Self.sortedKeepingLast(fields) {
                for (position, index) in order.enumerated() { field(fields[index], position: position, level: level + 1) }
            } else {
                for (position, pair) in fields.enumerated() { field(pair, position: position, level: level + 1) }
            }
            close(UInt8(ascii: "}"), level: level)
        case .array(let values):
            open(UInt8(ascii: "["), count: values.count)
            for (position, element) in values.enumerated() {
                separate(position, level: level + 1)
                write(element, level: level + 1)
            }
            close(UInt8(ascii: "]"), level: level)
        case .string(let text):
            string(text)
        case .int(let number):
            bytes.append(contentsOf: String(number).utf8)
        case .double(let number):
            let rounded = (number * 1000).rounded() / 1000
            guard rounded.isFinite else { return bytes.append(contentsOf: "null".utf8) }
            var text = rounded.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            bytes.append(contentsOf: text.utf8)
        case .bool(let flag):
            bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null:
            bytes.append(contentsOf: "null".utf8)
        }
    }

    /// One `"key" : value` of an object.
    mutating func field(_ pair: (String, OrderedJSON), position: Int, level: Int) {
        separate(position, level: level)
        string(pair.0)
        bytes.append(UInt8(ascii: " "))
        bytes.append(UInt8(ascii: ":"))
        bytes.append(UInt8(ascii: " "))
        write(pair.1, level: level)
    }

    /// The positions of the fields to write, sorted by key bytes; of a repeated key only the last.
    /// Nil when the fields are already in that order, as most objects are built: a search answer
    /// has thousands of them, and each would otherwise cost an array.
    static func sortedKeepingLast(_ fields: [(String, OrderedJSON)]) -> [Int]? {
        if zip(fields, fields.dropFirst()).allSatisfy({ $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }) {
            return nil
        }
        let sorted = fields.indices.sorted { left, right in
            let (a, b) = (fields[left].0, fields[right].0)
            return a == b ? left < right : a.utf8.lexicographicallyPrecedes(b.utf8)
        }
        return sorted.enumerated().compactMap { position, index in
            position + 1 < sorted.count && fields[sorted[position + 1]].0 == fields[index].0 ? nil : index
        }
    }

    mutating func open(_ bracket: UInt8, count: Int) {
        bytes.append(bracket)
        bytes.append(UInt8(ascii: "\n"))
    }

    mutating func separate(_ position: Int, level: Int) {
        if position > 0 {
            bytes.append(UInt8(ascii: ","))
            bytes.append(UInt8(ascii: "\n"))
        }
        indent(level)
    }

    mutating func close(_ bracket: UInt8, level: Int) {
        bytes.append(UInt8(ascii: "\n"))
        indent(level)
        bytes.append(bracket)
    }

    mutating func indent(_ level: Int) {
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * level))
    }

    /// A quoted string with JSON's escapes; `/` and everything from U+0080 on are written as they are.
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most text needs no escape: scanned and copied in one piece, from the string's own storage.
        let copied = text.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied == true { return bytes.append(UInt8(ascii: "\"")) }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0c: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0a: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0d: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xf)],
                ])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
