import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CatalogCore

/// The proof that `--cached` regular expressions answer as PostgreSQL does: every pattern of the
/// table runs with `~` and `~*` on real PostgreSQL databases of ctype `C` and `C.UTF-8`, and through
/// `PostgresRegex` with the same ctype; the matched names must be equal, and a pattern PostgreSQL
/// rejects must be refused with PostgreSQL's message.
@Suite("PostgreSQL's regular expressions on the index")
struct PostgresRegexTests {
    /// Names that tell the dialects apart: case pairs that fold oddly (İ ı ǅ ſ K Ω ß), non-ASCII
    /// letters and digits, control characters, punctuation and spaces of several kinds.
    static let names: [String] = [
        "email", "Email", "EMAIL", "e_mail", "customer_email", "billing_email_address", "emails", "mail",
        "user id", "naïve", "Éclair", "éclair", "İstanbul", "istanbul", "ı", "ǅ",
        "ǆ", "Ǆ", "straße", "STRASSE", "ſ", "ß", "ẞ", "Ω",
        "ω", "Ω", "K", "k", "٣digits", "x٣", "data\u{8}value", "tab\u{9}here",
        "a.b", "a+b", "col{1}", "[x]", "back\\slash", "日本語", "🎉party", "line\u{A}break",
        "_private", "123abc", "a1", "camelCase", "snake_case_name", "x", "café", "cafe\u{301}",
        "nbsp\u{A0}here", "ideo\u{3000}space", "ctl\u{85}x", "ABC", "abc", "aBc", "a-b", "$money",
        "x*y", "π", "Σ", "ς", "σ", "ﬁle", "Ǳ", "ǲ",
        "ǳ", "\u{2126}hm", "\u{212A}elvin", "ǅungla",
    ]

    static let patterns: [String] = [
        "^e?mail", "email\\b", "email\\y", "\\memail", "email\\M", "[[:<:]]email", "mail[[:>:]]", "\\p{L}",
        "[[:alpha:]]+$", "^[[:upper:]]", "[[:lower:]]", "\\d", "\\D", "\\w+$", "\\W", "\\s",
        "[[:punct:]]", "[[:space:]]", "[[:blank:]]", "[[:cntrl:]]", "[[:print:]]+$", "[[:graph:]]+$", "[[:xdigit:]]{2}", "[[:alnum:]]",
        "^[[:word:]]+$", "[[:ascii:]]+$", "[^[:ascii:]]", "é", "É", "İ", "i", "ı",
        "ǅ", "ß", "ss", "ſ", "s", "k", "K", "ω",
        "Ω", "[a-z]", "^[A-Z]+$", "[à-ÿ]", "[^a-z_]", "(e)\\1", "(a|b)c", "ma?il",
        "m(a|e)il", "e.*l", "^.{5}$", "a{2,}", "(?i)EMAIL", "(?c)email", "***=a.b", "(?q)a+b",
        "\\.", "a\\+b", "\\{", "col{1}", "{", "\\x41", "\\u00e9", "\\U0001F389",
        "\\0", "\\b", "\\t", "(?=e)email", "(?!e).*mail", "(?<=_)mail", "(?<!_)mail", "[[.-.]]",
        "[[=e=]]", "[]x]", "[\\d_]", "[\\D]", "[^\\W_]", "\\Aemail\\Z", "email$", "^$",
        "x*", ".", "[[:digit:]]", "٣", "\\Yma", "ma\\Y", "\\y", "e$|^e",
        "a**", "(", "[a", "\\", "a{3,2}", "[z-a]", "[[:foo:]]", "\\q",
        "(?z)a", "\\ya\\y", "^[a-z_][a-z0-9_]*$", "(il|ai)+", "\\Bslash", "\\n", "[[:alpha:]_]+", "^[^_]",
        "(?:e|c)(?:m|u)", "\\w*_\\w*", "^.*(email|mail).*$", "[A-Z]", "[a-zA-Z]+", "[ǅ]", "[[:upper:]]", "[[:lower:]]+$",
        "[^[:lower:]]", "[ss]", "[İ]", "[ı]", "[k-k]", "[K-K]", "[ω-ω]", "[Σ]",
        "σ", "ς", "ǲ", "[ǲ]", "\\w", "é|É", "\\xe9", "\\351",
        "x\\*y", "(a)(b)\\2", "(.)\\1", "\\$", "[$]", "^\\$", "(?<=a)\\.", "a|",
        "()", "[a-f]", "[^a-z]", "[[=é=]]", "(?i)[[:upper:]]", "^(?:ab|a)(?:bc|c)$", "\\Y", "a{0}",
        "(a|)+b", "[\\s\\S]", "\\x{41}", "[[:alpha:][:digit:]]", "[^[:alpha:]]", "[^[:upper:]]", "[[:upper:][:punct:]]", "^[^\\d\\s]+$",
        "[^\\w]", "[\\W]", "(?:)", "x|y|z", "[ſ]", "[s-t]", "[S-T]", "[ß-ß]",
        "[a-\\u00ff]", "[\\U0001F300-\\U0001F3FF]", "^[^x]*$", "(?<![a-z])[A-Z]", "(?<=\\w)_", "(?!)", "email(?=s)", "^.{0,3}$",
        "[[.a.]-[.c.]]", "\\cJ", "\\e", "\\a", "\\101", "\\18", "(((a)))\\3", "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10",
        "[[:xdigit:]]+$", "\\m\\M", "^\\y$", "\\Y\\y", "[\\B]", "\\B", "[^]", "[]",
        "a\\", "(?=", "(?<", "(?<x)", "[[:alpha:", "[[.", "{1}", "a{1,2}{3}",
        "a{01}", "a{1,}?", "a??b",
    ]

    /// Valid patterns that --cached refuses rather than answer differently, with the reason.
    static let untranslatable: [String: String] = [
        "(e)\\1": "back reference", "(a)(b)\\2": "back reference", "(.)\\1": "back reference", "(((a)))\\3": "back reference",
        "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10": "back reference",
    ]

    @Test("each pattern gives PostgreSQL's answer, with ~ and ~*, under ctype C and C.UTF-8", arguments: ["C", "C.UTF-8"])
    func sameAnswers(ctype: String) throws {
        let cluster = try TestWorkspace.cluster()
        let database = "regex_\(ctype == "C" ? "c" : "utf8")_\(UUID().uuidString.prefix(8).lowercased())"
        try cluster.connect().execute(
            script: "CREATE DATABASE \(database) TEMPLATE template0 ENCODING 'UTF8' LC_CTYPE '\(ctype)' LC_COLLATE '\(ctype)'")
        let connection = try cluster.connect(database: database)
        let rules = CharacterRules(ctype: ctype)
        let names = PostgresArray.literal(Self.names)
        var compared = 0
        for pattern in Self.patterns {
            for ignoreCase in [false, true] {
                let live: Result<[Int], PostgresError>
                do {
                    let result = try connection.query(
                        """
                        SELECT n.i - 1 AS i FROM unnest($1::text[]) WITH ORDINALITY AS n(name, i)
                        WHERE CASE WHEN $3 THEN n.name ~* $2 ELSE n.name ~ $2 END ORDER BY n.i
                        """, [names, pattern, ignoreCase])
                    live = .success(result.records.compactMap { $0.int("i") })
                } catch let error as PostgresError {
                    live = .failure(error)
                }
                let label = "\(pattern) \(ignoreCase ? "~*" : "~") under \(ctype)"
                let regex: PostgresRegex
                do {
                    regex = try PostgresRegex(pattern)
                } catch {
                    guard case .failure(let refusal) = live else {
                        Issue.record("\(label): refused here (\(error)), accepted by PostgreSQL")
                        continue
                    }
                    #expect(refusal.message == "invalid regular expression: \(error.syntax ?? "")", "\(label)")
                    continue
                }
                guard case .success(let expected) = live else {
                    Issue.record("\(label): accepted here, refused by PostgreSQL: \(live)")
                    continue
                }
                do {
                    let matcher = try regex.matcher(ignoreCase: ignoreCase, rules: rules)
                    let cached = Self.names.indices.filter { matcher.matches(Self.names[$0]) }
                    #expect(cached == expected, "\(label)")
                    compared += 1
                } catch {
                    #expect(ignoreCase && Self.untranslatable[pattern] != nil, "\(label): \(error)")
                }
            }
        }
        #expect(compared > 300)
    }

    @Test("the issue's examples: \\b is a backspace, \\p is no escape, [[:<:]] is a word start")
    func issueExamples() throws {
        let rules = CharacterRules(ctype: "C.UTF-8")
        #expect(try !PostgresRegex("email\\b").matcher(ignoreCase: false, rules: rules).matches("email"))
        #expect(try PostgresRegex("email\\y").matcher(ignoreCase: false, rules: rules).matches("email"))
        #expect(try PostgresRegex("[[:<:]]email").matcher(ignoreCase: false, rules: rules).matches("customer email"))
        #expect(throws: PostgresRegexError.escape) { try PostgresRegex("\\p{L}") }
        #expect(try PostgresRegex("é").matcher(ignoreCase: true, rules: rules).matches("É"))
        #expect(try !PostgresRegex("é").matcher(ignoreCase: true, rules: CharacterRules(ctype: "C")).matches("É"))
        #expect(try PostgresRegex("İ").matcher(ignoreCase: true, rules: rules).matches("i"))
        #expect(try !PostgresRegex("i").matcher(ignoreCase: true, rules: rules).matches("İ"))
    }
}
