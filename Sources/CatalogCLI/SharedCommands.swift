import ArgumentParser
import CatalogCore
import Foundation
import PostgresClient

/// `catalog shared …`: versioned table definitions used by many projects.
struct SharedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shared",
        abstract: "Keep shared table definitions once, with versions, and attach projects to them.",
        subcommands: [
            SharedAdd.self, SharedList.self, SharedShow.self, SharedUpdate.self, SharedDiff.self, SharedAttach.self, SharedDetach.self,
            SharedRemove.self,
        ]
    )
}

/// How a definition is printed.
enum DefinitionFormat: String, ExpressibleByArgument, CaseIterable {
    case yaml, json
}

/// `--project` / `--tag` for attach and detach.
struct AttachmentTargets: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A project (repeatable).", valueName: "project"))
    var project: [String] = []

    @Option(name: .long, help: ArgumentHelp("Every project with this tag (repeatable).", valueName: "tag"))
    var tag: [String] = []

    func validate() throws {
        if project.isEmpty && tag.isEmpty { throw ValidationError("Name projects with --project, or choose them with --tag.") }
    }

    var selection: ProjectSelection { ProjectSelection(names: project, tags: tag, strictTags: true) }
}

struct SharedAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a shared definition (version 1) from a YAML/JSON file or from a project's _metadata.",
        discussion: "Example: catalog shared add users --from billing:public.users"
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The definition's name, such as users.")
    var name: String

    @Option(name: .long, help: ArgumentHelp("A definition file (YAML or JSON).", valueName: "path"))
    var file: String?

    @Option(name: .long, help: ArgumentHelp("Take it from a project's mapping: PROJECT:SCHEMA.TABLE.", valueName: "source"))
    var from: String?

    @Option(name: .long, help: "Why; kept with the version.")
    var note: String?

    func validate() throws {
        if (file == nil) == (from == nil) { throw ValidationError("Give exactly one of --file PATH or --from PROJECT:SCHEMA.TABLE.") }
    }

    func run() throws {
        let catalog = try storeOptions.open()
        let version =
            try file.map { try catalog.addShared(name: name, file: $0, note: note) }
            ?? catalog.addShared(name: name, from: from!, note: note)
        let table = "\(version.definition.schema).\(version.definition.table)".escapingControlCharacters
        Terminal.write("added shared definition \(name) version \(version.version) (\(table), \(version.definition.columns.count) columns)\n")
    }
}

struct SharedList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List shared definitions: current version, attached projects, who is behind.",
        discussion: "Example: catalog shared list"
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    func run() throws {
        let summaries = try storeOptions.open(.readOnly).listShared()
        let table = OutputTable(
            columns: ["name", "version", "table", "attached", "behind"],
            rows: summaries.map {
                [.text($0.name), .int($0.currentVersion), .text($0.table), .list($0.attached), .list($0.behind)]
            })
        Terminal.write(table.render(formatOptions.format))
    }
}

struct SharedShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a shared definition, the newest version or the one given, as YAML or JSON.",
        discussion: "The output is a valid definition file. Example: catalog shared show users 1 --format json"
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The definition's name.")
    var name: String

    @Argument(help: ArgumentHelp("Which version (default: the newest).", valueName: "version"))
    var number: Int?

    /// The earlier spelling, `--version N`, kept for scripts; hidden because the root command's
    /// own `--version` flag is listed in every help text.
    @Option(name: .customLong("version"), help: .hidden)
    var legacyVersion: Int?

    var version: Int? { number ?? legacyVersion }

    func validate() throws {
        if let number, let legacyVersion, number != legacyVersion {
            throw ValidationError("Give the version once: catalog shared show \(name) \(number).")
        }
    }

    @Option(name: .long, help: "yaml or json.")
    var format: DefinitionFormat = .yaml

    func run() throws {
        let shown = try storeOptions.open(.readOnly).sharedVersion(name, version: version)
        Terminal.write(format == .yaml ? DefinitionFile.yaml(shown.definition) : DefinitionFile.json(shown.definition))
        Terminal.warn(
            "# \(name) version \(shown.version) by \(shown.author) at \(OutputTable.timestamp(shown.createdAt))\(shown.note.map { ": \($0)" } ?? "")")
    }
}

struct SharedUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Record a new immutable version from a file; earlier versions are kept.",
        discussion: "Example: catalog shared update users --file users.yaml --note 'add phone'"
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The definition's name.")
    var name: String

    @Option(name: .long, help: ArgumentHelp("The new definition (YAML or JSON).", valueName: "path"))
    var file: String

    @Option(name: .long, help: "Why; kept with the version.")
    var note: String?

    func run() throws {
        let version = try storeOptions.open().updateShared(name: name, file: file, note: note)
        Terminal.write("recorded \(name) version \(version.version); run 'catalog sync --plan' to see what it changes\n")
    }
}

struct SharedDiff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changed between two versions, field by field.",
        discussion: "Example: catalog shared diff users 1 2"
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    @Argument(help: "The definition's name.")
    var name: String

    @Argument(help: "The older version.")
    var from: Int

    @Argument(help: "The newer version.")
    var to: Int

    func run() throws {
        let differences = try storeOptions.open(.readOnly).diffShared(name, from: from, to: to)
        let table = OutputTable(
            columns: ["field", "from", "to"],
            rows: differences.map {
                [.text($0.path), $0.from.map { .text($0.canonicalText) } ?? .null, $0.to.map { .text($0.canonicalText) } ?? .null]
            })
        Terminal.write(table.render(formatOptions.format))
    }
}

struct SharedAttach: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Attach projects to a shared definition; 'catalog sync' then writes it into them.",
        discussion: "Example: catalog shared attach users --project shop --project crm"
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The definition's name.")
    var name: String

    @OptionGroup var targets: AttachmentTargets

    @Option(name: .long, help: "Pin to this version instead of following the newest.")
    var pin: Int?

    func run() throws {
        let projects = try storeOptions.open().attachShared(name, to: targets.selection, pin: pin)
        Terminal.write("attached \(projects.joined(separator: ", ")) to \(name); run 'catalog sync --plan' next\n")
    }
}

struct SharedDetach: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detach",
        abstract: "Detach projects from a shared definition; their _metadata rows stay as they are.",
        discussion: "Example: catalog shared detach users --project crm"
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The definition's name.")
    var name: String

    @OptionGroup var targets: AttachmentTargets

    func run() throws {
        let projects = try storeOptions.open().detachShared(name, from: targets.selection)
        Terminal.write("detached \(projects.joined(separator: ", ")) from \(name)\n")
    }
}

struct SharedRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a shared definition: it is archived, its versions are kept. Prints the plan first.",
        discussion: """
            A removed definition is no longer listed, attached, updated or synced, but 'catalog shared show NAME N' \
            still prints its versions and its name stays taken. Refuses while projects are attached unless --detach \
            is given; detaching never touches their _metadata rows. The change is one transaction.
            Example: catalog shared remove users --detach
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The definition's name.")
    var name: String

    @Flag(name: .long, help: "Detach the attached projects too, instead of refusing.")
    var detach = false

    @Flag(name: .long, help: "Print the plan and change nothing.")
    var plan = false

    func run() throws {
        let catalog = try storeOptions.open()
        let removal = try catalog.planSharedRemoval(name)
        Terminal.write(removal.steps.map { "- \($0)\n" }.joined())
        guard !plan else { return }
        try catalog.removeShared(removal, detach: detach)
        Terminal.write(
            "removed shared definition \(name)\(removal.attached.isEmpty ? "" : "; detached \(removal.attached.joined(separator: ", "))")\n")
    }
}
