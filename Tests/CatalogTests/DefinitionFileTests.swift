@testable import CatalogCore
import CatalogTestSupport
import Foundation
import Testing

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
        let definition = TableDefinition(table: "t", label: "true", columns: [
            ColumnDefinition(name: "123", type: "text", label: "null", validationRules: .object(["x": .string("1.5"), "y": .number(2)])),
        ])
        #expect(try DefinitionFile.parse(DefinitionFile.yaml(definition), file: "q.yaml") == definition)
    }

    @Test("bad files are refused with the file, line and key named", arguments: [
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
