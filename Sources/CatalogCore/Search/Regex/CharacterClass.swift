/// A POSIX character class of PostgreSQL's regular expressions (`[[:alpha:]]`; `\d`, `\s`, `\w`).
enum CharacterClass: String, Sendable, CaseIterable {
    case alnum, alpha, ascii, blank, cntrl, digit, graph, lower, print, punct, space, upper, xdigit, word
}
