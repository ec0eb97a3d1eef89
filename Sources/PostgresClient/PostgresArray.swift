import Foundation

/// Builds PostgreSQL array literals, so a whole column of values binds as one parameter
/// (`unnest($1::text[], …)`) instead of one statement per row.
public enum PostgresArray {
    /// `{"a","b",NULL}` with quotes and backslashes escaped as PostgreSQL's array parser expects.
    public static func literal(_ values: [String?]) -> String {
        "{"
            + values.map { value in
                guard let value else { return "NULL" }
                let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                return "\"\(escaped)\""
            }.joined(separator: ",") + "}"
    }

    public static func literal(_ values: [Int64]) -> String { literal(values.map { String($0) }) }
    public static func literal(_ values: [Int?]) -> String { literal(values.map { $0.map(String.init) }) }
    public static func literal(_ values: [Bool?]) -> String { literal(values.map { $0.map { $0 ? "t" : "f" } }) }
}
