import Foundation

/// A statement that can lose data (`DROP`, `TRUNCATE`, `ALTER … DROP`, `ALTER … TYPE`, `DELETE` or
/// `UPDATE` without `WHERE`, `DELETE FROM _metadata.…`, and any of these in a `DO` block or a function
/// body), found before anything runs so a person reviews it and passes `--allow-destructive`.
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

    /// Why a statement is destructive, or nil. Besides DDL, this is a `DELETE` or `UPDATE` without a
    /// `WHERE` (it reaches every row) and any `DELETE FROM _metadata.…` (people's labels and rules).
    /// The code of a `DO` block, function or procedure counts too: a function may run at every call.
    static func kind(of statement: SQLStatement) -> String? {
        if let kind = kind(of: statement.tokens) ?? rowsKind(statement.tokens) { return kind }
        guard let (container, code) = code(of: statement) else { return nil }
        return code.lazy.compactMap(kind(ofBlock:)).first.map { "\(container) with \($0)" }
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

    /// A `DELETE FROM` or `UPDATE … SET` anywhere in the tokens (a CTE, a rule's action, `EXPLAIN
    /// ANALYZE`) that has no `WHERE` of its own, or that deletes from `_metadata`.
    static func rowsKind(_ tokens: [String]) -> String? {
        for index in tokens.indices {
            switch tokens[index] {
            case "DELETE" where index + 1 < tokens.count && tokens[index + 1] == "FROM":
                if deletesFromMetadata(tokens, from: index + 2) { return "DELETE FROM _metadata" }
                if !hasWhere(tokens, after: index) { return "DELETE without WHERE" }
            case "UPDATE" where isUpdateStatement(tokens, at: index):
                if !hasWhere(tokens, after: index) { return "UPDATE without WHERE" }
            default:
                continue
            }
        }
        return nil
    }

    /// `FROM [ONLY] _metadata.name`, the schema bare or quoted.
    private static func deletesFromMetadata(_ tokens: [String], from start: Int) -> Bool {
        let name = start < tokens.count && tokens[start] == "ONLY" ? start + 1 : start
        guard name + 1 < tokens.count, tokens[name + 1] == "." else { return false }
        return tokens[name] == "_METADATA" || tokens[name] == "\"_metadata\""
    }

    /// `UPDATE [ONLY] [schema.]table [*] [[AS] alias] SET`, the name perhaps `format`'s `%I`: not `ON UPDATE SET NULL` in a foreign key,
    /// `ON CONFLICT … DO UPDATE`, `FOR UPDATE`, a trigger's event, or `MERGE`'s `THEN UPDATE SET`.
    private static func isUpdateStatement(_ tokens: [String], at index: Int) -> Bool {
        if index > 0 && ["ON", "DO", "FOR", "KEY"].contains(tokens[index - 1]) { return false }
        var next = index + 1
        while next < tokens.count, next - index <= 7, tokens[next] != "SET",
            [".", "*", "%"].contains(tokens[next]) || isIdentifier(tokens[next])
        {
            next += 1
        }
        return next > index + 1 && next < tokens.count && tokens[next] == "SET"
    }

    /// A `WHERE` at the statement's own level, before it ends at a `;` or the `)` that closes it;
    /// one inside a subquery does not limit the rows.
    private static func hasWhere(_ tokens: [String], after index: Int) -> Bool {
        var depth = 0
        for token in tokens[(index + 1)...] {
            switch token {
            case "(": depth += 1
            case ")" where depth == 0: return false
            case ")": depth -= 1
            case ";" where depth == 0: return false
            case "WHERE" where depth == 0: return true
            default: break
            }
        }
        return false
    }

    /// The code a statement holds, with what to call it: a `DO` block's string, or the `AS` string of
    /// `CREATE [OR REPLACE] FUNCTION|PROCEDURE`, dollar-quoted or not.
    private static func code(of statement: SQLStatement) -> (String, [String])? {
        let tokens = statement.tokens
        if tokens.first == "DO" { return ("DO block", statement.literals) }
        let head =
            tokens.first == "CREATE" && tokens.count > 3 && tokens[1] == "OR" && tokens[2] == "REPLACE"
            ? Array(tokens.dropFirst(3)) : Array(tokens.dropFirst())
        guard tokens.first == "CREATE", let routine = head.first, ["FUNCTION", "PROCEDURE"].contains(routine) else { return nil }
        let strings = tokens.indices.filter { tokens[$0] == "'…'" }
        let code = zip(strings, statement.literals).filter { index, _ in index > 0 && tokens[index - 1] == "AS" }.map(\.1)
        return ("\(routine.lowercased()) body", code)
    }

    /// A procedural block's statements may follow `BEGIN`, `THEN` or `LOOP`, so each is checked from
    /// every `DROP`, `TRUNCATE` or `ALTER` in it. Dynamic SQL is checked in the strings that start with
    /// a destructive verb (`EXECUTE 'DROP TABLE ' || name`), so a message that mentions one is not.
    private static func kind(ofBlock body: String) -> String? {
        for statement in SQLStatement.split(body) {
            for index in statement.tokens.indices where ["DROP", "TRUNCATE", "ALTER"].contains(statement.tokens[index]) {
                if let kind = kind(of: Array(statement.tokens[index...])) { return kind }
            }
            if let kind = rowsKind(statement.tokens) { return kind }
            for (index, literal) in statement.literals.enumerated() {
                if let kind = kind(ofDynamic: literal, rest: statement.literals[(index + 1)...]) { return kind }
            }
        }
        return nil
    }

    /// Dynamic SQL in one string; an `UPDATE` or `DELETE` is read with the strings concatenated after
    /// it, where its `WHERE` usually is, each expression between them standing in as a name.
    private static func kind(ofDynamic literal: String, rest: ArraySlice<String>) -> String? {
        for statement in SQLStatement.split(literal) {
            switch statement.tokens.first {
            case "DROP", "TRUNCATE", "ALTER":
                if let kind = kind(of: statement.tokens) { return kind }
            case "DELETE", "UPDATE", "WITH":
                let joined = SQLStatement.split(([literal] + rest).joined(separator: " expression "))
                if let kind = joined.lazy.compactMap({ rowsKind($0.tokens) }).first { return kind }
            default:
                continue
            }
        }
        return nil
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
