import ArgumentParser
import CatalogCore
import CatalogStore
import Foundation

struct ProjectCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a project database, install _metadata, attach and sync shared definitions, and register it.",
        discussion: """
            Prints the plan, then carries it out (--plan prints only the plan). All or nothing: a failure or a kill \
            leaves no database and no registry entry, and the next create on the server drops what a killed one left. \
            Creates on one server take turns; waiting for that lock is not part of --timeout.
            Example: catalog project create billing --server 'postgresql://admin@pg1/postgres' --attach users,audit_log --create-tables --tag prod
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    @Argument(help: "The new project's name: letters, digits, '_', '-', '.'.")
    var name: String

    @Option(name: .long, help: ArgumentHelp("A libpq connection string to the server (its database only reaches the server).", valueName: "dsn"))
    var server: String

    @Option(name: .long, help: ArgumentHelp("The database to create (default: NAME_db); at most 63 bytes.", valueName: "name"))
    var database: String?

    @Option(name: .long, help: ArgumentHelp("The database's owner (default: the connecting role).", valueName: "role"))
    var owner: String?

    @Option(name: .long, help: ArgumentHelp("The encoding (default: the server's).", valueName: "encoding"))
    var encoding: String?

    @Option(name: .long, help: ArgumentHelp("The collation and character type (default: the server's).", valueName: "locale"))
    var locale: String?

    @Option(name: .long, help: ArgumentHelp("Shared definitions to attach and sync, comma-separated.", valueName: "a,b"))
    var attach: String?

    @Flag(name: .long, help: "Also create the attached definitions' tables (the DDL is in the plan).")
    var createTables = false

    @Option(name: .long, help: ArgumentHelp("A tag such as prod (repeatable).", valueName: "tag"))
    var tag: [String] = []

    @OptionGroup var planOptions: PlanOptions

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Seconds the work in the new database may take, \(Seconds.bounds).", valueName: "seconds"))
    var timeout: Seconds = 60

    func validate() throws {
        if createTables && (attach ?? "").isEmpty {
            throw ValidationError("--create-tables creates the attached definitions' tables; name them with --attach.")
        }
    }

    func run() throws {
        let catalog = try storeOptions.open()
        let request = CreateRequest(
            name: name, serverDSN: server, database: database, owner: owner, encoding: encoding, locale: locale,
            attach: (attach ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            createTables: createTables, tags: tag)
        let options = LifecycleOptions(timeout: timeout.value, connectTimeout: min(10, timeout.wholeSeconds))
        let createPlan = try catalog.planCreate(request, options: options)
        let steps = LifecycleViews.steps(createPlan.steps)
        if planOptions.plan || formatOptions.format == .table { Terminal.write(steps.render(formatOptions.format)) }
        if planOptions.plan { return }
        let result = try catalog.create(createPlan, request: request, options: options)
        let table = OutputTable(
            columns: ["project", "database", "server", "seconds", "lock_wait_seconds", "cleaned_up"],
            rows: [
                [
                    .text(createPlan.project), .text(createPlan.database), .text(createPlan.server), .double(result.seconds),
                    .double(result.lockWaitSeconds), .list(result.cleanedUp),
                ]
            ])
        switch formatOptions.format {
        case .table:
            let cleaned = result.cleanedUp.isEmpty ? "" : "; dropped leftovers of killed runs: \(result.cleanedUp.joined(separator: ", "))"
            Terminal.write(
                "created project \(createPlan.project): database \(createPlan.database) on \(createPlan.server) in \(String(format: "%.2f", result.seconds)) s (waited \(String(format: "%.2f", result.lockWaitSeconds)) s for the create lock)\(cleaned)"
                    .escapingControlCharacters + "\n")
        case .json: Terminal.write(table.object(table.rows[0]).rendered)
        case .csv, .tsv: Terminal.write(table.render(formatOptions.format))
        }
    }
}

/// How lifecycle plans are shown.
enum LifecycleViews {
    static func steps(_ steps: [String]) -> OutputTable {
        OutputTable(columns: ["step", "action"], rows: steps.enumerated().map { [.int($0.offset + 1), .text($0.element)] })
    }

    static func archived(_ projects: [ArchivedProject]) -> OutputTable {
        OutputTable(
            columns: ["name", "archived_at", "backup_id", "sha256", "database", "server"],
            rows: projects.map { project in
                [
                    .text(project.name), Cell(project.archivedAt), Cell(project.backupID.map { Int($0) }), .text(project.sha256),
                    .text(project.database), .text(project.server),
                ]
            })
    }
}

struct ProjectArchive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Back up a project, verify the backup by restoring it, drop its database, and mark it archived.",
        discussion: """
            A backup that fails or does not verify (restored into a temporary database, every table's row count \
            compared) leaves the database as it was. Archived projects leave the default listings and searches; \
            'catalog project list --archived' shows them. Destructive: prints the plan and needs --yes.
            Example: catalog project archive old_shop --yes
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The project to archive.")
    var name: String

    @Option(name: .long, help: ArgumentHelp("Where the archive backup goes (default: backups/ beside the store).", valueName: "dir"))
    var directory: String?

    @Flag(name: .long, help: "Go ahead: drop the database once its backup has verified.")
    var yes = false

    @OptionGroup var planOptions: PlanOptions

    @OptionGroup var timeoutOptions: TimeoutOptions

    func validate() throws {
        if !yes && !planOptions.plan {
            throw ValidationError(
                "Archiving drops the database of project '\(name)' after a verified backup; pass --yes to go ahead, or --plan to see the steps first."
            )
        }
    }

    func run() throws {
        let catalog = try storeOptions.open()
        let options = LifecycleOptions(connectTimeout: timeoutOptions.timeout.wholeSeconds)
        let archivePlan = try catalog.planArchive(name, directory: directory, options: options)
        Terminal.write(LifecycleViews.steps(archivePlan.steps).render(.table))
        if planOptions.plan { return }
        let backup = try catalog.archive(archivePlan, options: options)
        Terminal.write(
            "archived project \(name): backup \(backup.id ?? 0) (\(backup.file), sha256 \(backup.sha256)) verified; database \(archivePlan.database) dropped"
                .escapingControlCharacters + "\n")
    }
}

struct ProjectClone: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clone",
        abstract: "Copy a project's database into a new project, on its server or another one.",
        discussion: """
            On the same server, an idle source is copied with CREATE DATABASE … TEMPLATE; a busy one (or --snapshot, \
            or --schema-only) with pg_dump/pg_restore from one snapshot, so the source keeps running. Another server \
            (--server) takes the snapshot path, as export and import do. The clone gets its own lineage id and records \
            its source and revision (see 'catalog project show'). Prints the plan, then carries it out (--plan prints only the plan).
            Example: catalog project clone billing billing_staging --tag staging
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    @Argument(help: "The registered project to copy.")
    var source: String

    @Argument(help: "The new project's name.")
    var name: String

    @Option(name: .long, help: ArgumentHelp("A libpq connection string to another server (default: the source's server).", valueName: "dsn"))
    var server: String?

    @Option(name: .long, help: ArgumentHelp("The clone's database (default: NAME_db); at most 63 bytes.", valueName: "name"))
    var database: String?

    @Flag(name: .long, help: "Copy the schema and _metadata, none of the tables' rows.")
    var schemaOnly = false

    @Flag(name: .long, help: "Copy from one pg_dump snapshot even when the source is idle.")
    var snapshot = false

    @Option(name: .long, help: ArgumentHelp("A tag such as staging (repeatable).", valueName: "tag"))
    var tag: [String] = []

    @OptionGroup var planOptions: PlanOptions

    @OptionGroup var timeoutOptions: TimeoutOptions

    func run() throws {
        let catalog = try storeOptions.open()
        let request = CloneRequest(
            source: source, name: name, serverDSN: server, database: database, schemaOnly: schemaOnly, snapshot: snapshot, tags: tag)
        let options = LifecycleOptions(connectTimeout: timeoutOptions.timeout.wholeSeconds)
        let clonePlan = try catalog.planClone(request, options: options)
        if planOptions.plan || formatOptions.format == .table { Terminal.write(LifecycleViews.steps(clonePlan.steps).render(formatOptions.format)) }
        if planOptions.plan { return }
        let result = try catalog.clone(clonePlan, request: request, options: options)
        let table = OutputTable(
            columns: ["project", "source", "revision", "path", "database", "server", "seconds"],
            rows: [
                [
                    .text(clonePlan.project), .text(clonePlan.source), Cell(result.revision), .text(clonePlan.path.rawValue),
                    .text(clonePlan.database), .text(clonePlan.server), .double(result.seconds),
                ]
            ])
        switch formatOptions.format {
        case .table:
            Terminal.write(
                "cloned project \(clonePlan.source) into \(clonePlan.project) (\(clonePlan.path.rawValue)): database \(clonePlan.database) on \(clonePlan.server) at revision \(result.revision.map(String.init) ?? "-") in \(String(format: "%.2f", result.seconds)) s"
                    .escapingControlCharacters + "\n")
        case .json: Terminal.write(table.object(table.rows[0]).rendered)
        case .csv, .tsv: Terminal.write(table.render(formatOptions.format))
        }
    }
}

struct ProjectRename: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rename",
        abstract: "Rename a project, with its backups, attachments and history; with --database, its database too.",
        discussion: """
            The registry and the database are renamed together or neither is. Renaming the database needs it free of \
            other sessions: the plan lists them, and --terminate-connections (with --yes) ends them.
            Example: catalog project rename billing invoicing --database
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The project's current name.")
    var name: String

    @Argument(help: "Its new name.")
    var newName: String

    @Flag(name: .long, help: "Also rename the database, to NEW_db.")
    var database = false

    @Flag(name: .long, help: "End other sessions on the database first (needs --database and --yes).")
    var terminateConnections = false

    @Flag(name: .long, help: "Go ahead with --terminate-connections.")
    var yes = false

    @OptionGroup var planOptions: PlanOptions

    @OptionGroup var timeoutOptions: TimeoutOptions

    func validate() throws {
        if terminateConnections && !database { throw ValidationError("--terminate-connections ends sessions on the database; it needs --database.") }
        if terminateConnections && !yes && !planOptions.plan {
            throw ValidationError(
                "--terminate-connections ends other sessions on '\(name)''s database; pass --yes to go ahead, or --plan to see them first.")
        }
    }

    func run() throws {
        let catalog = try storeOptions.open()
        let options = LifecycleOptions(connectTimeout: timeoutOptions.timeout.wholeSeconds)
        let renamePlan = try catalog.planRename(
            name, to: newName, renameDatabase: database, terminateConnections: terminateConnections, options: options)
        Terminal.write(LifecycleViews.steps(renamePlan.steps).render(.table))
        if planOptions.plan { return }
        let project = try catalog.rename(renamePlan, options: options)
        Terminal.write("renamed project \(name) to \(project.name) (\(project.maskedDSN))".escapingControlCharacters + "\n")
    }
}

struct ProjectUnarchive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unarchive",
        abstract: "Restore an archived project's database from its archive backup and register it again.",
        discussion: """
            Restores under a temporary name and renames it last, under the database name the project had, on its \
            server or --server's; refuses if that name is taken. Prints the plan, then carries it out (--plan prints only the plan).
            Example: catalog project unarchive old_shop
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The archived project.")
    var name: String

    @Option(name: .long, help: ArgumentHelp("A libpq connection string to another server (default: the one it was on).", valueName: "dsn"))
    var server: String?

    @OptionGroup var planOptions: PlanOptions

    @OptionGroup var timeoutOptions: TimeoutOptions

    func run() throws {
        let catalog = try storeOptions.open()
        let options = LifecycleOptions(connectTimeout: timeoutOptions.timeout.wholeSeconds)
        let unarchivePlan = try catalog.planUnarchive(name, serverDSN: server, options: options)
        Terminal.write(LifecycleViews.steps(unarchivePlan.steps).render(.table))
        if planOptions.plan { return }
        try catalog.unarchive(unarchivePlan, serverDSN: server, options: options)
        Terminal.write("unarchived project \(name): database \(unarchivePlan.database) on \(unarchivePlan.server)".escapingControlCharacters + "\n")
    }
}
