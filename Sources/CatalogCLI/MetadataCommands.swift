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
        let progress = Terminal.progress(doing: "installing _metadata in", done: "installed _metadata in")
        let results = try storeOptions.open().installMetadata(selection.selection, options: fanOut.options(progress: progress))
        let table = OutputTable(
            columns: ["project", "result", "from_version", "to_version", "applied", "error"],
            rows: results.map { result in
                [
                    .text(result.project), .text(result.outcome.label), Cell(result.fromVersion), Cell(result.toVersion),
                    .list((result.adopted.map { ["\($0) (adopted)"] } ?? []) + result.applied), Cell(result.outcome.reason),
                ]
            })
        Terminal.write(table.render(formatOptions.format))
        for advice in Self.signalAdvice(results) { Terminal.warn(advice) }
        try PartialFailure.check(results.map(\.outcome))
    }

    /// Once per server (and statement): what turns the revision signal on, for fresh searches.
    static func signalAdvice(_ results: [MetadataInstallResult]) -> [String] {
        var seen = Set<String>()
        return results.compactMap { result -> String? in
            guard let signal = result.signal, !signal.publishes, let fix = signal.fix, signal.state != .notInstalled else { return nil }
            let host = result.server
            guard seen.insert("\(host) \(fix)").inserted else { return nil }
            return "note: \(host) does not publish revisions (\(signal.state.rawValue)); for fresh searches without a connection per project, run as a superuser: \(fix)"
        }
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
                [
                    .text(probe.project), .text(probe.outcome.isOK ? "yes" : "no"),
                    probe.outcome.isOK ? .text(probe.metadataVersion.map(String.init) ?? "not installed") : .null,
                    probe.outcome.isOK ? .list(probe.pending.map { String(format: "%04d", $0) }) : .null,
                    probe.revision.map { Cell.int(Int($0)) } ?? .null,
                    Cell(probe.problem(advice: ErrorAdvice.words(for:)) ?? probe.outcome.reason),
                ]
            })
        let withFleet = MetadataFleetColumns.adding(status, to: table)
        let withSignal = OutputTable(
            columns: withFleet.columns + ["revision_signal", "signal_fix"],
            rows: zip(withFleet.rows, status).map { row, status in
                row + [
                    Cell(status.signal.map { signal in signal.state.rawValue + (signal.detail.map { ": \($0)" } ?? "") }),
                    Cell(status.signal?.fix),
                ]
            })
        Terminal.write(withSignal.render(formatOptions.format))
        let failed = probes.filter { !$0.outcome.isOK || $0.problem != nil }.count
        if failed > 0 { throw PartialFailure(failed: failed, total: probes.count) }
    }
}

struct MetadataScan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Fill and refresh _metadata from each database's real catalog; human fields are never overwritten.",
        discussion: """
            Vanished tables and columns are reported; --prune removes them, naming every label, description, \
            rule or GraphQL field it deletes. A column that looks renamed (gone, with a new one in the same \
            position and of the same type) is listed; --follow-renames moves its mapping and human fields to \
            the new name. Example: catalog metadata scan --all --plan
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var selection: SelectionOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var fanOut: FanOutOptionGroup

    @Flag(name: .long, help: "Print what the scan would change, project by project, and change nothing.")
    var plan = false

    @Flag(name: .long, help: "Delete the mappings of tables and columns that no longer exist.")
    var prune = false

    @Flag(name: .long, help: "Move a renamed column's mapping, with its label, description, rules and GraphQL field, to the new name.")
    var followRenames = false

    func run() throws {
        let catalog = try storeOptions.open()
        if plan {
            let plans = try catalog.planScan(selection.selection, prune: prune, followRenames: followRenames, options: fanOut.options)
            Terminal.write(ScanOutput.plan(plans).render(formatOptions.format))
            try PartialFailure.check(plans.map(\.outcome))
            return
        }
        let results = try catalog.scanMetadata(
            selection.selection, prune: prune, followRenames: followRenames,
            options: fanOut.options(progress: Terminal.progress(doing: "scanning", done: "scanned")))
        let table = OutputTable(
            columns: [
                "project", "result", "relations", "tables_added", "tables_changed", "columns_added", "columns_changed", "missing", "pruned",
                "renamed", "human_fields_pruned", "error",
            ],
            rows: results.map { result in
                [
                    .text(result.project), .text(result.outcome.label), .int(result.relations), .int(result.tablesAdded), .int(result.tablesChanged),
                    .int(result.columnsAdded), .int(result.columnsChanged), .list(result.missing), .int(result.pruned),
                    .list(result.renames.filter(\.followed).map(\.description)), .list(result.humanFieldsPruned), Cell(result.outcome.reason),
                ]
            })
        Terminal.write(table.render(formatOptions.format))
        ScanOutput.warn(results, pruned: prune, format: formatOptions.format)
        try PartialFailure.check(results.map(\.outcome))
    }
}

/// How `metadata scan` shows a plan, and what it says after a run.
enum ScanOutput {
    /// One row per planned step; a project with nothing to do, or one that could not be read, gets one row.
    static func plan(_ plans: [ProjectScanPlan]) -> OutputTable {
        OutputTable(
            columns: ["project", "action", "object", "detail"],
            rows: plans.flatMap { plan -> [[Cell]] in
                guard plan.outcome.isOK else { return [[.text(plan.project), .text(plan.outcome.label), .null, Cell(plan.outcome.reason)]] }
                guard !plan.steps.isEmpty else { return [[.text(plan.project), .text("unchanged"), .null, .null]] }
                return plan.steps.map {
                    [.text(plan.project), .text($0.action.rawValue), .text($0.object), .text($0.detail(advice: ErrorAdvice.words(for:)))]
                }
            })
    }

    /// Human fields deleted are always said, on standard error; the other hints only for people.
    static func warn(_ results: [ScanResult], pruned: Bool, format: OutputFormat) {
        let lost = results.flatMap(\.humanFieldsPruned)
        if !lost.isEmpty {
            Terminal.warn("pruned mappings that held human fields: \(lost.joined(separator: ", "))")
        }
        guard format == .table else { return }
        let unfollowed = results.flatMap(\.renames).filter { !$0.followed }
        if !unfollowed.isEmpty {
            Terminal.warn(
                "\(unfollowed.count) column(s) look renamed (\(unfollowed.map(\.description).joined(separator: ", "))); rerun with --follow-renames to move their mappings and human fields to the new names"
            )
        }
        let missing = results.filter { !$0.missing.isEmpty && !pruned }
        if !missing.isEmpty {
            Terminal.warn(
                "\(missing.map(\.missing.count).reduce(0, +)) mapped table(s) or column(s) no longer exist; rerun with --prune to remove their mappings (see them first with --plan)"
            )
        }
    }
}
