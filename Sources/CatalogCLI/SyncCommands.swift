import ArgumentParser
import CatalogCore
import Foundation

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Write shared definitions into the projects attached to them, after showing the plan.",
        discussion: """
            Per project: create, update, unchanged or conflict, field by field. Writes _metadata only, never DDL. \
            Projects with conflicts are left untouched (exit 1). Example: catalog sync --plan
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var fanOut: FanOutOptionGroup

    @OptionGroup var filter: ProjectFilterOptions

    @Option(name: .long, help: ArgumentHelp("Only this shared definition (repeatable).", valueName: "name"))
    var definition: [String] = []

    @Flag(name: .long, help: "Print the plan and change nothing.")
    var plan = false

    @Flag(name: .long, help: "The shared version wins every field it sets; the local values lost are listed first.")
    var force = false

    @Option(name: .long, help: ArgumentHelp("Apply only if the plan still has this hash.", valueName: "hash"))
    var expectPlan: String?

    func run() throws {
        let catalog = try storeOptions.open()
        let selection = filter.selection
        let planned = try catalog.planSync(selection, definitions: definition, force: force, options: fanOut.options)
        Terminal.write(SyncOutput.render(planned.plan, format: formatOptions.format))
        SearchOutput.reportFailures(planned.failures, sources: [])
        if plan {
            let conflicted = Set(planned.plan.projects.filter { $0.action == .conflict }.map(\.project))
            if !conflicted.isEmpty || !planned.failures.isEmpty {
                throw PartialFailure(
                    failed: conflicted.count + planned.failures.count, total: planned.plan.projects.count,
                    summary: "\(conflicted.count) project(s) with conflicts, \(planned.failures.count) unreachable; sync would leave them untouched")
            }
            return
        }
        let report = try catalog.sync(
            selection, definitions: definition, force: force, expectPlan: expectPlan ?? planned.plan.hash,
            options: fanOut.options(progress: Terminal.progress(doing: "syncing", done: "synced")))
        for result in report.results {
            let written = result.plans.filter { $0.action == .create || $0.action == .update }.map(\.definition)
            switch result.outcome {
            case .ok where !written.isEmpty: Terminal.warn("\(result.project): synced \(written.joined(separator: ", "))")
            case .ok: break
            default: Terminal.warn("\(result.project): \(result.outcome.label): \(result.outcome.reason ?? "")")
            }
        }
        SearchOutput.reportFailures(report.failures, sources: [])
        let failed = report.results.filter { !$0.outcome.isOK }.count + report.failures.count
        if failed > 0 { throw PartialFailure(failed: failed, total: report.results.count + report.failures.count) }
    }
}

/// Prints a sync plan: one block per project and definition, field by field.
enum SyncOutput {
    static func render(_ plan: SyncPlan, format: OutputFormat) -> String {
        let table = OutputTable(
            columns: ["project", "definition", "action", "from_version", "to_version", "field", "resolution", "ours", "theirs"],
            rows: plan.projects.flatMap(rows))
        switch format {
        case .table:
            var text = plan.projects.map(block).joined()
            text += plan.projects.isEmpty ? "nothing to sync: no project is attached to a shared definition\n" : ""
            text += "plan \(plan.hash)\n"
            return text
        case .json:
            return SyncJSON.document(plan).rendered
        case .csv, .tsv:
            return table.render(format)
        }
    }

    static func rows(_ plan: ProjectSyncPlan) -> [[Cell]] {
        let head: [Cell] = [.text(plan.project), .text(plan.definition), .text(plan.action.rawValue), Cell(plan.fromVersion), .int(plan.toVersion)]
        return plan.lines.map { line in head + [Cell(line.field), Cell(line.resolution), Cell(line.ours), Cell(line.theirs)] }
    }

    static func block(_ plan: ProjectSyncPlan) -> String {
        let versions = "\(plan.fromVersion.map { "v\($0)" } ?? "new") -> v\(plan.toVersion)"
        var lines = ["\(plan.project)  \(plan.definition) (\(plan.schema).\(plan.table))  \(plan.action.rawValue)  \(versions)"]
        for column in plan.newColumns { lines.append("    + column \(column)") }
        for column in plan.removedColumns {
            lines.append("    ? column \(column): no longer in the shared definition; its mapping stays as the project's own")
        }
        for change in plan.changes {
            let ours = ProjectSyncPlan.text(change.ours).flatMap { $0.isEmpty ? nil : $0 } ?? "(empty)"
            let theirs = ProjectSyncPlan.text(change.theirs).flatMap { $0.isEmpty ? nil : $0 } ?? "(empty)"
            switch change.resolution {
            case .update: lines.append("    ~ \(change.path): \(ours) -> \(theirs)")
            case .conflict: lines.append("    ! \(change.path): conflict: project has \(ours), shared has \(theirs)")
            case .keepLocal: lines.append("    = \(change.path): keeps local \(ours) (shared: \(theirs))")
            case .overwriteLocal: lines.append("    - \(change.path): local \(ours) is lost; becomes \(theirs)")
            }
        }
        // Names and values come from project databases: show their control characters as escapes.
        return lines.map(\.escapingControlCharacters).joined(separator: "\n") + "\n"
    }
}
