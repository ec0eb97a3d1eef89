import ArgumentParser
import CatalogCore
import Foundation

struct DriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Report where _metadata and reality have drifted. Exits 1 on drift, so CI can gate on it.",
        discussion: """
            Two layers: _metadata against the real tables, and each project's copy of a shared definition \
            against the store. Local overrides are listed but are not drift. Example: catalog drift --format json
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var fanOut: FanOutOptionGroup

    @OptionGroup var filter: ProjectFilterOptions

    func run() throws {
        let report = try storeOptions.open().drift(filter.selection, options: fanOut.options)
        let table = OutputTable(
            columns: ["project", "layer", "kind", "object", "detail"],
            rows: report.items.map {
                [.text($0.project), .text($0.layer.rawValue), .text($0.kind), .text($0.object), .text($0.detail(advice: ErrorAdvice.words(for:)))]
            })
        if formatOptions.format == .json {
            Terminal.write(DriftJSON.document(report, advice: ErrorAdvice.words(for:)).rendered)
        } else if report.items.isEmpty {
            Terminal.write(formatOptions.format == .table ? "no drift\n" : table.render(formatOptions.format))
        } else {
            Terminal.write(table.render(formatOptions.format))
        }
        SearchOutput.reportFailures(report.failures, sources: [])
        if report.hasDrift || !report.failures.isEmpty {
            let drifted = Set(report.items.filter(\.isDrift).map(\.project)).count
            throw PartialFailure(
                failed: drifted + report.failures.count, total: 0,
                summary: "drift in \(drifted) project(s), \(report.failures.count) could not be read")
        }
    }
}
