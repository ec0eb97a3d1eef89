import ArgumentParser
import CatalogCore
import Foundation

extension MatchMode: ExpressibleByArgument {}

/// Options shared by `find-column` and `find-table`.
struct SearchOptions: ParsableArguments {
    func validate() throws {
        if cached && live { throw ValidationError("Give --cached or --live, not both.") }
    }

    @Argument(help: "The name to look for.")
    var name: String

    @Option(name: .long, help: "How to match: exact, contains, prefix or regex.")
    var match: MatchMode = .exact

    @Flag(name: .long, help: "Match without regard to case.")
    var ignoreCase = false

    @OptionGroup var filter: ProjectFilterOptions

    @Flag(name: .long, help: "Answer from the local index; no database is contacted.")
    var cached = false

    @Flag(name: .long, help: "Read every project now instead of trusting the servers' published revisions.")
    var live = false

    var selection: ProjectSelection { filter.selection }
}

struct FindColumn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find-column",
        abstract: "Find columns by name across every project, live or from the index.",
        discussion: "Example: catalog find-column email --match contains --tag prod"
    )

    @OptionGroup var search: SearchOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var fanOut: FanOutOptionGroup

    func run() throws {
        try SearchOutput.run(.column, search, storeOptions, formatOptions.format, fanOut.options)
    }
}

struct FindTable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find-table",
        abstract: "Find tables, views and other relations by name across every project.",
        discussion: "Example: catalog find-table users --format json"
    )

    @OptionGroup var search: SearchOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var fanOut: FanOutOptionGroup

    func run() throws {
        try SearchOutput.run(.table, search, storeOptions, formatOptions.format, fanOut.options)
    }
}

/// Prints search results: rows for people, one JSON object for scripts.
enum SearchOutput {
    static func run(
        _ target: SearchQuery.Target, _ search: SearchOptions, _ storeOptions: StoreOptions,
        _ format: OutputFormat, _ options: FanOutOptions
    ) throws {
        let query = try SearchQuery(target, name: search.name, match: search.match, ignoreCase: search.ignoreCase)
        // A cached search only reads: the store opens read-only, as for `sql --cached`.
        let catalog = try storeOptions.open(search.cached ? .readOnly : .readWrite)
        let result = try catalog.search(query, in: search.selection, cached: search.cached, live: search.live, options: options)
        if format == .json {
            SearchJSON.withRenderedBytes(result, target: target, advice: ErrorAdvice.words(for:)) { Terminal.write(raw: $0) }
        } else {
            Terminal.write(bytes: renderedBytes(result, target: target, format: format))
        }
        if format != .json { reportFailures(result.failures, sources: search.cached ? result.sources : []) }
        if result.isPartial { throw PartialFailure(failed: result.failures.count, total: result.failures.count + result.sources.count) }
    }

    static func render(_ result: SearchResult, target: SearchQuery.Target, format: OutputFormat, now: Date = Date()) -> String {
        String(decoding: renderedBytes(result, target: target, format: format, now: now), as: UTF8.self)
    }

    /// The answer as printed, as an array (`run` writes JSON from the stream's own buffer instead:
    /// at N = 1000 it is 1.4 MB). No table is built for JSON.
    static func renderedBytes(_ result: SearchResult, target: SearchQuery.Target, format: OutputFormat, now: Date = Date()) -> [UInt8] {
        guard format == .json else { return Array(matchesTable(result, target: target).render(format).utf8) }
        return SearchJSON.renderedBytes(result, target: target, now: now, advice: ErrorAdvice.words(for:))
    }

    static func matchesTable(_ result: SearchResult, target: SearchQuery.Target) -> OutputTable {
        let columns =
            target == .column
            ? ["project", "schema", "table", "column", "type", "kind", "label", "nullable"]
            : ["project", "schema", "table", "kind", "label", "graphql_type"]
        return OutputTable(
            columns: columns,
            rows: result.matches.map { match in
                target == .column
                    ? [
                        .text(match.project), Cell(match.schema), .text(match.table), Cell(match.column), Cell(match.type), Cell(match.kind),
                        .text(match.label), match.isNullable.map(Cell.bool) ?? .null,
                    ]
                    : [.text(match.project), Cell(match.schema), .text(match.table), Cell(match.kind), .text(match.label), Cell(match.graphqlName)]
            })
    }

    /// Failures and index ages go to stderr, so stdout stays the rows. Ages are summarised: a
    /// thousand projects should not print a thousand lines.
    static func reportFailures(_ failures: [ProjectFailure], sources: [AnswerSource], now: Date = Date()) {
        let dated = sources.compactMap { source in source.fetchedAt.map { (source.project, now.timeIntervalSince($0)) } }
        if let oldest = dated.max(by: { $0.1 < $1.1 }), let newest = dated.min(by: { $0.1 < $1.1 }) {
            let span =
                dated.count == 1
                ? "\(Age.describe(oldest.1)) old" : "oldest \(Age.describe(oldest.1)) (\(oldest.0)), newest \(Age.describe(newest.1))"
            Terminal.warn("answered from the local index for \(dated.count) project(s): \(span); --format json lists each project's age")
        }
        for failure in failures {
            Terminal.warn("\(failure.project): \(failure.outcome.label): \(failure.error)")
        }
    }
}

/// Human ages: "42 s", "5 min", "3 h", "2 d".
enum Age {
    static func describe(_ seconds: Double) -> String {
        switch seconds {
        case ..<60: "\(Int(seconds)) s"
        case ..<3600: "\(Int(seconds / 60)) min"
        case ..<86400: "\(Int(seconds / 3600)) h"
        default: "\(Int(seconds / 86400)) d"
        }
    }
}
