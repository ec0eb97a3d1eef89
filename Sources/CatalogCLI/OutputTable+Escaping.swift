import Foundation

/// Text from project databases (schema, table and column names, labels) may hold anything. A
/// table is printed to a terminal, where ESC, CR or BEL would rewrite the screen, and a CSV is
/// opened in spreadsheets, where a leading `=` is run as a formula.
extension String {
    /// Control characters (C0, DEL, C1) and bidirectional overrides written as visible escapes:
    /// `\n`, `\r`, `\t`, `\x1B`, `\u{202E}`. Everything else is kept as it is.
    var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: \.needsVisibleEscape) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            guard scalar.needsVisibleEscape else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                out +=
                    scalar.value < 0x100
                    ? "\\x" + String(format: "%02X", scalar.value)
                    : "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    /// The cell with a leading `'` when a spreadsheet would read it as a formula: it starts with
    /// `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP's advice for CSV injection).
    var neutralisingFormula: String {
        guard let first = unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return self }
        return "'" + self
    }
}

extension Unicode.Scalar {
    /// True for C0 controls, DEL, C1 controls and the bidirectional embedding, override and
    /// isolate characters, which can make a name read as something else.
    var needsVisibleEscape: Bool {
        value < 0x20 || (0x7F...0x9F).contains(value) || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }
}
