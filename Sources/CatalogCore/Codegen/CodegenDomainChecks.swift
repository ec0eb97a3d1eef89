import Foundation

/// A domain's CHECK constraints, as `pg_get_constraintdef` writes them, turned into JSON Schema keywords
/// where the form is one of a few simple ones; the rest are returned to be reported.
///
/// | constraint | keyword |
/// | --- | --- |
/// | `VALUE ~ 'regex'` | pattern |
/// | `VALUE >= n`, `>`, `<=`, `<` | minimum, exclusiveMinimum, maximum, exclusiveMaximum |
/// | `char_length(VALUE)` or `length(VALUE)` `>=`/`<=` n | minLength, maxLength |
/// | `VALUE = ANY (ARRAY['a', 'b'])` | enum |
enum CodegenDomainChecks {
    static func keywords(_ checks: [String]) -> (keywords: [(String, OrderedJSON)], unmapped: [String]) {
        var keywords: [(String, OrderedJSON)] = []
        var unmapped: [String] = []
        for check in checks {
            if let mapped = map(check) { keywords += mapped } else { unmapped.append(check) }
        }
        return (keywords, unmapped)
    }

    private static func map(_ check: String) -> [(String, OrderedJSON)]? {
        var body = check.trimmingCharacters(in: .whitespaces)
        guard body.hasPrefix("CHECK ") else { return nil }
        body = String(body.dropFirst(6))
        while body.hasPrefix("("), body.hasSuffix(")"), balanced(String(body.dropFirst().dropLast())) { body = String(body.dropFirst().dropLast()) }
        if let pattern = match(#"^VALUE ~ '((?:[^']|'')*)'(?:::text)?$"#, body)?.first {
            return [("pattern", .string(pattern.replacingOccurrences(of: "''", with: "'")))]
        }
        if let parts = match(#"^\(?VALUE\)?(?:::\w+)? (>=|>|<=|<) \(?'?(-?[0-9.]+)'?\)?(?:::\w+)?$"#, body), let number = Double(parts[1]) {
            let keyword = ["": "", ">=": "minimum", ">": "exclusiveMinimum", "<=": "maximum", "<": "exclusiveMaximum"][parts[0]]!
            return [(keyword, OrderedJSON(JSONValue.number(number)))]
        }
        if let parts = match(#"^(?:char_length|length|character_length)\(\(?VALUE\)?(?:::text)?\) (>=|>|<=|<) (\d+)$"#, body),
            let number = Int(parts[1])
        {
            switch parts[0] {
            case ">=": return [("minLength", .int(number))]
            case ">": return [("minLength", .int(number + 1))]
            case "<=": return [("maxLength", .int(number))]
            default: return [("maxLength", .int(max(0, number - 1)))]
            }
        }
        if let list = match(#"^\(?VALUE\)?(?:::\w+)? = ANY \(\(?ARRAY\[(.*)\]\)?(?:::[\w ]+\[\])?\)$"#, body)?.first {
            var values: [OrderedJSON] = []
            let scanner = try! NSRegularExpression(pattern: #"'((?:[^']|'')*)'(?:::[\w ]+)?"#)
            let range = NSRange(list.startIndex..., in: list)
            for result in scanner.matches(in: list, range: range) {
                values.append(.string(String(list[Range(result.range(at: 1), in: list)!]).replacingOccurrences(of: "''", with: "'")))
            }
            return values.isEmpty ? nil : [("enum", .array(values))]
        }
        return nil
    }

    private static func balanced(_ text: String) -> Bool {
        var depth = 0
        for character in text {
            if character == "(" { depth += 1 }
            if character == ")" {
                depth -= 1
                if depth < 0 { return false }
            }
        }
        return depth == 0
    }

    private static func match(_ pattern: String, _ text: String) -> [String]? {
        let expression = try! NSRegularExpression(pattern: pattern)
        guard let result = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        return (1..<result.numberOfRanges).map { index in
            Range(result.range(at: index), in: text).map { String(text[$0]) } ?? ""
        }
    }
}
