import Foundation

/// How a name is matched.
public enum MatchMode: String, Sendable, CaseIterable {
    case exact, contains, prefix, regex
}

/// A validated search for columns or tables by name. Invalid input is refused before any connection.
public struct SearchQuery: Sendable, Equatable {
    /// What is searched.
    public enum Target: String, Sendable {
        case column, table
    }

    public var target: Target
    public var name: String
    public var match: MatchMode
    public var ignoreCase: Bool

    public init(_ target: Target, name: String, match: MatchMode = .exact, ignoreCase: Bool = false) throws {
        guard !name.isEmpty else {
            throw CatalogError.usage("the \(target.rawValue) name to search for is empty; give a name such as 'email', or use --match contains")
        }
        if match == .regex {
            do {
                _ = try NSRegularExpression(pattern: name)
            } catch {
                throw CatalogError("'\(name)' is not a valid regular expression; check its brackets and escapes (see https://www.postgresql.org/docs/current/functions-matching.html)")
            }
        }
        self.target = target
        self.name = name
        self.match = match
        self.ignoreCase = ignoreCase
    }

    /// The condition on `expression` that PostgreSQL evaluates, with the name bound as `$1`.
    func postgresCondition(on expression: String) -> String {
        let value = ignoreCase ? "lower(\(expression))" : expression
        let name = ignoreCase ? "lower($1)" : "$1"
        switch match {
        case .exact: return "\(value) = \(name)"
        case .contains: return "strpos(\(value), \(name)) > 0"
        case .prefix: return "starts_with(\(value), \(name))"
        case .regex: return "\(expression) \(ignoreCase ? "~*" : "~") $1"
        }
    }

    /// The condition SQLite evaluates on the index (regex is filtered in Swift), and its arguments.
    func indexCondition(column: String) -> (sql: String, arguments: [String]) {
        let target = ignoreCase ? "name_folded" : column
        let name = ignoreCase ? self.name.lowercased() : self.name
        switch match {
        case .exact: return ("\(target) = ?", [name])
        case .contains: return ("instr(\(target), ?) > 0", [name])
        case .prefix: return ("substr(\(target), 1, length(?)) = ?", [name, name])
        case .regex: return ("1", [])
        }
    }

    /// Whether a name matches, evaluated in Swift (used for regex on the index).
    func matches(_ candidate: String) -> Bool {
        switch match {
        case .exact: return ignoreCase ? candidate.lowercased() == name.lowercased() : candidate == name
        case .contains: return ignoreCase ? candidate.lowercased().contains(name.lowercased()) : candidate.contains(name)
        case .prefix: return ignoreCase ? candidate.lowercased().hasPrefix(name.lowercased()) : candidate.hasPrefix(name)
        case .regex:
            guard let expression = try? NSRegularExpression(pattern: name, options: ignoreCase ? [.caseInsensitive] : []) else { return false }
            return expression.firstMatch(in: candidate, range: NSRange(candidate.startIndex..., in: candidate)) != nil
        }
    }
}
