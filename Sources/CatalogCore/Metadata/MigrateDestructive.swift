import Foundation

/// A statement that can lose data (`DROP`, `TRUNCATE`, `ALTER … DROP`, `ALTER … TYPE`), found before
/// anything runs so a person reviews it and passes `--allow-destructive`.
public struct DestructiveStatement: Sendable, Equatable, CustomStringConvertible {
    /// The migration or down script it is in.
    public var file: String
    /// The line the statement starts on.
    public var line: Int
    /// What makes it destructive, such as `DROP TABLE` or `ALTER TABLE … TYPE`.
    public var kind: String
    /// The statement's first line, shortened.
    public var excerpt: String

    /// `file line N: kind (excerpt)`, for messages.
    public var description: String { "\((file as NSString).lastPathComponent) line \(line): \(kind) (\(excerpt))" }

    /// Every destructive statement of a file.
    static func find(in statements: [SQLStatement], file: String) -> [DestructiveStatement] {
        statements.compactMap { statement in
            kind(of: statement).map { kind in
                let firstLine = statement.text.split(separator: "\n").first.map(String.init) ?? ""
                let excerpt = firstLine.count > 80 ? firstLine.prefix(79) + "…" : firstLine
                return DestructiveStatement(file: file, line: statement.line, kind: kind, excerpt: String(excerpt))
            }
        }
    }

    /// Why a statement is destructive, or nil. A `DO` block counts when its code drops, truncates or retypes.
    static func kind(of statement: SQLStatement) -> String? {
        if statement.tokens.first == "DO" {
            return statement.dollarBodies.lazy.compactMap(kind(ofBlock:)).first.map { "DO block with \($0)" }
        }
        return kind(of: statement.tokens)
    }

    static func kind(of tokens: [String]) -> String? {
        guard let verb = tokens.first else { return nil }
        let object = tokens.count > 1 ? tokens[1] : ""
        switch verb {
        case "DROP":
            return "DROP \(object)".trimmingCharacters(in: .whitespaces)
        case "TRUNCATE":
            return "TRUNCATE"
        case "ALTER":
            if tokens.dropFirst(2).contains("DROP") { return "ALTER \(object) … DROP" }
            if changesType(tokens) { return "ALTER \(object) … TYPE" }
            return nil
        default:
            return nil
        }
    }

    /// A procedural block's statements may follow `BEGIN`, `THEN` or `LOOP`, so each is checked from
    /// every `DROP`, `TRUNCATE` or `ALTER` in it; dynamic SQL is caught by its words.
    private static func kind(ofBlock body: String) -> String? {
        for statement in SQLStatement.split(body) {
            for index in statement.tokens.indices where ["DROP", "TRUNCATE", "ALTER"].contains(statement.tokens[index]) {
                if let kind = kind(of: Array(statement.tokens[index...])) { return kind }
            }
        }
        let words = Set(body.uppercased().split { !$0.isLetter && $0 != "_" })
        return ["DROP", "TRUNCATE"].first { words.contains(Substring($0)) }
    }

    /// `ALTER [COLUMN] name [SET DATA] TYPE …` anywhere in an `ALTER` statement; `ALTER TYPE` itself is not it.
    static func changesType(_ tokens: [String]) -> Bool {
        for index in tokens.indices.dropFirst(2) where tokens[index] == "TYPE" {
            let name = index >= 3 && tokens[index - 1] == "DATA" && tokens[index - 2] == "SET" ? index - 3 : index - 1
            guard name >= 1, isIdentifier(tokens[name]) else { continue }
            if tokens[name - 1] == "ALTER" || (name >= 2 && tokens[name - 1] == "COLUMN" && tokens[name - 2] == "ALTER") {
                return true
            }
        }
        return false
    }

    private static func isIdentifier(_ token: String) -> Bool {
        token.hasPrefix("\"") || token.first.map { $0.isLetter || $0 == "_" } == true
    }
}
