import Foundation

/// A pattern compiled for one set of character rules: built once per search, used for every row.
struct PostgresRegexMatcher: @unchecked Sendable {
    /// NSRegularExpression is immutable after creation and documented as safe to share across threads.
    let expression: NSRegularExpression

    /// Whether the pattern matches somewhere in `candidate`, as `candidate ~ pattern` would say.
    func matches(_ candidate: String) -> Bool {
        expression.firstMatch(in: candidate, range: NSRange(location: 0, length: candidate.utf16.count)) != nil
    }
}
