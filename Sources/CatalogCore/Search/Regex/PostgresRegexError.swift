/// A pattern PostgreSQL rejects, or one `--cached` cannot evaluate as PostgreSQL would.
public struct PostgresRegexError: Error, Sendable, Equatable {
    /// PostgreSQL's words for a rejected pattern (after "invalid regular expression: ").
    public var syntax: String?
    /// What cannot be translated, for a valid pattern.
    public var untranslatable: String?

    init(syntax: String) { self.syntax = syntax }
    init(untranslatable: String) { self.untranslatable = untranslatable }

    static let parentheses = PostgresRegexError(syntax: "parentheses () not balanced")
    static let brackets = PostgresRegexError(syntax: "brackets [] not balanced")
    static let braces = PostgresRegexError(syntax: "braces {} not balanced")
    static let escape = PostgresRegexError(syntax: "invalid escape \\ sequence")
    static let quantifier = PostgresRegexError(syntax: "quantifier operand invalid")
    static let count = PostgresRegexError(syntax: "invalid repetition count(s)")
    static let range = PostgresRegexError(syntax: "invalid character range")
    static let characterClass = PostgresRegexError(syntax: "invalid character class")
    static let collatingElement = PostgresRegexError(syntax: "invalid collating element")
    static let backreference = PostgresRegexError(syntax: "invalid backreference number")
    static let option = PostgresRegexError(syntax: "invalid embedded option")
}
