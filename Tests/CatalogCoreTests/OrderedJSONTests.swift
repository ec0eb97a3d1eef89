import CatalogCore
import CatalogStore
import Foundation
import Testing

/// `OrderedJSON.rendered` writes JSON directly; these pin it byte for byte to what Foundation's
/// JSONEncoder writes with the same options, which is what the CLI and the API promised before.
@Suite("JSON output")
struct OrderedJSONTests {
    static func encoded(_ value: OrderedJSON) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    @Test(
        "the direct writer and JSONEncoder agree",
        arguments: [
            OrderedJSON.null, .bool(true), .int(-42), .string(""), .array([]), .object([]),
            .string("quote \" backslash \\ slash / tab \t newline \n return \r bell \u{07} escape \u{1B} unit \u{1F} del \u{7F}"),
            .string("Unicode: é 名前 🐘 \u{2028}"),
            .array([.double(0), .double(1.5), .double(2), .double(-3.25), .double(0.001), .double(1234567.8915), .double(1e20), .double(0.1 + 0.2)]),
            .object([
                ("zeta", .int(1)), ("alpha", .array([.object([]), .array([.null])])), ("Beta", .bool(false)), ("a_b", .null), ("aB", .null),
                ("a", .null),
            ]),
            .object([("same", .int(1)), ("other", .int(2)), ("same", .int(3))]),
            .object([("outer", .object([("inner", .object([("deep", .array([.string("x"), .object([("k", .string("v"))])]))]))]))]),
        ])
    func agreesWithJSONEncoder(_ value: OrderedJSON) throws {
        #expect(value.rendered == (try Self.encoded(value)))
    }

    @Test("a whole search answer is written as JSONEncoder writes it, streamed or built")
    func searchAnswer() throws {
        let fleet = try SharedFleet.fleet()
        let result = try fleet.catalog.search(try SearchQuery(.column, name: "e", match: .contains), cached: true)
        #expect(result.matches.count > 10)
        let now = Date()
        let document = SearchJSON.document(result, target: .column, now: now, advice: { "\($0)" })
        #expect(document.rendered == (try Self.encoded(document)))
        // The CLI streams the same answer to bytes without building the value.
        let streamed = SearchJSON.renderedBytes(result, target: .column, now: now, advice: { "\($0)" })
        #expect(String(decoding: streamed, as: UTF8.self) == document.rendered)
    }

    @Test("timestamps are written exactly as Foundation's ISO 8601 format writes them")
    func timestampsAgreeWithFoundation() {
        var generator = SystemRandomNumberGenerator()
        var dates = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -0.5), Date(timeIntervalSince1970: 951_782_400),  // 2000-02-29
            Date(timeIntervalSince1970: 4_107_542_399.999), Date(timeIntervalSince1970: 1_764_740_695.083), Date(timeIntervalSinceReferenceDate: 0),
        ]
        for _ in 0..<20_000 { dates.append(Date(timeIntervalSince1970: Double.random(in: -2_000_000_000...5_000_000_000, using: &generator))) }
        for _ in 0..<5_000 { dates.append(Date(timeIntervalSince1970: Double(Int.random(in: 0...4_000_000_000, using: &generator)))) }
        for date in dates {
            #expect(UTCTimestamp.format(date) == date.formatted(.iso8601), "\(date.timeIntervalSince1970)")
        }
    }

    @Test("a stream grows its buffer without losing or reordering bytes")
    func streamGrows() {
        var stream = JSONStream(capacity: 8)
        stream.beginArray()
        stream.string("one")
        stream.string(String(repeating: "x", count: 10_000) + "\"")
        stream.int(2)
        stream.endArray()
        let expected = "[\n  \"one\",\n  \"" + String(repeating: "x", count: 10_000) + "\\\"\",\n  2\n]\n"
        #expect(String(decoding: stream.finished(), as: UTF8.self) == expected)
    }

    @Test("a stream of megabytes lives in a mapping of its own, and keeps every byte as it grows past one")
    func mappedStreamGrows() {
        // 1 MB asked for: a 2 MB mapping. 3 MB of strings: one move into a 4 MB mapping, and a munmap.
        var stream = JSONStream(capacity: 1 << 20)
        stream.beginArray()
        let pieces = (0..<3_000).map { index in String(repeating: Character(UnicodeScalar(UInt8(97 + index % 26))), count: 1_000) }
        for piece in pieces { stream.string(piece) }
        stream.endArray()
        let expected = "[\n" + pieces.map { "  \"\($0)\"" }.joined(separator: ",\n") + "\n]\n"
        let written = stream.finished()
        #expect(written.count == expected.utf8.count)
        #expect(String(decoding: written, as: UTF8.self) == expected)
    }

    @Test("answers are ordered by UTF-8 bytes, as SQLite and PostgreSQL's C collation order them")
    func byteOrder() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "b", "B", "_", "é", "e\u{301}", "名", "🐘", "\u{0}", "z"]
        var words = ["", "a", "ab", "a\u{0}", "B", "é"]
        for _ in 0..<400 {
            words.append(String((0..<Int.random(in: 0...5, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        for left in words.prefix(120) {
            for right in words {
                let expected: Bool? = Array(left.utf8) == Array(right.utf8) ? nil : Array(left.utf8).lexicographicallyPrecedes(Array(right.utf8))
                #expect(ByteOrder.precedes(left, right) == expected, "\(left.debugDescription) \(right.debugDescription)")
            }
        }
        #expect(ByteOrder.precedes(nil, "") == true)
        #expect(ByteOrder.precedes("", nil) == false)
        #expect(ByteOrder.precedes(nil, nil) == nil)
    }
}
