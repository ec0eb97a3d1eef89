/// Writes a parsed PostgreSQL pattern as an ICU pattern with the same answers under the given
/// character rules. Nothing is left to ICU's own notions: every character is written as a code
/// point, every class as the explicit set the database's ctype gives, and case-insensitivity as
/// PostgreSQL's case variants (regc_locale.c `allcases`, `range`) on a case-sensitive ICU pattern.
struct PostgresRegexTranslator {
    typealias Node = PostgresRegex.Node

    let rules: CharacterRules
    let ignoreCase: Bool

    /// A set no character is in: for code points beyond Unicode, which text never holds.
    private static let nothing = "[^\\x{0}-\\x{10FFFF}]"

    mutating func emit(_ node: Node) throws(PostgresRegexError) -> String {
        switch node {
        case .character(let value):
            guard ignoreCase else { return Self.literal(value) }
            try requireRules()
            return Self.set([rules.lowercase(value), rules.uppercase(value)])
        case .any:
            return "[\\x{0}-\\x{10FFFF}]"
        case .bracket(let bracket):
            return try set(bracket)
        case .start:
            return "\\A"
        case .end:
            return "\\z"
        case .word(let constraint):
            try requireRules()
            let word = rules.set(of: .word)
            switch constraint {
            case .start: return "(?<!\(word))(?=\(word))"
            case .end: return "(?<=\(word))(?!\(word))"
            case .boundary: return "(?:(?<!\(word))(?=\(word))|(?<=\(word))(?!\(word)))"
            case .notBoundary: return "(?:(?<=\(word))(?=\(word))|(?<!\(word))(?!\(word)))"
            }
        case .group(let inner, let capturing):
            return (capturing ? "(" : "(?:") + (try emit(inner)) + ")"
        case .lookaround(let inner, let ahead, let negated):
            return "(?" + (ahead ? "" : "<") + (negated ? "!" : "=") + (try emit(inner)) + ")"
        case .sequence(let items):
            var pattern = ""
            for item in items { pattern += try emit(item) }
            return pattern
        case .choice(let branches):
            var parts: [String] = []
            for branch in branches { parts.append(try emit(branch)) }
            return "(?:" + parts.joined(separator: "|") + ")"
        case .repeated(let inner, let minimum, let maximum):
            return "(?:" + (try emit(inner)) + "){\(minimum)," + (maximum.map(String.init) ?? "") + "}"
        case .backreference(let number):
            // PostgreSQL compares a back reference case-insensitively under ~*; ICU would not here.
            guard !ignoreCase else { throw PostgresRegexError(untranslatable: "a back reference while ignoring case") }
            return "\\\(number)(?:)"
        }
    }

    private func requireRules() throws(PostgresRegexError) {
        if let reason = rules.unsupportedReason { throw PostgresRegexError(untranslatable: reason) }
    }

    private func set(_ bracket: PostgresRegex.Bracket) throws(PostgresRegexError) -> String {
        var parts = ""
        for item in bracket.items {
            switch item {
            case .character(let value):
                if ignoreCase {
                    try requireRules()
                    // A lone character takes its case variants only, as outside brackets (`allcases`).
                    parts += [rules.lowercase(value), rules.uppercase(value)].map(Self.member).joined()
                } else {
                    parts += Self.member(value)
                }
            case .range(let low, let high):
                guard low <= 0x10FFFF else { continue }
                let top = min(high, 0x10FFFF)
                parts += "\\x{\(CharacterRules.hex(low))}-\\x{\(CharacterRules.hex(top))}"
                guard ignoreCase else { continue }
                try requireRules()
                var variants: Set<UInt32> = []
                for value in low...top {
                    for variant in [rules.lowercase(value), rules.uppercase(value)] where variant < low || variant > high {
                        variants.insert(variant)
                    }
                }
                parts += variants.sorted().map(Self.member).joined()
            case .characterClass(let name, let negated):
                if ![.ascii, .blank, .cntrl, .xdigit].contains(name) { try requireRules() }
                // Under ~*, [:lower:] and [:upper:] mean [:alpha:] (regc_locale.c `cclass`).
                let effective = ignoreCase && (name == .lower || name == .upper) ? .alpha : name
                let members = rules.set(of: effective)
                parts += negated ? "[^" + members + "]" : members
            }
        }
        if parts.isEmpty { return bracket.negated ? "[\\x{0}-\\x{10FFFF}]" : Self.nothing }
        return "[" + (bracket.negated ? "^" : "") + parts + "]"
    }

    /// One code point outside a set.
    private static func literal(_ value: UInt32) -> String {
        value > 0x10FFFF ? nothing : "\\x{\(CharacterRules.hex(value))}"
    }

    /// One code point inside a set; nothing for a code point beyond Unicode.
    private static func member(_ value: UInt32) -> String {
        value > 0x10FFFF ? "" : "\\x{\(CharacterRules.hex(value))}"
    }

    private static func set(_ values: [UInt32]) -> String {
        let members = values.map(member).joined()
        return members.isEmpty ? nothing : "[" + members + "]"
    }
}
