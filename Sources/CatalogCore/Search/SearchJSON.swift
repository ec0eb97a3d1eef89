import Foundation

/// The search answer in the same JSON shape as `catalog find-column/find-table --format json`:
/// `matches`, `failures` and `sources`, with the same fields and the same value rules. The CLI and
/// the HTTP API both print this.
public enum SearchJSON {
    /// The whole answer; `advice` words a failure's remedy (the CLI's words or the API's).
    public static func document(
        _ result: SearchResult, target: SearchQuery.Target, now: Date = Date(), advice: (CatalogError.Remedy) -> String
    ) -> OrderedJSON {
        .object([
            ("matches", .array(result.matches.map { match(from: $0, target: target) })),
            ("failures", .array(result.failures.map { failure($0, advice: advice) })),
            ("sources", .array(result.sources.map { source($0, now: now) })),
        ])
    }

    /// One match: a column's or a table's fields.
    public static func match(from match: SearchMatch, target: SearchQuery.Target) -> OrderedJSON {
        switch target {
        case .column:
            // Keys in the order they are written (sorted), which saves sorting them for every match.
            .object([
                ("column", .text(match.column)), ("kind", .text(match.kind)), ("label", .string(match.label)),
                ("nullable", .flag(match.isNullable)), ("project", .string(match.project)), ("schema", .text(match.schema)),
                ("table", .string(match.table)), ("type", .text(match.type)),
            ])
        case .table:
            .object([
                ("graphql_type", .text(match.graphqlName)), ("kind", .text(match.kind)), ("label", .string(match.label)),
                ("project", .string(match.project)), ("schema", .text(match.schema)), ("table", .string(match.table)),
            ])
        }
    }

    /// A project that did not answer: `project`, `status` and `error`.
    public static func failure(_ failure: ProjectFailure, advice: (CatalogError.Remedy) -> String) -> OrderedJSON {
        .object([
            ("error", .string(failure.error(advice: advice))), ("project", .string(failure.project)), ("status", .string(failure.outcome.label)),
        ])
    }

    /// Where a project's answer came from and how old it is.
    public static func source(_ source: AnswerSource, now: Date) -> OrderedJSON {
        .object([
            ("age_seconds", .number(source.fetchedAt.map { Int(now.timeIntervalSince($0)) })), ("fetched_at", .timestamp(source.fetchedAt)),
            ("freshness", .string(source.freshness.rawValue)), ("live", .bool(source.live)), ("project", .string(source.project)),
            ("revision", source.revision.map { .int(Int($0)) } ?? .null),
        ])
    }
}
