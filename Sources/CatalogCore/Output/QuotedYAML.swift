/// YAML in block style with every string double-quoted, written straight into bytes: the text libyaml
/// (through Yams) emits for the same value with `width: -1, allowUnicode: true`, a 2-space indent,
/// strings `.doubleQuoted`, keys plain where `plainKey` allows, and numbers, booleans and null plain.
/// A node tree and libyaml's event queue cost more than the rest of `generate openapi` together.
///
/// It covers what libyaml does for that subset: sequences inside a mapping are not indented, empty
/// collections are `{}` and `[]`, and a string escapes what libyaml escapes (`\n`, `\"`, `\\`, control
/// characters, U+0085, U+2028, U+2029, the BOM, U+FFFE/U+FFFF and everything past U+FFFF). A key
/// libyaml would write as a complex key (`? key`: longer than 128 bytes or holding a line break) and a
/// number that is not finite are outside it: `document` answers nil and the caller uses Yams.
enum QuotedYAML {
    static func document(_ value: OrderedJSON, plainKey: @escaping (String) -> Bool) -> String? {
        var writer = Writer(plainKey: plainKey)
        guard writer.node(value, indent: 0, context: .root) else { return nil }
        writer.bytes.append(UInt8(ascii: "\n"))
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private enum Context {
        /// The document itself: a collection starts at column 0.
        case root
        /// After `key:`: a scalar or an empty collection follows on the line, a mapping below, indented,
        /// and a sequence below, at the key's own indentation.
        case mappingValue
        /// After `- `: a scalar or the first key of a mapping follows on the line.
        case sequenceItem
    }

    private struct Writer {
        let plainKey: (String) -> Bool
        var bytes: [UInt8] = []

        init(plainKey: @escaping (String) -> Bool) {
            self.plainKey = plainKey
            bytes.reserveCapacity(1 << 16)
        }

        /// Writes one node; `indent` is the indentation of the collection that holds it.
        mutating func node(_ value: OrderedJSON, indent: Int, context: Context) -> Bool {
            switch value {
            case .object(let fields):
                guard !fields.isEmpty else {
                    space(context)
                    bytes.append(contentsOf: "{}".utf8)
                    return true
                }
                let inner = context == .root ? 0 : indent + 2
                for (position, (key, field)) in fields.enumerated() {
                    if position == 0 && context == .sequenceItem {
                        bytes.append(UInt8(ascii: " "))
                    } else if position > 0 || context != .root {
                        newline(inner)
                    }
                    guard key.utf8.count <= 128, !Self.hasBreak(key) else { return false }
                    if plainKey(key) { bytes.append(contentsOf: key.utf8) } else { quoted(key) }
                    bytes.append(UInt8(ascii: ":"))
                    guard node(field, indent: inner, context: .mappingValue) else { return false }
                }
                return true
            case .array(let values):
                guard !values.isEmpty else {
                    space(context)
                    bytes.append(contentsOf: "[]".utf8)
                    return true
                }
                // libyaml indents a sequence unless it is a mapping's value.
                let inner = context == .mappingValue ? indent : context == .root ? 0 : indent + 2
                for (position, element) in values.enumerated() {
                    if position == 0 && context == .sequenceItem {
                        bytes.append(UInt8(ascii: " "))
                    } else if position > 0 || context != .root {
                        newline(inner)
                    }
                    bytes.append(UInt8(ascii: "-"))
                    guard node(element, indent: inner, context: .sequenceItem) else { return false }
                }
                return true
            case .string(let text):
                space(context)
                quoted(text)
            case .int(let number):
                space(context)
                bytes.append(contentsOf: String(number).utf8)
            case .double(let number):
                guard number.isFinite else { return false }
                space(context)
                bytes.append(contentsOf: String(number).utf8)
            case .bool(let flag):
                space(context)
                bytes.append(contentsOf: (flag ? "true" : "false").utf8)
            case .null:
                space(context)
                bytes.append(contentsOf: "null".utf8)
            }
            return true
        }

        mutating func space(_ context: Context) {
            if context != .root { bytes.append(UInt8(ascii: " ")) }
        }

        mutating func newline(_ indent: Int) {
            bytes.append(UInt8(ascii: "\n"))
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
        }

        /// libyaml's double-quoted scalar, with `allowUnicode`: printable characters as they are.
        mutating func quoted(_ text: String) {
            bytes.append(UInt8(ascii: "\""))
            // Printable ASCII without `"` or `\\` is written as it is, in one piece.
            if text.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E && $0 != 0x22 && $0 != 0x5C }) {
                bytes.append(contentsOf: text.utf8)
                return bytes.append(UInt8(ascii: "\""))
            }
            for scalar in text.unicodeScalars {
                let value = scalar.value
                switch value {
                case 0x20...0x7E:
                    if value == 0x22 || value == 0x5C { bytes.append(UInt8(ascii: "\\")) }
                    bytes.append(UInt8(truncatingIfNeeded: value))
                case 0xA0...0xD7FF where value != 0x2028 && value != 0x2029,
                    0xE000...0xFFFD where value != 0xFEFF:
                    bytes.append(contentsOf: String(scalar).utf8)
                default:
                    escape(value)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }

        mutating func escape(_ value: UInt32) {
            bytes.append(UInt8(ascii: "\\"))
            let short: [UInt32: Character] = [
                0x00: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0A: "n", 0x0B: "v", 0x0C: "f", 0x0D: "r", 0x1B: "e",
                0x85: "N", 0x2028: "L", 0x2029: "P",
            ]
            if let letter = short[value] { return bytes.append(contentsOf: String(letter).utf8) }
            let width = value <= 0xFF ? 2 : value <= 0xFFFF ? 4 : 8
            bytes.append(UInt8(ascii: width == 2 ? "x" : width == 4 ? "u" : "U"))
            for shift in stride(from: (width - 1) * 4, through: 0, by: -4) {
                let digit = UInt8((value >> UInt32(shift)) & 0xF)
                bytes.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "A") + digit - 10)
            }
        }

        /// A line break as libyaml counts one: such a key is not a simple key.
        static func hasBreak(_ text: String) -> Bool {
            text.unicodeScalars.contains { [0x0A, 0x0D, 0x85, 0x2028, 0x2029].contains($0.value) }
        }
    }
}
