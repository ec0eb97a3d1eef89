import CatalogTestSupport
import Foundation
import Testing

@testable import CatalogCore

@Suite("Shared definition files")
struct DefinitionFileTests {
    @Test("the fixture definitions parse and round-trip exactly through YAML and JSON", arguments: ["users.yaml", "users-v2.yaml", "settings.yaml"])
    func roundTrips(_ file: String) throws {
        let text = try String(contentsOf: Fixtures.url("definitions/\(file)"), encoding: .utf8)
        let definition = try DefinitionFile.parse(text, file: file)
        #expect(DefinitionFile.yaml(definition) == text)
        #expect(try DefinitionFile.parse(DefinitionFile.yaml(definition), file: "again.yaml") == definition)
        let json = DefinitionFile.json(definition)
        #expect(try DefinitionFile.parse(json, file: "as.json") == definition)
        #expect(DefinitionFile.json(try DefinitionFile.parse(json, file: "as.json")) == json)
        #expect(try DefinitionFile.fromStorage(DefinitionFile.storageText(definition)) == definition)
    }

    @Test("text that looks like another type stays text")
    func quotedScalars() throws {
        let definition = TableDefinition(
            table: "t", label: "true",
            columns: [
                ColumnDefinition(name: "123", type: "text", label: "null", validationRules: .object(["x": .string("1.5"), "y": .number(2)]))
            ])
        #expect(try DefinitionFile.parse(DefinitionFile.yaml(definition), file: "q.yaml") == definition)
    }

    @Test(
        "bad files are refused with the file, line and key named",
        arguments: [
            ("table: users\ncolumns:\n- name: id\n  type: [unclosed\n", "bad.yaml:", "syntax error"),
            ("table: users\ncolour: red\ncolumns: []\n", "bad.yaml:2:", "unknown key 'colour'"),
            ("table: users\ncolumns:\n- type: text\n", "bad.yaml:3:", "missing 'name'"),
            ("table: users\ncolumns:\n- name: id\n  type: int\n- name: id\n  type: int\n", "bad.yaml:5:", "duplicate column 'id'"),
            ("table: users\ncolumns:\n- name: id\n  type: int\n  validation_rules: [1, 2]\n", "bad.yaml:5:", "must be a JSON object"),
            ("table: users\ncolumns:\n- name: id\n  type: int\n  nullable: maybe\n", "bad.yaml:5:", "'nullable' of column 'id'"),
            ("table: users\ncolumns:\n- name: id\n  type: int\n  position: first\n", "bad.yaml:5:", "whole number"),
            ("table: 42\ncolumns: []\n", "bad.yaml:1:", "'table' must be text"),
            ("columns: []\n", "bad.yaml:1:", "missing 'table'"),
            ("table: users\ncolumns: {id: int}\n", "bad.yaml:2:", "'columns' must be a list"),
            ("", "bad.yaml", "empty"),
        ])
    func refusesBadFiles(text: String, location: String, message: String) {
        #expect {
            try DefinitionFile.parse(text, file: "bad.yaml")
        } throws: { error in
            let description = "\(error)"
            return description.hasPrefix(location) && description.contains(message) && !description.contains("\n")
        }
    }
}

@Suite("Definition files: hostile input")
struct DefinitionFileLimitTests {
    /// A "billion laughs" file: `levels` nested lists of nine aliases each.
    static func aliasBomb(levels: Int, asKey: Bool = false) -> String {
        var text =
            "table: users\ncolumns:\n- name: id\n  type: int\n  validation_rules:\n    l0: &l0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for level in 1..<levels {
            text += "    l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ",") + "]\n"
        }
        if asKey { text += "    big: {? *l\(levels - 1) : 1}\n" }
        return text
    }

    @Test(
        "anchors and aliases are refused before anything is expanded, in one line",
        arguments: [
            (aliasBomb(levels: 4), 6),
            (aliasBomb(levels: 12), 6),
            (aliasBomb(levels: 12, asKey: true), 6),
            ("table: users\ncolumns:\n- &c\n  name: id\n  type: int\n- *c\n", 3),
            ("table: users\nlabel: &l Users\ndescription: *l\ncolumns: []\n", 2),
            ("table: users\ncolumns:\n- name: id\n  type: int\n  validation_rules:\n    base: &b {max: 1}\n    <<: *b\n", 6),
        ])
    func refusesAliases(text: String, line: Int) {
        let started = Date()
        #expect {
            try DefinitionFile.parse(text, file: "bomb.yaml")
        } throws: { error in
            let description = "\(error)"
            return description == "bomb.yaml:\(line): YAML anchors and aliases (&name, *name) are not allowed in definitions; write each value out"
        }
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test("text that merely contains & and * is still text")
    func ampersandsInText() throws {
        let definition = try DefinitionFile.parse(
            "table: users\nlabel: \"&not an anchor\"\ndescription: 'a *b & c'\ncolumns:\n- name: id\n  type: int\n  label: R&D *\n", file: "ok.yaml")
        #expect(definition.label == "&not an anchor" && definition.description == "a *b & c" && definition.columns[0].label == "R&D *")
    }

    @Test("a definition may have PostgreSQL's 1,600 columns, not one more")
    func columnLimit() throws {
        func file(_ count: Int) -> String {
            "table: wide\ncolumns:\n" + (1...count).map { "- {name: c\($0), type: int}\n" }.joined()
        }
        #expect(try DefinitionFile.parse(file(1600), file: "wide.yaml").columns.count == 1600)
        #expect {
            try DefinitionFile.parse(file(1601), file: "wide.yaml")
        } throws: { error in
            "\(error)" == "wide.yaml:3: the definition has 1601 columns; PostgreSQL allows at most 1600 in a table"
        }
    }

    @Test("an oversized file, or something that is not a regular file, is refused before it is read")
    func sizeLimit() throws {
        let directory = try TestWorkspace.temporaryDirectory()
        let big = directory.appendingPathComponent("big.yaml")
        try Data(("table: big\ndescription: \"" + String(repeating: "x", count: DefinitionFile.maximumBytes) + "\"\ncolumns: []\n").utf8).write(
            to: big)
        for path in [big.path, "/dev/zero", directory.path] {
            #expect {
                try DefinitionFile.read(path: path)
            } throws: { error in
                let text = "\(error)"
                return (text.contains("larger than 4 MiB") || text.contains("is not a regular file")) && !text.contains("\n")
            }
        }
    }
}
