import Crypto
import Foundation

/// One thing `catalog lint` found: which rule, how severe, the bare name it is about, the projects
/// involved, a one-line message and the detail lines a person reads under it.
public struct LintFinding: Sendable, Equatable {
    public var rule: String
    public var severity: LintSeverity
    /// The bare column name (or the synonym group's first name), when the finding is about a column.
    public var column: String?
    /// The bare table name, when the finding is about a table (or a column of one table).
    public var table: String?
    /// The projects involved, by name, sorted.
    public var projects: [String]
    public var message: String
    /// Where and how: one line per type, project or location, for the table view and `details` in JSON.
    public var details: [String]
    /// Stable: a hash of the rule, the bare name and the finding's identity (a definition, a project
    /// for per-project findings), never of counts or of projects that are not what the finding is about.
    public var fingerprint: String

    public init(
        rule: LintRule, column: String? = nil, table: String? = nil, identity: [String] = [], projects: [String], message: String,
        details: [String] = []
    ) {
        self.rule = rule.id
        self.severity = rule.defaultSeverity
        self.column = column
        self.table = table
        self.projects = Array(Set(projects)).sorted()
        self.message = message
        self.details = details
        self.fingerprint = Self.fingerprint(rule: rule.id, parts: [column ?? "", table ?? ""] + identity)
    }

    /// The first 32 hex digits of SHA-256 over the rule and the parts, each ended by a NUL byte.
    static func fingerprint(rule: String, parts: [String]) -> String {
        let text = ([rule] + parts).map { $0 + "\u{0}" }.joined()
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined().prefix(32).description
    }

    /// The name a person reads: `table.column`, the column, or the table.
    public var subject: String {
        switch (table, column) {
        case (let table?, let column?): "\(table).\(column)"
        case (nil, let column?): column
        case (let table?, nil): table
        case (nil, nil): projects.first ?? "config"
        }
    }
}
