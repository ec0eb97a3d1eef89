import Foundation

/// The index columns of many projects as integer codes into one table of distinct texts, with only
/// what whole-fleet checks compare (no GraphQL field, no position). A fleet repeats a few thousand
/// names, tables and types hundreds of thousands of times: each text is kept once, and checks group
/// and compare codes instead of strings. One array per field, one element per column.
public struct CodedColumns: Sendable {
    /// The code of no value (SQL NULL).
    public static let none: Int32 = 0

    /// Code → text; `texts[0]` stands for no value.
    public private(set) var texts: [String] = [""]
    public private(set) var project: [Int32] = []
    public private(set) var schema: [Int32] = []
    public private(set) var table: [Int32] = []
    public private(set) var kind: [Int32] = []
    public private(set) var name: [Int32] = []
    public private(set) var type: [Int32] = []
    public private(set) var label: [Int32] = []
    public private(set) var description: [Int32] = []
    public private(set) var validationRules: [Int32] = []
    /// `is_nullable`: 1 nullable, 0 NOT NULL, -1 unknown.
    public private(set) var nullable: [Int8] = []
    /// Text → code.
    private var codes: [String: Int32] = [:]

    public init() {}

    /// Codes the given columns (for tests and small inputs; the store codes its rows as it reads them).
    public init(_ columns: [IndexedColumn]) {
        reserve(columns.count)
        for column in columns {
            append(
                project: intern(column.project), schema: intern(column.schema), table: intern(column.table), kind: intern(column.kind),
                name: intern(column.name), type: intern(column.type), label: intern(column.label), description: intern(column.description),
                validationRules: intern(column.validationRules), nullable: column.isNullable.map { $0 ? 1 : 0 } ?? -1)
        }
    }

    /// How many columns there are.
    public var count: Int { name.count }

    /// The text of a code, nil for `none`.
    public func text(_ code: Int32) -> String? { code == Self.none ? nil : texts[Int(code)] }

    /// The code of a text, nil when no column holds it.
    public func code(of text: String) -> Int32? {
        codes[text]
    }

    /// The code of a text, added to the table when it is new (a check that needs a name no column has).
    public mutating func intern(_ text: String?) -> Int32 {
        guard let text else { return Self.none }
        if let code = codes[text] { return code }
        let code = Int32(texts.count)
        texts.append(text)
        codes[text] = code
        return code
    }

    /// Column `index` spelled out (without the fields that are not kept).
    public func column(_ index: Int) -> IndexedColumn {
        var column = IndexedColumn(
            schema: text(schema[index]), table: text(table[index]) ?? "", kind: text(kind[index]), name: text(name[index]) ?? "",
            type: text(type[index]), graphqlField: nil, label: text(label[index]), description: text(description[index]),
            isNullable: nullable[index] < 0 ? nil : nullable[index] == 1, validationRules: text(validationRules[index]), position: nil)
        column.project = text(project[index]) ?? ""
        return column
    }

    mutating func reserve(_ count: Int) {
        for field in [\Self.project, \.schema, \.table, \.kind, \.name, \.type, \.label, \.description, \.validationRules]
            as [WritableKeyPath<Self, [Int32]>]
        {
            self[keyPath: field].reserveCapacity(count)
        }
        nullable.reserveCapacity(count)
    }

    mutating func append(
        project: Int32, schema: Int32, table: Int32, kind: Int32, name: Int32, type: Int32, label: Int32, description: Int32,
        validationRules: Int32, nullable: Int8
    ) {
        self.project.append(project)
        self.schema.append(schema)
        self.table.append(table)
        self.kind.append(kind)
        self.name.append(name)
        self.type.append(type)
        self.label.append(label)
        self.description.append(description)
        self.validationRules.append(validationRules)
        self.nullable.append(nullable)
    }

    /// Sets the text table of codes handed out by a `TextInterner`.
    mutating func setTexts(_ texts: [String]) {
        self.texts = texts
        codes = Dictionary(texts.enumerated().dropFirst().map { ($1, Int32($0)) }, uniquingKeysWith: { first, _ in first })
    }
}

/// Hands out one code per distinct byte string, without making a `String` for a text it has seen:
/// the store codes each row's texts straight from SQLite's buffers. Open addressing over FNV-1a.
struct TextInterner {
    private var bytes: [UInt8] = []
    /// Per code: where its bytes start and end in `bytes`, and their hash. Code 0 is no value.
    private var starts: [Int] = [0]
    private var ends: [Int] = [0]
    private var hashes: [UInt64] = [0]
    /// Hash slot → code, 0 when the slot is free; the count is a power of two.
    private var slots = [Int32](repeating: 0, count: 4096)

    /// The code of these bytes, new or known.
    mutating func code(_ text: UnsafeRawBufferPointer) -> Int32 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let code = Int(slots[slot])
            if code == 0 { break }
            if hashes[code] == hash && ends[code] - starts[code] == text.count && equal(code, text) { return Int32(code) }
            slot = (slot + 1) & mask
        }
        let code = Int32(starts.count)
        starts.append(bytes.count)
        bytes.append(contentsOf: text)
        ends.append(bytes.count)
        hashes.append(hash)
        slots[slot] = code
        if starts.count * 2 > slots.count { grow() }
        return code
    }

    /// Whether `code` stands for these bytes.
    func holds(_ code: Int32, _ text: UnsafeRawBufferPointer) -> Bool {
        let code = Int(code)
        return ends[code] - starts[code] == text.count && equal(code, text)
    }

    private func equal(_ code: Int, _ text: UnsafeRawBufferPointer) -> Bool {
        bytes.withUnsafeBytes { all in
            text.isEmpty || memcmp(all.baseAddress! + starts[code], text.baseAddress!, text.count) == 0
        }
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for code in 1..<starts.count {
            var slot = Int(truncatingIfNeeded: hashes[code]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(code)
        }
    }

    /// Code → text, `texts[0]` empty for no value.
    var texts: [String] {
        (0..<starts.count).map { code in String(decoding: bytes[starts[code]..<ends[code]], as: UTF8.self) }
    }
}
