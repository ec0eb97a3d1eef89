import Foundation

/// The search answer in the same JSON shape as `catalog find-column/find-table --format json`:
/// `matches`, `failures` and `sources`, with the same fields and the same value rules. The CLI and
/// the HTTP API both print this.
public enum SearchJSON {
    /// The whole answer as a value.
    public static func document(
        _ result: SearchResult, target: SearchQuery.Target, now: Date = Date(), advice: (CatalogError.Remedy) -> String
    ) -> OrderedJSON {
        var builder = JSONTreeBuilder()
        builder.beginObject()
        writeFields(result, target: target, now: now, advice: advice, into: &builder)
        builder.endObject()
        return builder.result
    }

    /// The whole answer as printed, streamed to bytes with no value built on the way: at N = 1000 a
    /// search answer is 1.4 MB, and building, writing and freeing it as a value took most of a
    /// `--cached` search.
    public static func renderedBytes(
        _ result: SearchResult, target: SearchQuery.Target, now: Date = Date(), advice: (CatalogError.Remedy) -> String
    ) -> [UInt8] {
        withRenderedBytes(result, target: target, now: now, advice: advice) { Array($0) }
    }

    /// `renderedBytes`, handed to `body` in place, for writing out without a copy.
    public static func withRenderedBytes<Result>(
        _ result: SearchResult, target: SearchQuery.Target, now: Date = Date(), advice: (CatalogError.Remedy) -> String,
        _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        var stream = JSONStream(capacity: 4096 + 260 * result.matches.count + 200 * result.sources.count)
        stream.beginObject()
        writeFields(result, target: target, now: now, advice: advice, into: &stream)
        stream.endObject()
        return try stream.withFinishedBytes(body)
    }

    /// `failures`, `matches` and `sources`, into an object the caller has opened. A caller with
    /// fields of its own writes those before and after, keeping the keys in order.
    public static func writeFields<Sink: JSONSink & ~Copyable>(
        _ result: SearchResult, target: SearchQuery.Target, now: Date, advice: (CatalogError.Remedy) -> String, into sink: inout Sink
    ) {
        sink.key("failures")
        sink.beginArray()
        for failure in result.failures { sink.value(Self.failure(failure, advice: advice)) }
        sink.endArray()
        sink.key("matches")
        sink.beginArray()
        for match in result.matches { write(match, target: target, into: &sink) }
        sink.endArray()
        sink.key("sources")
        sink.beginArray()
        for source in result.sources { write(source, now: now, into: &sink) }
        sink.endArray()
    }

    /// One match: a column's or a table's fields.
    private static func write<Sink: JSONSink & ~Copyable>(_ match: SearchMatch, target: SearchQuery.Target, into sink: inout Sink) {
        sink.beginObject()
        switch target {
        case .column:
            sink.field("column", string: match.column)
            sink.field("kind", string: match.kind)
            sink.field("label", string: match.label)
            sink.field("nullable", bool: match.isNullable)
            sink.field("project", string: match.project)
            sink.field("schema", string: match.schema)
            sink.field("table", string: match.table)
            sink.field("type", string: match.type)
        case .table:
            sink.field("graphql_type", string: match.graphqlName)
            sink.field("kind", string: match.kind)
            sink.field("label", string: match.label)
            sink.field("project", string: match.project)
            sink.field("schema", string: match.schema)
            sink.field("table", string: match.table)
        }
        sink.endObject()
    }

    /// A project that did not answer: `project`, `status` and `error`.
    public static func failure(_ failure: ProjectFailure, advice: (CatalogError.Remedy) -> String) -> OrderedJSON {
        .object([
            ("error", .string(failure.error(advice: advice))), ("project", .string(failure.project)), ("status", .string(failure.outcome.label)),
        ])
    }

    /// Where a project's answer came from and how old it is.
    private static func write<Sink: JSONSink & ~Copyable>(_ source: AnswerSource, now: Date, into sink: inout Sink) {
        sink.beginObject()
        sink.field("age_seconds", int: source.fetchedAt.map { Int(now.timeIntervalSince($0)) })
        sink.field("fetched_at", string: source.fetchedAt.map(UTCTimestamp.format))
        sink.field("freshness", string: source.freshness.rawValue)
        sink.field("live", bool: source.live)
        sink.field("project", string: source.project)
        sink.field("revision", int: source.revision.map { Int($0) })
        sink.endObject()
    }
}
