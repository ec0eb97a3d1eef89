import ArgumentParser
import CatalogCore
import CatalogStore
import Foundation

/// How results are printed.
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json, csv, tsv
}

/// `--store`: which store to use, an SQLite file or a PostgreSQL registry.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store: an SQLite file, or a PostgreSQL registry (postgresql://… or key=value). Default: $CATALOG_STORE, else $XDG_DATA_HOME/catalog/catalog.sqlite.",
            valueName: "store"))
    var store: String?

    /// Opens the catalog on the chosen store; commands that only read pass `.readOnly`, so a
    /// store the user may read but not write still answers them.
    func open(_ access: StoreAccess = .readWrite) throws -> Catalog {
        try Catalog(location: StoreLocation.resolve(option: store), access: access)
    }
}

/// `--format`: table for people, json/csv for scripts.
struct FormatOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: table for people; json, csv or tsv for scripts.")
    var format: OutputFormat = .table
}

/// Project names, or `--all`, optionally narrowed by `--tag`.
struct SelectionOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Project names.", valueName: "project"))
    var projects: [String] = []

    @Flag(name: .long, help: "Act on every registered project.")
    var all = false

    @Option(name: .long, help: ArgumentHelp("Only projects with this tag (repeatable).", valueName: "tag"))
    var tag: [String] = []

    var selection: ProjectSelection { ProjectSelection(names: projects, all: all, tags: tag, strictTags: true) }

    func validate() throws {
        if all && !projects.isEmpty {
            throw ValidationError("Name projects or pass --all, not both.")
        }
        if !all && projects.isEmpty && tag.isEmpty {
            throw ValidationError("Name at least one project, or pass --all (or --tag TAG).")
        }
    }
}

/// `--timeout` for commands that open a connection or two (not a fan-out): how long each may take to open.
struct TimeoutOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Seconds to wait for each connection, \(Seconds.bounds).", valueName: "seconds"))
    var timeout: Seconds = 10
}

/// `--plan` for commands that print their plan and carry it out in one go (or, destructive, with `--yes`).
struct PlanOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the plan only.")
    var plan = false
}

/// `--concurrency` and `--timeout` for commands that reach many projects.
struct FanOutOptionGroup: ParsableArguments {
    @Option(name: .long, help: "How many projects to work on at once.")
    var concurrency: Int = 16

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Seconds each project may take, \(Seconds.bounds).", valueName: "seconds"))
    var timeout: Seconds = 10

    var options: FanOutOptions { FanOutOptions(concurrency: concurrency, timeout: timeout.value) }

    /// The options, with progress reported to `progress` (the CLI's printer; nil when stderr is not a terminal).
    func options(progress: FanOutProgress?) -> FanOutOptions {
        FanOutOptions(concurrency: concurrency, timeout: timeout.value, progress: progress)
    }

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1.") }
    }
}

/// `--project` and `--tag` filters for commands that default to every project.
struct ProjectFilterOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Only this project (repeatable).", valueName: "project"))
    var project: [String] = []

    @Option(name: .long, help: ArgumentHelp("Only projects with this tag (repeatable).", valueName: "tag"))
    var tag: [String] = []

    var selection: ProjectSelection { ProjectSelection(names: project, tags: tag, strictTags: true) }
}
