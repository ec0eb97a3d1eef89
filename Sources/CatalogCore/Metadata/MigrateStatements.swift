/// One statement of an SQL file, with the line it starts on. Migrations run statement by statement,
/// because many runtime errors carry no position: the statement's line is how a report names it.
public struct SQLStatement: Sendable, Equatable {
    /// The statement as written, without its closing semicolon.
    public var text: String
    /// The 1-based line of its first character.
    public var line: Int
    /// Its tokens outside strings and comments: bare words upper-cased, quoted identifiers with their
    /// quotes, strings as `'…'`, and punctuation.
    var tokens: [String]
    /// The contents of its strings, quoted (`''` read as `'`) and dollar-quoted alike, in order: a `DO`
    /// block's or a function's code, and the dynamic SQL such code runs.
    var literals: [String]

    /// Splits a file into statements at top-level semicolons, understanding comments (`--`, nested
    /// `/* */`), strings (`'…'`, `E'…'`), quoted identifiers and dollar quotes (`$tag$…$tag$`).
    public static func split(_ sql: String) -> [SQLStatement] {
        var scanner = SQLScanner(Array(sql.unicodeScalars))
        return scanner.scan()
    }
}

/// The state of one pass over an SQL file.
private struct SQLScanner {
    let scalars: [Unicode.Scalar]
    var position = 0
    var line = 1
    var found: [SQLStatement] = []
    var start: (position: Int, line: Int)?
    var tokens: [String] = []
    var literals: [String] = []
    /// Parentheses and `BEGIN … END` blocks of SQL-standard routine bodies, where a semicolon does not end the statement.
    var parenthesisDepth = 0
    var blockDepth = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    mutating func scan() -> [SQLStatement] {
        while let scalar = peek() {
            if scalar == "\n" {
                line += 1
                position += 1
                continue
            }
            if scalar.properties.isWhitespace {
                position += 1
                continue
            }
            if scalar == "-" && peek(1) == "-" {
                skipLineComment()
                continue
            }
            if scalar == "/" && peek(1) == "*" {
                skipBlockComment()
                continue
            }
            if start == nil { start = (position, line) }
            if scalar == ";" && parenthesisDepth == 0 && blockDepth == 0 {
                finishStatement(end: position)
                position += 1
                continue
            }
            scanToken(scalar)
        }
        finishStatement(end: scalars.count)
        return found
    }

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    mutating func advance() -> Unicode.Scalar? {
        guard let scalar = peek() else { return nil }
        if scalar == "\n" { line += 1 }
        position += 1
        return scalar
    }

    mutating func scanToken(_ scalar: Unicode.Scalar) {
        switch scalar {
        case "'":
            literals.append(string(backslashEscapes: false))
            tokens.append("'…'")
        case "\"":
            tokens.append(quotedIdentifier())
        case "$" where dollarTag() != nil:
            literals.append(dollarString())
            tokens.append("'…'")
        case _ where Self.isWordStart(scalar):
            let word = self.word()
            if (word == "E" || word == "e") && peek() == "'" {
                literals.append(string(backslashEscapes: true))
                tokens.append("'…'")
            } else {
                tokens.append(word.uppercased())
                trackBlocks(word.uppercased())
            }
        default:
            position += 1
            if scalar == "(" { parenthesisDepth += 1 }
            if scalar == ")" { parenthesisDepth = max(0, parenthesisDepth - 1) }
            tokens.append(String(scalar))
        }
    }

    /// Follows psql: inside `CREATE [OR REPLACE] FUNCTION|PROCEDURE`, `BEGIN` (and `CASE` within it)
    /// opens a block that `END` closes, so `BEGIN ATOMIC … END` bodies stay one statement.
    mutating func trackBlocks(_ word: String) {
        let routines: Set<String> = ["FUNCTION", "PROCEDURE"]
        let head = Array(tokens.prefix(4))
        let isRoutine =
            head.first == "CREATE" && head.count > 1
            && (routines.contains(head[1]) || (head[1] == "OR" && head.count > 3 && head[2] == "REPLACE" && routines.contains(head[3])))
        guard isRoutine, parenthesisDepth == 0 else { return }
        switch word {
        case "BEGIN": blockDepth += 1
        case "CASE" where blockDepth > 0: blockDepth += 1
        case "END" where blockDepth > 0: blockDepth -= 1
        default: break
        }
    }

    mutating func skipLineComment() {
        while let scalar = peek(), scalar != "\n" { position += 1 }
    }

    mutating func skipBlockComment() {
        var depth = 0
        repeat {
            if peek() == "/" && peek(1) == "*" {
                depth += 1
                position += 2
            } else if peek() == "*" && peek(1) == "/" {
                depth -= 1
                position += 2
            } else if advance() == nil {
                return
            }
        } while depth > 0
    }

    /// Reads `'…'` and returns its text, where `''` is a quote and, in `E'…'` strings, a backslash
    /// escapes the next character (kept as written).
    mutating func string(backslashEscapes: Bool) -> String {
        var text = String.UnicodeScalarView()
        position += 1
        while let scalar = advance() {
            if backslashEscapes && scalar == "\\" {
                text.append(scalar)
                if let escaped = advance() { text.append(escaped) }
            } else if scalar == "'" {
                guard peek() == "'" else { break }
                position += 1
                text.append(scalar)
            } else {
                text.append(scalar)
            }
        }
        return String(text)
    }

    mutating func quotedIdentifier() -> String {
        var text = String(advance()!)
        while let scalar = advance() {
            text.unicodeScalars.append(scalar)
            if scalar == "\"" {
                guard peek() == "\"" else { break }
                text.unicodeScalars.append(advance()!)
            }
        }
        return text
    }

    /// The `$tag$` opening a dollar-quoted string at the current position, or nil for `$1` and the like.
    func dollarTag() -> String? {
        var offset = 1
        var tag = "$"
        while let scalar = peek(offset) {
            tag.unicodeScalars.append(scalar)
            if scalar == "$" { return tag }
            let allowed = scalar.properties.isAlphabetic || scalar == "_" || (offset > 1 && ("0"..."9").contains(scalar))
            guard allowed else { return nil }
            offset += 1
        }
        return nil
    }

    /// Reads a dollar-quoted string and returns its body.
    mutating func dollarString() -> String {
        let tag = Array(dollarTag()!.unicodeScalars)
        position += tag.count
        var body = String.UnicodeScalarView()
        while peek() != nil {
            if Array(scalars[position..<min(position + tag.count, scalars.count)]) == tag {
                position += tag.count
                break
            }
            body.append(advance()!)
        }
        return String(body)
    }

    mutating func word() -> String {
        var text = String.UnicodeScalarView()
        while let scalar = peek(), Self.isWordStart(scalar) || ("0"..."9").contains(scalar) || scalar == "$" {
            text.append(scalar)
            position += 1
        }
        return String(text)
    }

    static func isWordStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar == "_"
    }

    mutating func finishStatement(end: Int) {
        defer {
            start = nil
            tokens = []
            literals = []
            parenthesisDepth = 0
            blockDepth = 0
        }
        guard let start else { return }
        var text = String(String.UnicodeScalarView(scalars[start.position..<end]))
        while text.last?.isWhitespace == true { text.removeLast() }
        found.append(SQLStatement(text: text, line: start.line, tokens: tokens, literals: literals))
    }
}
