import ArgumentParser
import CatalogCore
import CatalogStore
import Foundation

struct ProjectAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Register a project database. Does not connect.",
        discussion: "Example: catalog project add billing --dsn 'postgresql://app@127.0.0.1:5432/billing_db' --tag prod"
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "A short name for the project: letters, digits, '_', '-', '.'.")
    var name: String

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A libpq connection string: a URI or key=value pairs. Prefer ~/.pgpass or a service file to a password here.",
            valueName: "dsn"))
    var dsn: String

    @Option(name: .long, help: ArgumentHelp("A tag such as prod (repeatable).", valueName: "tag"))
    var tag: [String] = []

    func run() throws {
        let project = try storeOptions.open().addProject(name: name, dsn: dsn, tags: tag)
        Terminal.write("added project \(project.name) (\(project.maskedDSN.escapingControlCharacters))\n")
    }
}

struct ProjectList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List registered projects with what the last check found. With --check, exits 1 if any is unreachable.",
        discussion: "Example: catalog project list --check --format json"
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var fanOut: FanOutOptionGroup

    @Option(name: .long, help: ArgumentHelp("Only projects with this tag (repeatable).", valueName: "tag"))
    var tag: [String] = []

    @Flag(name: .long, help: "Connect to every project first, so REACHABLE and METADATA VERSION are live.")
    var check = false

    @Flag(name: .long, help: "List the archived projects instead, with their archive backups.")
    var archived = false

    func run() throws {
        let catalog = try storeOptions.open(check || archived ? .readWrite : .readOnly)
        if archived {
            Terminal.write(LifecycleViews.archived(try catalog.archivedProjects()).render(formatOptions.format))
            return
        }
        var probes: [ProjectProbe] = []
        if check, try !catalog.listProjects(tags: tag, strictTags: true).isEmpty {
            probes = try catalog.probe(ProjectSelection(all: true, tags: tag), options: fanOut.options)
        }
        let projects = try catalog.listProjects(tags: tag, strictTags: true)
        Terminal.write(ProjectViews.list(projects).render(formatOptions.format))
        let failed = probes.filter { !$0.outcome.isOK }.count
        if failed > 0 {
            throw PartialFailure(
                failed: failed, total: probes.count,
                summary: "\(failed) of \(probes.count) project(s) could not be reached; see 'catalog project check --all' for the reasons")
        }
    }
}

struct ProjectShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one project's registry entry (the password is masked).",
        discussion: "Example: catalog project show billing"
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    @Argument(help: "The project's name.")
    var name: String

    func run() throws {
        let catalog = try storeOptions.open(.readOnly)
        let project = try catalog.project(named: name)
        var table = ProjectViews.detail(project)
        if let origin = try catalog.cloneOrigin(of: name) {
            table.columns += ["cloned_from", "cloned_revision"]
            table.rows[0] += [.text(origin.source), Cell(origin.revision)]
        }
        switch formatOptions.format {
        case .json: Terminal.write(table.object(table.rows[0]).rendered)
        case .csv, .tsv: Terminal.write(table.render(formatOptions.format))
        case .table: Terminal.write(ProjectViews.keyValue(table))
        }
    }
}

struct ProjectCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Connect to projects in parallel and report ok or the error. Exits 1 if any failed.",
        discussion: "Example: catalog project check --all --timeout 5"
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var selection: SelectionOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var fanOut: FanOutOptionGroup

    func run() throws {
        let probes = try storeOptions.open().probe(selection.selection, options: fanOut.options)
        Terminal.write(ProjectViews.checks(probes).render(formatOptions.format))
        try PartialFailure.check(probes.map(\.outcome))
    }
}

struct ProjectUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a project's DSN or tags, keeping its history, backups and attachments. Does not connect.",
        discussion: """
            A new DSN is checked as 'project add' checks it; the last check's results and the search index \
            are cleared, since they described the old database. The change is one transaction.
            Example: catalog project update billing --dsn 'postgresql://app@10.0.0.7:5432/billing_db' --tag eu --untag us
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The project's name.")
    var name: String

    @Option(name: .long, help: ArgumentHelp("The new libpq connection string.", valueName: "dsn"))
    var dsn: String?

    @Option(name: .long, help: ArgumentHelp("A tag to add (repeatable).", valueName: "tag"))
    var tag: [String] = []

    @Option(name: .long, help: ArgumentHelp("A tag to remove (repeatable).", valueName: "tag"))
    var untag: [String] = []

    func validate() throws {
        if dsn == nil && tag.isEmpty && untag.isEmpty { throw ValidationError("Give --dsn, --tag or --untag: there is nothing to change.") }
    }

    func run() throws {
        let change = try storeOptions.open().updateProject(name: name, dsn: dsn, addTags: tag, removeTags: untag)
        var parts: [String] = []
        if change.dsnChanged {
            parts.append("dsn \(change.after.maskedDSN) (was \(change.before.maskedDSN)); run 'catalog project check \(name)' to reach it")
        }
        if change.before.tags != change.after.tags {
            parts.append("tags \(change.after.tags.isEmpty ? "none" : change.after.tags.joined(separator: ","))")
        }
        let summary = parts.isEmpty ? "nothing changed" : parts.joined(separator: "; ")
        Terminal.write("updated project \(name): \(summary.escapingControlCharacters)\n")
    }
}

struct ProjectRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Forget a project. Its database is never touched.",
        discussion: "Example: catalog project remove billing"
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The project's name.")
    var name: String

    func run() throws {
        try storeOptions.open().removeProject(named: name)
        Terminal.write("removed project \(name) from the registry; its database was not touched\n")
    }
}

/// The tables the project commands print.
enum ProjectViews {
    static func list(_ projects: [Project]) -> OutputTable {
        OutputTable(
            columns: ["name", "server", "tags", "reachable", "metadata_version", "last_checked_at"],
            rows: projects.map { project in
                [
                    .text(project.name), .text(project.server), .list(project.tags), reachable(project),
                    Cell(project.metadataVersion), Cell(project.lastCheckedAt),
                ]
            })
    }

    static func reachable(_ project: Project) -> Cell {
        switch project.status {
        case .ok: .text("yes")
        case .failed: .text("no")
        case .unknown: .text("unchecked")
        }
    }

    static func detail(_ project: Project) -> OutputTable {
        OutputTable(
            columns: [
                "name", "dsn", "server", "tags", "reachable", "status_message", "server_version",
                "metadata_version", "last_checked_at", "last_reached_at", "created_at",
            ],
            rows: [
                [
                    .text(project.name), .text(project.maskedDSN), .text(project.server), .list(project.tags),
                    reachable(project), Cell(project.statusMessage), Cell(project.serverVersion),
                    Cell(project.metadataVersion), Cell(project.lastCheckedAt), Cell(project.lastReachedAt),
                    Cell(project.createdAt),
                ]
            ])
    }

    /// A single record as `key: value` lines.
    static func keyValue(_ table: OutputTable) -> String {
        let width = table.columns.map(\.count).max() ?? 0
        return zip(table.columns, table.rows[0]).map { column, value in
            (column + ":").padding(toLength: width + 2, withPad: " ", startingAt: 0) + value.shown
        }.joined(separator: "\n") + "\n"
    }

    static func checks(_ probes: [ProjectProbe]) -> OutputTable {
        OutputTable(
            columns: ["project", "status", "server_version", "metadata_version", "seconds", "error"],
            rows: probes.map { probe in
                [
                    .text(probe.project), .text(probe.outcome.label), Cell(probe.serverVersion),
                    Cell(probe.metadataVersion), .double(probe.seconds), Cell(probe.outcome.reason),
                ]
            })
    }
}
