import Testing

@testable import CatalogCore

/// `QuotedYAML` writes what Yams (libyaml) writes for the same document, byte for byte: checked on
/// fixed shapes and on many random documents with awkward strings.
@Suite("QuotedYAML matches Yams")
struct QuotedYAMLTests {
    static func direct(_ value: OrderedJSON) -> String? { QuotedYAML.document(value, plainKey: OpenAPIGenerator.isPlainKey) }

    /// Whether a key somewhere is one libyaml writes as a complex key (so `QuotedYAML` leaves it to Yams).
    static func hasComplexKey(_ value: OrderedJSON) -> Bool {
        switch value {
        case .object(let fields):
            fields.contains { key, field in
                key.utf8.count > 128 || key.unicodeScalars.contains { [0x0A, 0x0D, 0x85, 0x2028, 0x2029].contains($0.value) }
                    || hasComplexKey(field)
            }
        case .array(let values): values.contains(where: hasComplexKey)
        default: false
        }
    }

    /// `QuotedYAML` writes Yams's bytes, or leaves a document with a complex key to Yams; answers whether it wrote.
    @discardableResult
    static func matches(_ value: OrderedJSON) -> Bool {
        guard let text = direct(value) else {
            #expect(hasComplexKey(value), "\(value)")
            return false
        }
        #expect(text == OpenAPIGenerator.yams(value), "\(value)")
        return true
    }

    @Test("nesting: sequences in mappings, mappings in sequences, sequences in sequences, empty collections")
    func shapes() {
        let values: [OrderedJSON] = [
            .object([]),
            .array([]),
            .array([.int(1), .array([.string("a"), .array([]), .object([])]), .object([("k", .null), ("l", .array([.bool(true)]))])]),
            .object([
                ("paths", .object([])), ("list", .array([.object([("$ref", .string("#/x")), ("y", .string("Y"))]), .object([])])),
                ("nested", .object([("deeper", .object([("enum", .array([.string("a"), .null, .double(1.5), .int(-3)]))]))])),
                ("VAT number", .string("x")), ("true", .bool(false)), ("2nd", .int(2)), ("", .string("")),
            ]),
        ]
        for value in values {
            #expect(Self.direct(value) == OpenAPIGenerator.yams(value), "\(value)")
        }
    }

    @Test("strings: quotes, backslashes, control characters, line breaks, non-ASCII, BOM, astral characters")
    func strings() {
        let texts = [
            "plain", "say \"hi\"", "back\\slash", "tab\there", "line\nbreak", "cr\r", "nul\u{0}", "bell\u{7}", "esc\u{1B}", "del\u{7F}",
            "nel\u{85}", "nbsp\u{A0}", "c1\u{9F}", "ümlaut", "ls\u{2028}ps\u{2029}", "bom\u{FEFF}", "private\u{E000}", "fffd\u{FFFD}",
            "nonchar\u{FFFE}\u{FFFF}", "emoji 😀", "surrogate-edge \u{D7FF}", "  leading and trailing  ", "a: b", "- dash", "#hash",
            "{flow}", "[seq]", "'single'", "%percent", "@at", "`tick`", "null", "~", "123", "1e5", "",
        ]
        let keys = texts.filter { !$0.contains("\n") && !$0.contains("\r") && !$0.contains("\u{85}") && !$0.contains("\u{2028}") }
        let document = OrderedJSON.object(
            texts.enumerated().map { ("k\($0.offset)", .string($0.element)) } + [("list", .strings(texts))] + [
                ("keys", .object(keys.map { ($0, .int(1)) }))
            ])
        #expect(Self.matches(document))
    }

    @Test("a key libyaml writes as a complex key, and a number that is not finite, go to Yams")
    func fallback() {
        #expect(Self.direct(.object([(String(repeating: "k", count: 129), .int(1))])) == nil)
        #expect(Self.direct(.object([("two\nlines", .int(1))])) == nil)
        #expect(Self.direct(.object([("n", .double(.infinity))])) == nil)
        #expect(
            Self.direct(.object([(String(repeating: "k", count: 128), .int(1))]))
                == OpenAPIGenerator.yams(.object([(String(repeating: "k", count: 128), .int(1))])))
    }

    @Test("random documents")
    func random() {
        var generator = SeededGenerator(seed: 18)
        let alphabet: [String] = ["a", "Z", "_", "$", "1", " ", "\"", "\\", "\n", "\t", "ü", "😀", "\u{85}", "\u{2028}", "-", ":", "#", "\u{FEFF}"]
        func text() -> String {
            (0..<Int.random(in: 0...6, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
        }
        func value(_ depth: Int) -> OrderedJSON {
            switch Int.random(in: 0...(depth > 3 ? 4 : 6), using: &generator) {
            case 0: return .string(text())
            case 1: return .int(Int.random(in: -1000...1000, using: &generator))
            case 2: return .double(Double(Int.random(in: -5000...5000, using: &generator)) / 8)
            case 3: return [.bool(true), .bool(false), .null].randomElement(using: &generator)!
            case 4: return .string(["id", "true", "No", "y", "x1", "1x"].randomElement(using: &generator)!)
            case 5: return .array((0..<Int.random(in: 0...3, using: &generator)).map { _ in value(depth + 1) })
            default:
                let keys = (0..<Int.random(in: 0...3, using: &generator)).map { index in
                    Bool.random(using: &generator) ? text() : ["id", "type", "$ref", "on", "Yes", "9a"][index]
                }
                return .object(keys.map { ($0, value(depth + 1)) })
            }
        }
        var written = 0
        for _ in 0..<600 where Self.matches(value(0)) { written += 1 }
        #expect(written > 300)
    }
}

/// A small deterministic generator (SplitMix64), so a failure can be run again.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
