import CatalogStore
import Foundation

/// One column or table found in one project.
public struct SearchMatch: Sendable, Equatable, Comparable {
    public var project: String
    public var schema: String?
    public var table: String
    /// nil for table searches.
    public var column: String?
    public var type: String?
    /// `table`, `partitioned_table`, `view`, `materialized_view` or `foreign_table`; nil on `_metadata` too old to say.
    public var kind: String?
    /// The label a person set, else one derived from the name.
    public var label: String
    public var labelIsDerived: Bool
    public var graphqlName: String?
    public var description: String?
    public var isNullable: Bool?

    /// Answer order: project, schema, table and column, each by its UTF-8 bytes, a missing one
    /// first (`ByteOrder`): the order the index returns, and PostgreSQL's "C" collation.
    public static func < (lhs: SearchMatch, rhs: SearchMatch) -> Bool {
        ByteOrder.precedes(lhs.project, rhs.project) ?? ByteOrder.precedes(lhs.schema, rhs.schema) ?? ByteOrder.precedes(lhs.table, rhs.table)
            ?? ByteOrder.precedes(lhs.column, rhs.column) ?? false
    }

    /// `derivedLabel`, when given, is `DisplayName.derive` of the column's (or table's) name,
    /// worked out once by a caller that builds many matches with the same names.
    init(
        project: String, schema: String?, table: String, column: String?, type: String?, kind: String?, label: String?,
        graphqlName: String?, description: String?, isNullable: Bool?, derivedLabel: String? = nil
    ) {
        self.project = project
        self.schema = schema
        self.table = table
        self.column = column
        self.type = type
        self.kind = kind
        let stored = label.flatMap { $0.isEmpty ? nil : $0 }
        self.label = stored ?? derivedLabel ?? DisplayName.derive(column ?? table)
        self.labelIsDerived = stored == nil
        self.graphqlName = graphqlName
        self.description = description
        self.isNullable = isNullable
    }
}

/// Where one project's part of an answer came from, and how fresh it is.
public struct AnswerSource: Sendable, Equatable {
    public var project: String
    /// True when the database answered just now; false when the index did.
    public var live: Bool
    public var revision: Int64?
    public var fetchedAt: Date?
    /// How the answer was known to be fresh: the server's revision signal, a read of the project, or
    /// nothing (the index alone).
    public var freshness: AnswerFreshness = .projectRead
}

/// A project that did not answer, and why.
public struct ProjectFailure: Sendable, Equatable {
    public var project: String
    public var outcome: ProjectOutcome

    /// Why, with what to do next worded by `advice` (a front end's words for a remedy).
    public func error(advice: (CatalogError.Remedy) -> String) -> String { outcome.reason(advice: advice) ?? outcome.label }
}

/// A federated answer: rows from the projects that answered, and the ones that did not.
public struct SearchResult: Sendable, Equatable {
    public var matches: [SearchMatch]
    public var failures: [ProjectFailure]
    public var sources: [AnswerSource]

    /// True when some projects did not answer: the matches are partial.
    public var isPartial: Bool { !failures.isEmpty }

    /// Matches in their sort order, failures and sources by project: how every search answers.
    var inAnswerOrder: SearchResult {
        var result = self
        result.putInAnswerOrder()
        return result
    }

    /// Sorts matches, failures and sources as answers list them. Lists already in order (the
    /// index's matches come out of the store sorted) are only checked, not copied.
    mutating func putInAnswerOrder() {
        if !matches.isInIncreasingOrder(by: <) { matches.sort() }
        if !failures.isInIncreasingOrder(by: { $0.project < $1.project }) { failures.sort { $0.project < $1.project } }
        if !sources.isInIncreasingOrder(by: { $0.project < $1.project }) { sources.sort { $0.project < $1.project } }
    }
}

extension Array {
    /// Whether no element comes before the one ahead of it: true for a list that `sort(by:)` would leave as it is.
    func isInIncreasingOrder(by precedes: (Element, Element) -> Bool) -> Bool {
        indices.dropFirst().allSatisfy { !precedes(self[$0], self[$0 - 1]) }
    }
}
