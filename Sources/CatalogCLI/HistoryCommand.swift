import ArgumentParser
import CatalogCore
import CatalogStore
import Foundation

/// `catalog history`: the audit log every mutating command writes.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show who changed what, when, and how it ended (newest first).",
        discussion: """
            Every command that changes the store or a project writes one entry: the OS user (or, through \
            catalog serve, the token's name or the web session's name), the replica (the host, or serve's \
            --replica-name), the action, its target, its result and a detail. Times are UTC.
            Example: catalog history --project billing --since 7d --format json
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    @Option(name: .long, help: ArgumentHelp("Only entries about this project.", valueName: "project"))
    var project: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Only entries at or after this time: an ISO 8601 date or time, or an age such as 90m, 24h or 7d.", valueName: "time"))
    var since: String?

    @Option(name: .long, help: "At most this many entries.")
    var limit: Int = 100

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1.") }
        if let since, Self.date(since, now: Date()) == nil {
            throw ValidationError(
                "--since takes an ISO 8601 date or time (2026-01-31, 2026-01-31T08:00:00Z) or an age such as 90m, 24h or 7d, not '\(since)'.")
        }
    }

    func run() throws {
        let entries = try storeOptions.open(.readOnly).history(project: project, since: since.flatMap { Self.date($0, now: Date()) }, limit: limit)
        let table = OutputTable(
            columns: ["at", "actor", "replica", "action", "target", "result", "detail"],
            rows: entries.map { entry in
                [
                    Cell(entry.at), .text(entry.actor), Cell(entry.replica), .text(entry.action), Cell(entry.target), .text(entry.result),
                    Cell(entry.detail),
                ]
            })
        Terminal.write(table.render(formatOptions.format))
    }

    /// A time as `--since` takes it: an age counted back from `now`, or an ISO 8601 date or date-time (UTC unless it says).
    static func date(_ text: String, now: Date) -> Date? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount >= 0, amount.isFinite {
            return now.addingTimeInterval(-amount * unit)
        }
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text)
    }
}
