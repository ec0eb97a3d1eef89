import ArgumentParser
import CatalogCore
import CatalogStore
import Foundation

struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run read-only SQL over projects, tables, columns, shared_tables, shared_columns and audit.",
        discussion: """
            Fresh by default: one revision query per server, and only projects whose published revision moved \
            (or that publish none) are read; --live reads every project; --cached answers from the index alone. \
            --timeout also bounds the statement itself: one still running after that many seconds is stopped. \
            Example: catalog sql "select project, count(*) from columns where pg_type = 'jsonb' group by 1 order by 2 desc"
            """
    )

    @Argument(help: "One SELECT statement (SQLite dialect).")
    var sql: String

    @OptionGroup var filter: ProjectFilterOptions

    @Flag(name: .long, help: "Answer from the local index; no database is contacted.")
    var cached = false

    @Flag(name: .long, help: "Read every project now instead of trusting the servers' published revisions.")
    var live = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var fanOut: FanOutOptionGroup

    func validate() throws {
        if cached && live { throw ValidationError("Give --cached or --live, not both.") }
    }

    func run() throws {
        // --timeout bounds the statement too, as the server's --query-timeout does.
        let result = try storeOptions.open(cached ? .readOnly : .readWrite).federatedSQL(
            sql, in: filter.selection, cached: cached, live: live, options: fanOut.options, sqlTimeout: fanOut.timeout.value)
        let table = OutputTable(columns: result.answer.columns, rows: result.answer.rows.map { $0.map(Cell.init) })
        if formatOptions.format == .json {
            Terminal.write(SQLJSON.document(result, advice: ErrorAdvice.words(for:)).rendered)
        } else {
            Terminal.write(table.render(formatOptions.format))
            SearchOutput.reportFailures(result.failures, sources: [])
        }
        if !result.failures.isEmpty { throw PartialFailure(failed: result.failures.count, total: result.failures.count + result.sources.count) }
    }
}

extension Cell {
    init(_ value: SQLValue) {
        switch value {
        case .null: self = .null
        case .integer(let number): self = .int(Int(number))
        case .real(let number): self = .double(number)
        case .text(let text): self = .text(text)
        }
    }
}
