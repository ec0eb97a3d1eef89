/// Reads a pattern by the rules of PostgreSQL's regular expression compiler (`regc_lex.c`,
/// `regcomp.c`) for advanced REs, and rejects what it rejects, with the same messages.
struct PostgresRegexParser {
    typealias Node = PostgresRegex.Node

    private let scalars: [UInt32]
    private var position = 0
    /// Capturing groups opened so far (outside lookarounds, whose parentheses never capture).
    private var opened = 0
    /// Capturing groups closed so far, which a back reference may name.
    private var closed: Set<Int> = []
    private var lookaroundDepth = 0
    private var untranslatable: String?

    init(_ pattern: String) {
        scalars = pattern.unicodeScalars.map(\.value)
    }

    /// The whole pattern: the `***` directors and embedded options first, then the expression.
    mutating func parseWhole() throws(PostgresRegexError) -> (root: Node?, untranslatable: String?, ignoreCase: Bool?) {
        if starts(with: "***") {
            position = 3
            switch peek() {
            case UInt32(UInt8(ascii: "=")):
                return (literal(from: 4), nil, nil)
            case UInt32(UInt8(ascii: ":")):
                position = 4
            case UInt32(UInt8(ascii: "?")):
                throw PostgresRegexError(syntax: "invalid regexp (reg version 0.8)")
            default:
                throw .quantifier
            }
        }
        var ignoreCase: Bool?
        if peek() == ascii("("), peek(1) == ascii("?"), let letter = peek(2), isASCIILetter(letter) {
            position += 2
            while let letter = peek(), isASCIILetter(letter) {
                switch Character(Unicode.Scalar(letter)!) {
                case "c": ignoreCase = false
                case "i": ignoreCase = true
                case "s", "t": break
                case "q":
                    guard peek(1) == ascii(")") else { throw .option }
                    return (literal(from: position + 2), nil, ignoreCase)
                case "b", "e", "x":
                    // Another syntax follows (basic, extended, expanded): PostgreSQL checks it live.
                    guard let end = scalars[position...].firstIndex(of: ascii(")")) else { throw .option }
                    for option in scalars[position..<end] where !"bcegimnpqstwx".unicodeScalars.contains(where: { $0.value == option }) {
                        throw .option
                    }
                    return (nil, "the embedded option (?\(Character(Unicode.Scalar(letter)!)))", ignoreCase)
                case "m", "n", "p", "w":
                    untranslatable = "a newline-sensitive embedded option (?\(Character(Unicode.Scalar(letter)!)))"
                default:
                    throw .option
                }
                position += 1
            }
            guard peek() == ascii(")") else { throw .option }
            position += 1
        }
        let root = try parseChoice()
        guard position == scalars.count else { throw .parentheses }
        return (root, untranslatable, ignoreCase)
    }

    private func literal(from start: Int) -> Node {
        .sequence(scalars.dropFirst(start).map { .character($0) })
    }

    // MARK: Expressions

    private mutating func parseChoice() throws(PostgresRegexError) -> Node {
        var branches = [try parseBranch()]
        while peek() == ascii("|") {
            position += 1
            branches.append(try parseBranch())
        }
        return branches.count == 1 ? branches[0] : .choice(branches)
    }

    private mutating func parseBranch() throws(PostgresRegexError) -> Node {
        var items: [Node] = []
        while let next = peek(), next != ascii("|"), next != ascii(")") {
            items.append(try parseQuantified())
        }
        return .sequence(items)
    }

    private mutating func parseQuantified() throws(PostgresRegexError) -> Node {
        let (atom, quantifiable) = try parseAtom()
        guard atQuantifier() else { return atom }
        guard quantifiable else { throw .quantifier }
        let (minimum, maximum) = try parseQuantifier()
        if peek() == ascii("?") { position += 1 }
        guard !atQuantifier() else { throw .quantifier }
        return .repeated(atom, min: minimum, max: maximum)
    }

    private func atQuantifier() -> Bool {
        guard let next = peek() else { return false }
        if next == ascii("*") || next == ascii("+") || next == ascii("?") { return true }
        return next == ascii("{") && peek(1).map(isDigit) == true
    }

    private mutating func parseQuantifier() throws(PostgresRegexError) -> (Int, Int?) {
        let symbol = scalars[position]
        position += 1
        switch symbol {
        case ascii("*"): return (0, nil)
        case ascii("+"): return (1, nil)
        case ascii("?"): return (0, 1)
        default: break
        }
        let minimum = readNumber()
        var maximum: Int? = minimum
        if peek() == ascii(",") {
            position += 1
            maximum = peek().map(isDigit) == true ? readNumber() : nil
        }
        guard let close = peek() else { throw .braces }
        guard close == ascii("}") else { throw .count }
        position += 1
        guard minimum <= 255, (maximum ?? 0) <= 255, minimum <= (maximum ?? minimum) else { throw .count }
        return (minimum, maximum)
    }

    private mutating func readNumber() -> Int {
        var value = 0
        while let digit = peek(), isDigit(digit) {
            value = min(value * 10 + Int(digit - ascii("0")), 1_000_000)
            position += 1
        }
        return value
    }

    /// One atom, and whether a quantifier may follow it (constraints take none).
    private mutating func parseAtom() throws(PostgresRegexError) -> (Node, Bool) {
        let next = scalars[position]
        switch next {
        case ascii("("):
            return try parseGroup()
        case ascii("^"):
            position += 1
            return (.start, false)
        case ascii("$"):
            position += 1
            return (.end, false)
        case ascii("."):
            position += 1
            return (.any, true)
        case ascii("["):
            if starts(with: "[[:<:]]") {
                position += 7
                return (.word(.start), false)
            }
            if starts(with: "[[:>:]]") {
                position += 7
                return (.word(.end), false)
            }
            return (.bracket(try parseBracket()), true)
        case ascii("\\"):
            return try parseEscape()
        case ascii("*"), ascii("+"), ascii("?"):
            throw .quantifier
        case ascii("{") where peek(1).map(isDigit) == true:
            throw .quantifier
        default:
            position += 1
            return (.character(next), true)
        }
    }

    private mutating func parseGroup() throws(PostgresRegexError) -> (Node, Bool) {
        position += 1
        guard peek() == ascii("?") else {
            let capturing = lookaroundDepth == 0
            if capturing { opened += 1 }
            let number = opened
            let inner = try parseChoice()
            try close()
            if capturing { closed.insert(number) }
            return (.group(inner, capturing: capturing), true)
        }
        position += 1
        var ahead = true
        switch peek() {
        case ascii(":"):
            position += 1
            let inner = try parseChoice()
            try close()
            return (.group(inner, capturing: false), true)
        case ascii("<") where peek(1) == ascii("=") || peek(1) == ascii("!"):
            ahead = false
            position += 1
        case ascii("="), ascii("!"):
            break
        default:
            throw .quantifier
        }
        let negated = peek() == ascii("!")
        position += 1
        lookaroundDepth += 1
        let inner = try parseChoice()
        lookaroundDepth -= 1
        try close()
        return (.lookaround(inner, ahead: ahead, negated: negated), false)
    }

    private mutating func close() throws(PostgresRegexError) {
        guard peek() == ascii(")") else { throw .parentheses }
        position += 1
    }

    // MARK: Escapes

    private enum Escape {
        case character(UInt32)
        case characterClass(CharacterClass, negated: Bool)
        case constraint(Node)
        case backreference(Int)
    }

    private mutating func parseEscape() throws(PostgresRegexError) -> (Node, Bool) {
        switch try readEscape() {
        case .character(let value): return (.character(value), true)
        case .characterClass(let name, let negated):
            return (.bracket(PostgresRegex.Bracket(negated: negated, items: [.characterClass(name, negated: false)])), true)
        case .constraint(let node): return (node, false)
        case .backreference(let number):
            guard lookaroundDepth == 0, closed.contains(number) else { throw .backreference }
            return (.backreference(number), true)
        }
    }

    /// Reads a backslash escape (regc_lex.c `lexescape`), starting at the backslash.
    private mutating func readEscape() throws(PostgresRegexError) -> Escape {
        position += 1
        guard let letter = peek() else { throw .escape }
        position += 1
        guard letter < 128, isASCIILetter(letter) || isDigit(letter) else { return .character(letter) }
        switch Character(Unicode.Scalar(letter)!) {
        case "a": return .character(7)
        case "A": return .constraint(.start)
        case "b": return .character(8)
        case "B": return .character(UInt32(UInt8(ascii: "\\")))
        case "c":
            guard let control = peek() else { throw .escape }
            position += 1
            return .character(control & 0o37)
        case "d": return .characterClass(.digit, negated: false)
        case "D": return .characterClass(.digit, negated: true)
        case "e": return .character(0x1B)
        case "f": return .character(0x0C)
        case "m": return .constraint(.word(.start))
        case "M": return .constraint(.word(.end))
        case "n": return .character(0x0A)
        case "r": return .character(0x0D)
        case "s": return .characterClass(.space, negated: false)
        case "S": return .characterClass(.space, negated: true)
        case "t": return .character(0x09)
        case "u": return .character(try readDigits(base: 16, minimum: 4, maximum: 4))
        case "U": return .character(try readDigits(base: 16, minimum: 8, maximum: 8))
        case "v": return .character(0x0B)
        case "w": return .characterClass(.word, negated: false)
        case "W": return .characterClass(.word, negated: true)
        case "x": return .character(try readDigits(base: 16, minimum: 1, maximum: 255))
        case "y": return .constraint(.word(.boundary))
        case "Y": return .constraint(.word(.notBoundary))
        case "Z": return .constraint(.end)
        case "1"..."9":
            let afterFirst = position
            position -= 1
            let number = try readDigits(base: 10, minimum: 1, maximum: 255)
            // PostgreSQL's heuristic: one digit is always a back reference; more digits are one
            // only when that many groups were opened, and are an octal escape otherwise.
            if position == afterFirst || (number > 0 && number <= opened) { return .backreference(Int(number)) }
            position = afterFirst
            return .character(try readOctal())
        case "0":
            return .character(try readOctal())
        default:
            throw .escape
        }
    }

    /// An octal escape whose first digit was just read: up to three digits, at most 0377.
    private mutating func readOctal() throws(PostgresRegexError) -> UInt32 {
        position -= 1
        var value = try readDigits(base: 8, minimum: 1, maximum: 3)
        if value > 0xFF {
            position -= 1
            value >>= 3
        }
        return value
    }

    private mutating func readDigits(base: UInt32, minimum: Int, maximum: Int) throws(PostgresRegexError) -> UInt32 {
        var value: UInt64 = 0
        var count = 0
        while count < maximum, let next = peek(), let digit = digitValue(next), digit < base {
            value = min(value * UInt64(base) + UInt64(digit), UInt64(UInt32.max))
            position += 1
            count += 1
        }
        // CHR_IS_IN_RANGE: PostgreSQL's chr holds code points up to 0x7ffffffe.
        guard count >= minimum, value <= 0x7FFF_FFFE else { throw .escape }
        return UInt32(value)
    }

    // MARK: Bracket expressions

    private enum Element {
        case character(UInt32)
        case characterClass(CharacterClass, negated: Bool)
    }

    /// A bracket expression (regcomp.c `bracket`/`brackpart`), starting at its `[`.
    private mutating func parseBracket() throws(PostgresRegexError) -> PostgresRegex.Bracket {
        position += 1
        var bracket = PostgresRegex.Bracket(negated: false, items: [])
        if peek() == ascii("^") {
            bracket.negated = true
            position += 1
        }
        var first = true
        while true {
            guard let next = peek() else { throw .brackets }
            if next == ascii("]"), !first {
                position += 1
                return bracket
            }
            // A '-' that neither starts nor ends the list can only be a range's.
            if next == ascii("-"), !first, peek(1) != ascii("]") { throw .range }
            let element = try readElement()
            first = false
            if peek() == ascii("-"), let after = peek(1), after != ascii("]") {
                position += 1
                guard case .character(let low) = element, case .character(let high) = try readElement(), low <= high else { throw .range }
                bracket.items.append(.range(low, high))
                continue
            }
            switch element {
            case .character(let value): bracket.items.append(.character(value))
            case .characterClass(let name, let negated): bracket.items.append(.characterClass(name, negated: negated))
            }
        }
    }

    private mutating func readElement() throws(PostgresRegexError) -> Element {
        guard let next = peek() else { throw .brackets }
        if next == ascii("["), let kind = peek(1), [ascii(":"), ascii("."), ascii("=")].contains(kind) {
            position += 2
            var end = position
            while end + 1 < scalars.count, !(scalars[end] == kind && scalars[end + 1] == ascii("]")) { end += 1 }
            guard end + 1 < scalars.count else { throw .brackets }
            let name = scalars[position..<end]
            position = end + 2
            if kind == ascii(":") {
                let text = String(String.UnicodeScalarView(name.compactMap(Unicode.Scalar.init)))
                guard let found = CharacterClass(rawValue: text) else { throw .characterClass }
                return .characterClass(found, negated: false)
            }
            guard name.count == 1 else {
                // A named collating element such as [.hyphen.]: PostgreSQL knows the POSIX names.
                guard kind == ascii("."), name.count > 1 else { throw .collatingElement }
                untranslatable = "a named collating element"
                return .character(0)
            }
            return .character(name.first!)
        }
        guard next == ascii("\\") else {
            position += 1
            return .character(next)
        }
        switch try readEscape() {
        case .character(let value): return .character(value)
        case .characterClass(let name, let negated): return .characterClass(name, negated: negated)
        case .constraint, .backreference: throw .escape
        }
    }

    // MARK: Scanning

    private func peek(_ offset: Int = 0) -> UInt32? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    private func starts(with text: String) -> Bool {
        let wanted = text.unicodeScalars.map(\.value)
        return scalars[position...].starts(with: wanted)
    }

    private func ascii(_ character: Unicode.Scalar) -> UInt32 { character.value }

    private func isDigit(_ value: UInt32) -> Bool { value >= 0x30 && value <= 0x39 }

    private func isASCIILetter(_ value: UInt32) -> Bool { (value | 0x20) >= 0x61 && (value | 0x20) <= 0x7A }

    private func digitValue(_ value: UInt32) -> UInt32? {
        switch value {
        case 0x30...0x39: value - 0x30
        case 0x41...0x46: value - 0x41 + 10
        case 0x61...0x66: value - 0x61 + 10
        default: nil
        }
    }
}
