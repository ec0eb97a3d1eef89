/// `validation_rules` turned into JSON Schema keywords (also used by OpenAPI). Both spellings of a
/// rule are read (`max_length` and `maxLength`); a rule that does not map becomes a warning, never
/// silently dropped.
///
/// | rule | keyword |
/// | --- | --- |
/// | min_length, minLength | minLength |
/// | max_length, maxLength | maxLength (the smaller of it and varchar(n)) |
/// | pattern, regex | pattern |
/// | format: email, uri (url), uuid, date-time (datetime), date, time, ipv4, ipv6, hostname | format |
/// | minimum (min), maximum (max), exclusive_minimum, exclusive_maximum | minimum, maximum, exclusiveMinimum, exclusiveMaximum |
/// | enum (one_of, values) | enum |
struct CodegenRules: Equatable {
    var keywords: [(String, OrderedJSON)] = []
    var warnings: [CodegenWarning] = []
    /// The rules as written (sorted keys), for documentation; nil when there are none.
    var canonical: String?

    static func == (lhs: CodegenRules, rhs: CodegenRules) -> Bool {
        lhs.keywords.map(\.0) == rhs.keywords.map(\.0) && lhs.keywords.map(\.1) == rhs.keywords.map(\.1) && lhs.warnings == rhs.warnings
    }

    private static let names: [String: String] = [
        "min_length": "minLength", "minlength": "minLength", "max_length": "maxLength", "maxlength": "maxLength",
        "pattern": "pattern", "regex": "pattern", "format": "format", "minimum": "minimum", "min": "minimum",
        "maximum": "maximum", "max": "maximum", "exclusive_minimum": "exclusiveMinimum", "exclusiveminimum": "exclusiveMinimum",
        "exclusive_maximum": "exclusiveMaximum", "exclusivemaximum": "exclusiveMaximum", "enum": "enum", "one_of": "enum",
        "oneof": "enum", "values": "enum",
    ]

    private static let formats: [String: String] = [
        "email": "email", "uri": "uri", "url": "uri", "uuid": "uuid", "date-time": "date-time", "datetime": "date-time",
        "date": "date", "time": "time", "ipv4": "ipv4", "ipv6": "ipv6", "hostname": "hostname",
    ]

    /// Parses a column's rules; `where` names the row (`schema.table.column`) in warnings and errors.
    static func parse(_ text: String?, where row: String) throws -> CodegenRules {
        guard let text, !text.isEmpty else { return CodegenRules() }
        let value: JSONValue
        do { value = try JSONValue(json: text) } catch {
            throw CatalogError(.refused, "validation_rules of \(row) is not valid JSON; fix that row of _metadata.mappings_column")
        }
        if case .null = value { return CodegenRules() }
        guard case .object(let fields) = value else {
            throw CatalogError(.refused, "validation_rules of \(row) is not a JSON object; make it an object such as {\"max_length\": 255}")
        }
        var rules = CodegenRules()
        if !fields.isEmpty { rules.canonical = value.canonicalText }
        for key in fields.keys.sorted() {
            let rule = fields[key]!
            guard let keyword = names[key.lowercased()] else {
                rules.warnings.append(CodegenWarning("\(row): validation rule \"\(key)\" has no JSON Schema keyword; it is not enforced"))
                continue
            }
            if let mapped = map(keyword, rule) {
                rules.keywords.append((keyword, mapped))
            } else {
                rules.warnings.append(
                    CodegenWarning("\(row): validation rule \"\(key)\" has a value that does not map (\(rule.canonicalText)); it is not enforced"))
            }
        }
        return rules
    }

    private static func map(_ keyword: String, _ rule: JSONValue) -> OrderedJSON? {
        switch (keyword, rule) {
        case ("minLength", .number(let number)), ("maxLength", .number(let number)):
            number >= 0 && number.rounded() == number ? .int(Int(number)) : nil
        case ("pattern", .string(let pattern)): .string(pattern)
        case ("format", .string(let format)): formats[format.lowercased()].map(OrderedJSON.string)
        case ("minimum", .number), ("maximum", .number), ("exclusiveMinimum", .number), ("exclusiveMaximum", .number): OrderedJSON(rule)
        case ("enum", .array(let values)) where !values.isEmpty: OrderedJSON(rule)
        default: nil
        }
    }

    /// Stands for the row in warnings of rules parsed once and shared by many columns.
    static let rowPlaceholder = "\u{1}row\u{1}"

    /// The same rules with `rowPlaceholder` in the warnings replaced by `row`.
    func naming(_ row: String) -> CodegenRules {
        guard !warnings.isEmpty else { return self }
        var named = self
        named.warnings = warnings.map { warning in
            let message = warning.message
            // Warnings start with the row; anything else takes the slower, general replacement.
            if message.hasPrefix(Self.rowPlaceholder), !message.dropFirst(Self.rowPlaceholder.count).contains("\u{1}") {
                return CodegenWarning(row + message.dropFirst(Self.rowPlaceholder.count))
            }
            return CodegenWarning(message.replacingOccurrences(of: Self.rowPlaceholder, with: row))
        }
        return named
    }

    /// The rule's value for `keyword`, if any.
    func value(_ keyword: String) -> OrderedJSON? { keywords.first { $0.0 == keyword }?.1 }
}
