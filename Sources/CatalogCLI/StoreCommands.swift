import ArgumentParser
import CatalogCore
import CatalogStore
import Foundation

/// `catalog store …`: the store itself.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Move the store between an SQLite file and a PostgreSQL registry.",
        subcommands: [StoreCopyCommand.self]
    )
}

struct StoreCopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a whole store into an empty one, SQLite to PostgreSQL or back.",
        discussion: """
            A store is an SQLite file, or a PostgreSQL registry named by a postgresql:// or postgres:// URI or \
            key=value pairs (its tables live in the schema catalog). The target must be empty; every row is copied \
            in one transaction on the target, so a copy that is stopped leaves it empty, and each table's row count \
            is compared afterwards. A PostgreSQL registry keeps no passwords: a project whose connection string \
            holds one is refused (use a passfile or a service file).
            Example: catalog store copy --from ~/.local/share/catalog/catalog.sqlite --to 'postgresql://catalog@registry-host/catalog'
            """
    )

    @Option(name: .long, help: ArgumentHelp("The store to copy: an SQLite file or a PostgreSQL connection string.", valueName: "store"))
    var from: String

    @Option(name: .long, help: ArgumentHelp("The empty store to fill: an SQLite file or a PostgreSQL connection string.", valueName: "store"))
    var to: String

    @OptionGroup var formatOptions: FormatOptions

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let report = try StoreCopy.run(
            from: StoreLocation.resolve(option: from, environment: environment), to: StoreLocation.resolve(option: to, environment: environment))
        let table = OutputTable(
            columns: ["table", "source_rows", "target_rows"],
            rows: report.tables.map { [.text($0.name), .int($0.sourceRows), .int($0.targetRows)] })
        Terminal.write(table.render(formatOptions.format))
        if formatOptions.format == .table {
            Terminal.write(
                "Copied \(report.rows) rows from \(report.source) to \(report.target) in one transaction; every table's row count matches.\n")
        }
    }
}
