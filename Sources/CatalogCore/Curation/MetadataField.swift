import Foundation

/// A human field of `_metadata`: what a person (or a shared definition) chooses, never what a scan reads.
/// The raw value is the column of `_metadata.mappings_table` or `mappings_column` that holds it.
public enum MetadataField: String, Sendable, Codable, CaseIterable, Comparable {
    case label
    case description
    /// A relation's GraphQL type name.
    case graphqlType = "graphql_type"
    /// A column's GraphQL field name.
    case graphqlField = "graphql_field"
    /// A column's `validation_rules`, a JSON object.
    case validationRules = "validation_rules"

    /// Whether a relation (false) or a column (true) has this field.
    public func applies(toColumn: Bool) -> Bool {
        switch self {
        case .label, .description: true
        case .graphqlType: !toColumn
        case .graphqlField, .validationRules: toColumn
        }
    }

    /// The fields of a relation, or of a column, in the order people read them.
    public static func fields(forColumn: Bool) -> [MetadataField] { allCases.filter { $0.applies(toColumn: forColumn) } }

    /// Checks a value a person gives and turns it into what is stored: text as it is, validation
    /// rules as a JSON object. Nothing invalid ever reaches a database.
    public func value(from text: String) throws -> JSONValue {
        switch self {
        case .label, .description:
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw CatalogError(.badInput, "the \(rawValue) is empty; give some text, or unset the \(rawValue) instead")
            }
            return .string(text)
        case .graphqlType, .graphqlField:
            guard Self.isGraphQLName(text) else {
                throw CatalogError(
                    .badInput,
                    "'\(text)' is not a valid GraphQL name for \(rawValue): use letters, digits and underscores, not starting with a digit or '__' (such as \(self == .graphqlType ? "Customer" : "emailAddress"))"
                )
            }
            return .string(text)
        case .validationRules:
            let value: JSONValue
            do {
                value = try JSONValue(json: text)
            } catch {
                throw CatalogError(.badInput, "validation_rules '\(text)' is not valid JSON; give a JSON object such as {\"maxLength\": 254}")
            }
            guard value.isObject else {
                throw CatalogError(.badInput, "validation_rules must be a JSON object, such as {\"maxLength\": 254}, not '\(text)'")
            }
            return value
        }
    }

    /// GraphQL's Name: `/[_A-Za-z][_0-9A-Za-z]*/`; names starting with `__` are reserved for introspection.
    public static func isGraphQLName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !text.hasPrefix("__") else { return false }
        let letters = CharacterSet(charactersIn: "_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let rest = letters.union(CharacterSet(charactersIn: "0123456789"))
        return letters.contains(first) && text.unicodeScalars.allSatisfy { rest.contains($0) }
    }

    public static func < (lhs: MetadataField, rhs: MetadataField) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One field's new value; nil unsets it.
public struct FieldEdit: Sendable, Equatable {
    public var field: MetadataField
    public var value: JSONValue?

    public init(field: MetadataField, value: JSONValue?) {
        self.field = field
        self.value = value
    }

    /// The edits of `metadata set` and `unset`: each value checked, each field named once.
    public static func validated(set values: [MetadataField: String], unset: [MetadataField] = []) throws -> [FieldEdit] {
        if let both = unset.first(where: { values[$0] != nil }) {
            throw CatalogError(.badInput, "\(both.rawValue) is both set and unset; give it once")
        }
        let set = try values.map { FieldEdit(field: $0.key, value: try $0.key.value(from: $0.value)) }
        let edits = (set + Set(unset).map { FieldEdit(field: $0, value: nil) }).sorted { $0.field < $1.field }
        guard !edits.isEmpty else {
            throw CatalogError(.badInput, "nothing to change: give at least one field (label, description, GraphQL name or validation rules)")
        }
        return edits
    }

    /// The edits of a JSON patch (`PATCH` on a relation or column): each key a field, null unsets it;
    /// `validation_rules` may be an object or its JSON text.
    public static func validated(patch: [String: JSONValue]) throws -> [FieldEdit] {
        var values: [MetadataField: String] = [:]
        var unset: [MetadataField] = []
        for (key, value) in patch {
            guard let field = MetadataField(rawValue: key) else {
                let known = MetadataField.allCases.map(\.rawValue).joined(separator: ", ")
                throw CatalogError(.badInput, "unknown field '\(key)'; the fields are \(known)")
            }
            switch value {
            case .null: unset.append(field)
            case .string(let text): values[field] = text
            case .object where field == .validationRules: values[field] = value.canonicalText
            default: throw CatalogError(.badInput, "\(key) must be text\(field == .validationRules ? " or a JSON object" : ""), or null to unset it")
            }
        }
        return try validated(set: values, unset: unset)
    }

    /// Refuses a field the target does not have (a GraphQL type on a column, validation rules on a relation).
    static func check(_ edits: [FieldEdit], column: Bool) throws {
        if let wrong = edits.first(where: { !$0.field.applies(toColumn: column) }) {
            let kind = column ? "a column" : "a relation"
            let fields = MetadataField.fields(forColumn: column).map(\.rawValue).joined(separator: ", ")
            throw CatalogError(.badInput, "\(kind) has no \(wrong.field.rawValue); \(kind)'s fields are \(fields)")
        }
    }
}
