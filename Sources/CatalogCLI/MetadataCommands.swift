import ArgumentParser
import CatalogCore
import Foundation

struct MetadataInstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Create or upgrade the _metadata schema, one transaction per project.",
        discussion: "Idempotent. Example: catalog metadata install --all"
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var selection: SelectionOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var fanOut: FanOutOptionGroup

    func run() throws {
        let results = try storeOptions.open().installMetadata(selection.selection, options: fanOut.options)
        let table = OutputTable(
            columns: ["project", "result", "from_version", "to_version", "applied", "error"],
            rows: results.map { result in
                [.text(result.project), .text(result.outcome.label), Cell(result.fromVersion), Cell(result.toVersion),
                 .list(result.applied), Cell(result.outcome.reason)]
            })
        Terminal.write(table.render(formatOptions.format))
        let failed = results.filter { !$0.outcome.isOK }.count
        if failed > 0 { throw PartialFailure(failed: failed, total: results.count) }
    }
}

struct MetadataStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Per project: installed _metadata version, pending migrations and revision.",
        discussion: "Example: catalog metadata status --all"
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var selection: SelectionOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var fanOut: FanOutOptionGroup

    func run() throws {
        let status = try storeOptions.open().metadataFleetStatus(selection.selection, options: fanOut.options)
        let probes = status.map(\.probe)
        let table = OutputTable(
            columns: ["project", "reachable", "version", "pending", "revision", "problem"],
            rows: probes.map { probe in
                [.text(probe.project), .text(probe.outcome.isOK ? "yes" : "no"),
                 probe.outcome.isOK ? .text(probe.metadataVersion.map(String.init) ?? "not installed") : .null,
                 probe.outcome.isOK ? .list(probe.pending.map { String(format: "%04d", $0) }) : .null,
                 probe.revision.map { Cell.int(Int($0)) } ?? .null,
                 Cell(probe.problem ?? probe.outcome.reason)]
            })
        Terminal.write(MetadataFleetColumns.adding(status, to: table).render(formatOptions.format))
        let failed = probes.filter { !$0.outcome.isOK || $0.problem != nil }.count
        if failed > 0 { throw PartialFailure(failed: failed, total: probes.count) }
    }
}

struct MetadataScan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Fill and refresh _metadata from each database's real catalog; human fields are never overwritten.",
        discussion: "Vanished tables and columns are reported; --prune removes them. Example: catalog metadata scan --all"
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var selection: SelectionOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var fanOut: FanOutOptionGroup

    @Flag(name: .long, help: "Delete the mappings of tables and columns that no longer exist.")
    var prune = false

    func run() throws {
        let results = try storeOptions.open().scanMetadata(selection.selection, prune: prune, options: fanOut.options)
        let table = OutputTable(
            columns: ["project", "result", "relations", "tables_added", "tables_changed", "columns_added", "columns_changed", "missing", "pruned", "error"],
            rows: results.map { result in
                [.text(result.project), .text(result.outcome.label), .int(result.relations), .int(result.tablesAdded), .int(result.tablesChanged),
                 .int(result.columnsAdded), .int(result.columnsChanged), .list(result.missing), .int(result.pruned), Cell(result.outcome.reason)]
            })
        Terminal.write(table.render(formatOptions.format))
        let missing = results.filter { !$0.missing.isEmpty && !prune }
        if !missing.isEmpty && formatOptions.format == .table {
            Terminal.warn("\(missing.map(\.missing.count).reduce(0, +)) mapped table(s) or column(s) no longer exist; rerun with --prune to remove their mappings")
        }
        let failed = results.filter { !$0.outcome.isOK }.count
        if failed > 0 { throw PartialFailure(failed: failed, total: results.count) }
    }
}
