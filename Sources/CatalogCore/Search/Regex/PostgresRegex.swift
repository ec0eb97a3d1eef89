import Foundation

/// A regular expression in PostgreSQL's advanced dialect (ARE), the one `~` and `~*` speak.
///
/// It is checked by PostgreSQL's rules before any connection is made, so a pattern the server
/// would reject is refused once with PostgreSQL's own words. For `--cached` searches it is
/// translated, construct by construct, into an ICU expression that spells out PostgreSQL's meaning
/// (`\b` is a backspace, `\m` a word start, classes and case folding follow the database's
/// `LC_CTYPE`); `PostgresRegexTests` runs a table of patterns on both and requires equal answers.
/// A construct that cannot be translated faithfully is refused for `--cached` only.
public struct PostgresRegex: Sendable, Equatable {
    /// The pattern as the user wrote it.
    public let pattern: String
    /// The parsed pattern; nil when an embedded option switches to a syntax this parser does not read.
    let root: Node?
    /// Why the pattern cannot be evaluated on the index, when it cannot.
    let untranslatable: String?
    /// `(?i)` or `(?c)` at the start, which override `~` or `~*`.
    let embeddedIgnoreCase: Bool?

    /// Parses `pattern` by PostgreSQL's rules, throwing PostgreSQL's message for what it rejects.
    public init(_ pattern: String) throws(PostgresRegexError) {
        var parser = PostgresRegexParser(pattern)
        let parsed = try parser.parseWhole()
        self.pattern = pattern
        self.root = parsed.root
        self.untranslatable = parsed.untranslatable
        self.embeddedIgnoreCase = parsed.ignoreCase
    }

    public static func == (lhs: PostgresRegex, rhs: PostgresRegex) -> Bool { lhs.pattern == rhs.pattern }

    /// Compiles the pattern once for a search: `ignoreCase` is `~*`, and `rules` are the
    /// database's character rules. Throws when the translation could not match like PostgreSQL.
    func matcher(ignoreCase: Bool, rules: CharacterRules) throws(PostgresRegexError) -> PostgresRegexMatcher {
        guard let root, untranslatable == nil else { throw PostgresRegexError(untranslatable: untranslatable ?? "an embedded option") }
        var translator = PostgresRegexTranslator(rules: rules, ignoreCase: embeddedIgnoreCase ?? ignoreCase)
        let translated = try translator.emit(root)
        do {
            return PostgresRegexMatcher(expression: try NSRegularExpression(pattern: translated))
        } catch {
            throw PostgresRegexError(untranslatable: "a construct ICU cannot evaluate, such as a lookbehind of unbounded length")
        }
    }

    /// The parts of a parsed pattern.
    indirect enum Node: Sendable {
        case character(UInt32)
        case any
        case bracket(Bracket)
        case start
        case end
        case word(WordConstraint)
        case group(Node, capturing: Bool)
        case lookaround(Node, ahead: Bool, negated: Bool)
        case sequence([Node])
        case choice([Node])
        case repeated(Node, min: Int, max: Int?)
        case backreference(Int)
    }

    /// A bracket expression or a class escape such as `\d`.
    struct Bracket: Sendable {
        var negated: Bool
        var items: [BracketItem]
    }

    enum BracketItem: Sendable {
        case character(UInt32)
        case range(UInt32, UInt32)
        case characterClass(CharacterClass, negated: Bool)
    }

    /// `\m` / `[[:<:]]`, `\M` / `[[:>:]]`, `\y` and `\Y`.
    enum WordConstraint: Sendable {
        case start, end, boundary, notBoundary
    }
}
