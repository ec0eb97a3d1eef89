import CatalogCore
import Foundation

/// One value in command output, typed so JSON keeps numbers, booleans and nulls.
public enum Cell: Sendable, Equatable {
    case text(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case list([String])
    case null

    /// The value as a person reads it in a table.
    var plain: String {
        switch self {
        case .text(let text): text
        case .int(let value): String(value)
        case .double(let value): String(format: "%.3f", value)
        case .bool(let value): value ? "yes" : "no"
        case .list(let values): values.joined(separator: ",")
        case .null: ""
        }
    }

    /// The value as a person reads it on a terminal: control characters are shown as escapes.
    var shown: String { plain.escapingControlCharacters }

    /// The value in a CSV or TSV cell: text that a spreadsheet would run as a formula is
    /// neutralised; numbers are left alone, so `-5` stays a number.
    var delimited: String {
        switch self {
        case .text, .list: plain.neutralisingFormula
        case .int, .double, .bool, .null: plain
        }
    }

    /// The value in JSON output.
    var json: OrderedJSON {
        switch self {
        case .text(let text): .string(text)
        case .int(let value): .int(value)
        case .double(let value): .double(value)
        case .bool(let value): .bool(value)
        case .list(let values): .strings(values)
        case .null: .null
        }
    }
}

extension Cell {
    init(_ text: String?) { self = text.map(Cell.text) ?? .null }
    init(_ value: Int?) { self = value.map(Cell.int) ?? .null }
    init(_ date: Date?) { self = date.map { .text(OutputTable.timestamp($0)) } ?? .null }
}

/// Rows with named columns, rendered as an aligned table for people or JSON/CSV/TSV for scripts.
/// JSON keys are sorted, so scripts see a stable layout.
public struct OutputTable: Sendable, Equatable {
    /// snake_case column names: JSON keys and CSV headers. Tables show them upper-cased.
    public var columns: [String]
    public var rows: [[Cell]]

    public init(columns: [String], rows: [[Cell]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// Renders in the chosen format; JSON is an array of objects, one per row.
    public func render(_ format: OutputFormat) -> String {
        switch format {
        case .table: renderTable()
        case .json: rows.isEmpty ? "[]\n" : OrderedJSON.array(rows.map(object)).rendered
        case .csv: renderDelimited(separator: ",")
        case .tsv: renderDelimited(separator: "\t")
        }
    }

    /// One row as a JSON object keyed by column.
    func object(_ row: [Cell]) -> OrderedJSON {
        .object(zip(columns, row).map { ($0, $1.json) })
    }

    private func renderTable() -> String {
        let header = columns.map { $0.uppercased().replacingOccurrences(of: "_", with: " ") }
        let body = rows.map { $0.map(\.shown) }
        var widths = header.map(\.count)
        for row in body {
            for (index, value) in row.enumerated() { widths[index] = max(widths[index], value.count) }
        }
        let lines = ([header] + body).map { values in
            values.enumerated().map { index, value in
                index == values.count - 1 ? value : value.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func renderDelimited(separator: String) -> String {
        let lines = ([columns] + rows.map { $0.map(\.delimited) }).map { values in
            values.map { Self.quote($0, separator: separator) }.joined(separator: separator)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quote(_ value: String, separator: String) -> String {
        if separator == "\t" {
            return value.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ")
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// ISO 8601 in UTC, to the second.
    static func timestamp(_ date: Date) -> String {
        UTCTimestamp.format(date)
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
