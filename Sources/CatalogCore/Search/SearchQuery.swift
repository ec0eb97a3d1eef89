import CatalogStore
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
    /// The parsed pattern, for `.regex`.
    public private(set) var regex: PostgresRegex?

    public init(_ target: Target, name: String, match: MatchMode = .exact, ignoreCase: Bool = false) throws {
        guard !name.isEmpty else {
            throw CatalogError(.badInput, "the \(target.rawValue) name to search for is empty", remedy: .giveSearchName)
        }
        if match == .regex {
            do {
                regex = try PostgresRegex(name)
            } catch {
                throw CatalogError(
                    "'\(name)' is not a valid regular expression in PostgreSQL's dialect: \(error.syntax ?? "unreadable"); check its brackets and escapes (see https://www.postgresql.org/docs/current/functions-matching.html#POSIX-SYNTAX-DETAILS)"
                )
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

    /// The names the index returns for this search. Regular expressions and `--ignore-case` read
    /// every name and leave the test to `nameTest(for:)`, which follows each database's ctype.
    var indexFilter: IndexNameFilter {
        guard match != .regex, !ignoreCase else { return .all }
        switch match {
        case .exact: return .exact(name)
        case .contains: return .contains(name)
        case .prefix: return .prefix(name)
        case .regex: return .all
        }
    }

    /// Refuses, with one line, a pattern the index cannot evaluate as PostgreSQL would under any
    /// ctype (such as a back reference with `--ignore-case`); a `--cached` search checks this first.
    public func checkCachedEvaluation() throws {
        guard let regex else { return }
        do {
            _ = try regex.matcher(ignoreCase: ignoreCase, rules: CharacterRules(ctype: "C"))
        } catch {
            throw CatalogError(
                .failed,
                "the local index cannot match '\(regex.pattern)' as PostgreSQL would: it uses \(error.untranslatable ?? "an unknown construct")",
                remedy: .searchLive)
        }
    }

    /// The test a cached search applies to the names of a project whose database has these
    /// character rules, answering as `postgresCondition` does there. Built once per search and
    /// ctype: a regular expression is compiled here, never per row.
    func nameTest(for rules: CharacterRules) throws(PostgresRegexError) -> NameTest {
        if let regex {
            let matcher = try regex.matcher(ignoreCase: ignoreCase, rules: rules)
            return NameTest { matcher.matches($0) }
        }
        if ignoreCase, let reason = rules.unsupportedReason {
            throw PostgresRegexError(untranslatable: reason)
        }
        // PostgreSQL compares text byte by byte here, so compare UTF-8, not Swift's canonical equivalence.
        let ignoreCase = ignoreCase
        let fold: @Sendable (String) -> String = { ignoreCase ? rules.lowercased($0) : $0 }
        let wanted = Array(fold(name).utf8)
        switch match {
        case .exact: return NameTest { fold($0).utf8.elementsEqual(wanted) }
        case .prefix: return NameTest { fold($0).utf8.starts(with: wanted) }
        case .contains, .regex:
            return NameTest { candidate in
                let folded = Array(fold(candidate).utf8)
                guard folded.count >= wanted.count else { return false }
                return (0...(folded.count - wanted.count)).contains { folded[$0..<($0 + wanted.count)].elementsEqual(wanted) }
            }
        }
    }
}

/// Whether a name satisfies a search, as the database would answer.
struct NameTest: Sendable {
    let matches: @Sendable (String) -> Bool

    init(_ matches: @escaping @Sendable (String) -> Bool) {
        self.matches = matches
    }
}
