/// Something JSON is written to, one event at a time: bytes (`JSONStream`) or a value
/// (`JSONTreeBuilder`). An answer's shape is written once, against this, and serves both: a large
/// answer streams straight to bytes, and code that adds fields around it gets a value.
///
/// Keys must come in the order they are to be printed, which is sorted by their UTF-8 bytes.
public protocol JSONSink: ~Copyable {
    mutating func beginObject()
    mutating func endObject()
    mutating func beginArray()
    mutating func endArray()
    /// A key written in the code: known to need no escapes.
    mutating func key(_ key: StaticString)
    mutating func value(_ value: OrderedJSON)
    mutating func string(_ text: String?)
    mutating func int(_ number: Int?)
    mutating func bool(_ flag: Bool?)
}

extension JSONSink where Self: ~Copyable {
    /// `"key" : value`.
    public mutating func field(_ key: StaticString, _ value: OrderedJSON) {
        self.key(key)
        self.value(value)
    }

    public mutating func field(_ key: StaticString, string text: String?) {
        self.key(key)
        string(text)
    }

    public mutating func field(_ key: StaticString, int number: Int?) {
        self.key(key)
        int(number)
    }

    public mutating func field(_ key: StaticString, bool flag: Bool?) {
        self.key(key)
        bool(flag)
    }
}

/// JSON as bytes, laid out exactly as `JSONEncoder` writes with `[.prettyPrinted, .sortedKeys,
/// .withoutEscapingSlashes]` (two-space indent, `"key" : value`, an empty container on two lines).
/// `OrderedJSON.renderedBytes` goes through it too, so there is one layout.
///
/// A search answer at N = 1000 is 1.4 MB in 42,000 keys and 37,000 strings, so every piece is
/// copied into one growing buffer with `memcpy`, not appended to an array byte by byte.
public struct JSONStream: JSONSink, ~Copyable {
    private var buffer: ByteWriter
    /// How deep the writer is, how many members the innermost open container has so far, and the
    /// counts of the containers around it (kept as scalars: this is touched for every key and value).
    private var depth = 0
    private var members = 0
    private var outerMembers: [Int] = []
    /// True between a key and its value, which then needs no separator.
    private var afterKey = false

    public init(capacity: Int = 4096) {
        buffer = ByteWriter(capacity: capacity)
    }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    public mutating func key(_ key: StaticString) {
        member()
        buffer.append(UInt8(ascii: "\""))
        buffer.append(key)
        buffer.append("\" : ")
        afterKey = true
    }

    private mutating func key(_ key: String) {
        member()
        quoted(key)
        buffer.append(" : ")
        afterKey = true
    }

    public mutating func value(_ value: OrderedJSON) {
        switch value {
        case .object(let fields):
            beginObject()
            if let order = Self.sortedKeepingLast(fields) {
                for index in order {
                    key(fields[index].0)
                    self.value(fields[index].1)
                }
            } else {
                for (key, value) in fields {
                    self.key(key)
                    self.value(value)
                }
            }
            endObject()
        case .array(let values):
            beginArray()
            for element in values { self.value(element) }
            endArray()
        case .string(let text): string(text)
        case .int(let number): int(number)
        case .double(let number):
            let rounded = (number * 1000).rounded() / 1000
            guard rounded.isFinite else { return raw("null") }
            var text = rounded.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            member()
            buffer.append(contentsOf: text)
        case .bool(let flag): bool(flag)
        case .null: raw("null")
        }
    }

    public mutating func string(_ text: String?) {
        guard let text else { return raw("null") }
        member()
        quoted(text)
    }

    public mutating func int(_ number: Int?) {
        guard let number else { return raw("null") }
        member()
        if (0..<10).contains(number) { return buffer.append(UInt8(ascii: "0") + UInt8(number)) }
        buffer.append(contentsOf: String(number))
    }

    public mutating func bool(_ flag: Bool?) {
        guard let flag else { return raw("null") }
        raw(flag ? "true" : "false")
    }

    /// The bytes, ended with a newline as the CLI prints them.
    public consuming func finished() -> [UInt8] {
        withFinishedBytes { Array($0) }
    }

    /// The bytes ended with a newline, handed to `body` in place: a large answer is written out
    /// without being copied into an array first.
    public consuming func withFinishedBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        buffer.append(UInt8(ascii: "\n"))
        return try buffer.withBytes(body)
    }

    // MARK: Layout

    /// Starts a value: after a key nothing, in an array a separator and the indent.
    private mutating func member() {
        if afterKey {
            afterKey = false
            return
        }
        guard depth > 0 else { return }
        if members > 0 { buffer.append(",\n") }
        members += 1
        buffer.append(repeating: UInt8(ascii: " "), count: 2 * depth)
    }

    private mutating func open(_ bracket: UInt8) {
        member()
        buffer.append(bracket)
        buffer.append(UInt8(ascii: "\n"))
        outerMembers.append(members)
        members = 0
        depth += 1
    }

    private mutating func close(_ bracket: UInt8) {
        members = outerMembers.removeLast()
        depth -= 1
        buffer.append(UInt8(ascii: "\n"))
        buffer.append(repeating: UInt8(ascii: " "), count: 2 * depth)
        buffer.append(bracket)
    }

    private mutating func raw(_ text: StaticString) {
        member()
        buffer.append(text)
    }

    /// A quoted string with JSON's escapes; `/` and everything from U+0080 on are written as they are.
    private mutating func quoted(_ text: String) {
        buffer.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Most text needs no escape: copied in runs between the bytes that do.
            var start = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    buffer.append(UnsafeBufferPointer(rebasing: utf8[start..<index]))
                    escape(byte)
                    start = index + 1
                }
                index += 1
            }
            buffer.append(UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        buffer.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): buffer.append("\\\"")
        case UInt8(ascii: "\\"): buffer.append("\\\\")
        case 0x08: buffer.append("\\b")
        case 0x0c: buffer.append("\\f")
        case 0x0a: buffer.append("\\n")
        case 0x0d: buffer.append("\\r")
        case 0x09: buffer.append("\\t")
        default:
            let hex: StaticString = "0123456789abcdef"
            buffer.append("\\u00")
            hex.withUTF8Buffer { digits in
                buffer.append(digits[Int(byte >> 4)])
                buffer.append(digits[Int(byte & 0xf)])
            }
        }
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
}

/// Builds the `OrderedJSON` value that the same events describe.
public struct JSONTreeBuilder: JSONSink {
    private enum Open {
        case object([(String, OrderedJSON)], key: String?)
        case array([OrderedJSON])
    }

    private var stack: [Open] = []
    /// The finished value, once the outermost container is closed (or a lone value written).
    public private(set) var result: OrderedJSON = .null

    public init() {}

    public mutating func beginObject() { stack.append(.object([], key: nil)) }
    public mutating func beginArray() { stack.append(.array([])) }

    public mutating func endObject() {
        guard case .object(let fields, _) = stack.removeLast() else { preconditionFailure("endObject without beginObject") }
        value(.object(fields))
    }

    public mutating func endArray() {
        guard case .array(let values) = stack.removeLast() else { preconditionFailure("endArray without beginArray") }
        value(.array(values))
    }

    public mutating func key(_ key: StaticString) {
        guard case .object(let fields, _)? = stack.popLast() else { preconditionFailure("a key outside an object") }
        stack.append(.object(fields, key: "\(key)"))
    }

    public mutating func value(_ value: OrderedJSON) {
        // Taken off the stack while it grows, so that appending never copies it.
        switch stack.popLast() {
        case nil: result = value
        case .array(var values)?:
            values.append(value)
            stack.append(.array(values))
        case .object(var fields, let key)?:
            guard let key else { preconditionFailure("a value without a key") }
            fields.append((key, value))
            stack.append(.object(fields, key: nil))
        }
    }

    public mutating func string(_ text: String?) { value(.text(text)) }
    public mutating func int(_ number: Int?) { value(.number(number)) }
    public mutating func bool(_ flag: Bool?) { value(.flag(flag)) }
}
