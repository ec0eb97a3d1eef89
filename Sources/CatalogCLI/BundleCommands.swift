import ArgumentParser
import CatalogCore
import Foundation

/// `catalog export`: one project into one bundle file.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a project into one bundle file: schema, data, _metadata and the shared definitions it uses.",
        discussion: """
            The row counts, both pg_dumps and the _metadata rows come from one snapshot. The manifest lists every \
            file with its size and SHA-256; no password or connection string goes into the bundle. A database with \
            foreign-data-wrapper user mappings is refused (pg_dump would include their passwords) unless \
            --include-user-mappings is given. The file is written under a temporary name and renamed only when \
            complete; --overwrite replaces only an earlier bundle. Progress goes to stderr on a terminal.
            Example: catalog export billing -o billing.catalog
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    @Argument(help: "The project to export.")
    var project: String

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The bundle file to write.", valueName: "file"))
    var output: String

    @Flag(name: .long, help: "Only the schema and _metadata: leave out every other table's data.")
    var metadataOnly = false

    @Flag(name: .long, help: "Replace an earlier bundle at the path (once the new bundle is complete); never any other file.")
    var overwrite = false

    @Flag(name: .long, help: "Export a database with foreign-data-wrapper user mappings, passwords included.")
    var includeUserMappings = false

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Seconds to wait for the connection, \(Seconds.bounds).", valueName: "seconds"))
    var timeout: Seconds = 10

    func run() throws {
        let options = ExportOptions(
            metadataOnly: metadataOnly, overwrite: overwrite, includeUserMappings: includeUserMappings,
            connectTimeout: timeout.wholeSeconds,
            catalogVersion: CatalogCommand.version, progress: BundleViews.progressPrinter())
        let result = try storeOptions.open().export(project: project, to: output, options: options)
        let manifest = result.manifest
        let table = OutputTable(
            columns: ["project", "file", "size_bytes", "sha256", "tables", "rows", "metadata_rows", "shared", "seconds"],
            rows: [
                [
                    .text(project), .text(result.record.file), .int(Int(result.record.sizeBytes)), .text(result.record.sha256),
                    .int(manifest.tables.count), .int(manifest.tables.reduce(0) { $0 + $1.rows }),
                    .int(manifest.metadataTables.reduce(0) { $0 + $1.rows }),
                    .list(manifest.shared.map { "\($0.name)@\($0.usedVersion)" }), .double(result.record.durationSeconds),
                ]
            ])
        Terminal.write(table.render(formatOptions.format))
    }
}

/// `catalog import`: a bundle into a new or empty database, registered in this store.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Restore a bundle into a new or empty database, reconcile its shared definitions and register it.",
        discussion: """
            Every checksum and the format version are checked before anything is touched, then the plan is \
            printed. A new database is restored under a temporary name and renamed only at the end, so a failure \
            or a kill leaves nothing under the target name (the next run drops what a kill left); an existing \
            empty database gets one pg_restore --single-transaction. Owners and privileges are not restored \
            unless --keep-owners is given; --replace first backs the old database up into --backup-dir. Afterwards \
            every table's row count and the _metadata rows are compared with the manifest and printed (with \
            --format json, csv or tsv only that comparison, or only the plan with --plan).
            Example: catalog import billing.catalog --as billing --dsn 'postgresql://app@db2/billing_db' --create-database
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    @Argument(help: ArgumentHelp("The bundle file, from 'catalog export'.", valueName: "bundle"))
    var bundle: String

    @Option(name: .customLong("as"), help: ArgumentHelp("The name to register the project under. Default: the bundle's.", valueName: "name"))
    var name: String?

    @Option(name: .long, help: ArgumentHelp("The target database's connection string; it must name the database.", valueName: "dsn"))
    var dsn: String

    @Option(name: .long, help: ArgumentHelp("A tag for the registered project (repeatable).", valueName: "tag"))
    var tag: [String] = []

    @Flag(name: .long, help: "Create the target database if it does not exist.")
    var createDatabase = false

    @Flag(name: .long, help: "Replace a target database that holds data, after a safety backup.")
    var replace = false

    @Flag(name: .long, help: "Restore the source's owners and privileges (the roles must exist on the target).")
    var keepOwners = false

    @Flag(name: .long, help: "When a shared definition differs from this store's, keep this store's.")
    var keepTarget = false

    @Flag(name: .long, help: "When a shared definition differs from this store's, add the bundle's as a new version.")
    var adoptBundle = false

    @Flag(name: .long, help: "Print the plan and change nothing.")
    var plan = false

    @OptionGroup var backupDirectory: BackupDirectoryOption

    @OptionGroup var timeoutOptions: TimeoutOptions

    func validate() throws {
        if keepTarget && adoptBundle { throw ValidationError("Pass --keep-target or --adopt-bundle, not both.") }
    }

    func run() throws {
        let catalog = try storeOptions.open()
        let request = ImportRequest(
            name: name, dsn: dsn, tags: tag, createDatabase: createDatabase, replace: replace, keepOwners: keepOwners,
            sharedChoice: keepTarget ? .keepTarget : (adoptBundle ? .adoptBundle : .refuse), connectTimeout: timeoutOptions.timeout.wholeSeconds,
            backupDirectory: backupDirectory.path, catalogVersion: CatalogCommand.version)
        let progress = BundleViews.progressPrinter()
        progress?("checking \(bundle)")
        let contents = try BundleContents(path: bundle)
        let importPlan = try catalog.planImport(contents, request: request)
        if plan || formatOptions.format == .table {
            Terminal.write(BundleViews.steps(importPlan).render(formatOptions.format))
        }
        if plan { return }
        let result = try catalog.runImport(importPlan, bundle: contents, request: request, progress: progress)
        if formatOptions.format == .table { Terminal.write("\n") }
        Terminal.write(BundleViews.verification(result.verification).render(formatOptions.format))
        guard result.verification.isOK else {
            throw PartialFailure(
                failed: 1, total: 1,
                summary:
                    "the copy in database \(importPlan.database) does not match the bundle (see the failed rows above), so it was not registered; empty the database and import again"
            )
        }
        if formatOptions.format == .table {
            let backup = result.safetyBackup.map { "; safety backup \($0.id ?? 0): \($0.file)" } ?? ""
            let aside = result.setAsideDatabase.map { "; the old database is kept as \($0) until 'catalog backup prune'" } ?? ""
            Terminal.write(
                "\nimported \(importPlan.project) into \(importPlan.database) on \(importPlan.server) (\(importPlan.mode.rawValue)) in \(String(format: "%.1f", result.seconds)) s\(backup)\(aside)\n"
            )
        }
    }
}

/// `catalog bundle …`: bundles without any database.
struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Look into bundle files written by 'catalog export'.",
        subcommands: [BundleInspect.self]
    )
}

struct BundleInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a bundle's manifest and check every file's size and SHA-256, without any database.",
        discussion: """
            Exits 2 with the reason if the bundle is truncated, corrupted, of a newer format or not a bundle. \
            --format json prints the manifest itself.
            Example: catalog bundle inspect billing.catalog
            """
    )

    @OptionGroup var formatOptions: FormatOptions

    @Argument(help: ArgumentHelp("The bundle file.", valueName: "bundle"))
    var bundle: String

    func run() throws {
        let manifest = try Catalog.inspectBundle(bundle)
        switch formatOptions.format {
        case .json:
            Terminal.write(String(decoding: try manifest.encoded(), as: UTF8.self))
        case .table:
            Terminal.write(BundleViews.summary(manifest).render(.table) + "\n" + BundleViews.files(manifest).render(.table))
            if !manifest.shared.isEmpty { Terminal.write("\n" + BundleViews.shared(manifest).render(.table)) }
        case .csv, .tsv:
            Terminal.write(BundleViews.files(manifest).render(formatOptions.format))
        }
    }
}

/// The tables the bundle commands print.
enum BundleViews {
    static func steps(_ plan: ImportPlan) -> OutputTable {
        OutputTable(columns: ["step", "action"], rows: plan.steps.enumerated().map { [.int($0.offset + 1), .text($0.element)] })
    }

    static func verification(_ verification: ImportVerification) -> OutputTable {
        OutputTable(
            columns: ["check", "object", "expected", "actual", "result", "note"],
            rows: verification.checks.map { check in
                [
                    .text(check.kind), .text(check.object), .int(check.expected), Cell(check.actual), .text(check.isOK ? "ok" : "failed"),
                    Cell(check.note),
                ]
            })
    }

    static func summary(_ manifest: BundleManifest) -> OutputTable {
        let source = manifest.source
        let fields: [(String, Cell)] = [
            ("format_version", .int(manifest.formatVersion)), ("catalog_version", .text(manifest.catalogVersion)),
            ("project", .text(manifest.project)), ("created_at", Cell(manifest.createdAt)),
            ("source_server_version", .text(source.serverVersion)), ("source_database", .text(source.database)),
            ("encoding", .text("\(source.encoding), \(source.localeProvider) \(source.collate)")),
            ("metadata_only", .bool(manifest.metadataOnly)), ("metadata_version", Cell(manifest.metadataVersion)),
            ("objects", .text(manifest.objectSummary.joined(separator: ", "))),
            ("tables", .int(manifest.tables.count)), ("rows", .int(manifest.tables.reduce(0) { $0 + $1.rows })),
            ("metadata_rows", .int(manifest.metadataTables.reduce(0) { $0 + $1.rows })),
        ]
        return OutputTable(columns: ["field", "value"], rows: fields.map { [.text($0.0), $0.1] })
    }

    static func files(_ manifest: BundleManifest) -> OutputTable {
        OutputTable(
            columns: ["file", "size_bytes", "sha256", "check"],
            rows: manifest.files.map { file in
                [.text(file.path), .int(Int(file.size)), .text(file.sha256), .text("ok")]
            })
    }

    static func shared(_ manifest: BundleManifest) -> OutputTable {
        OutputTable(
            columns: ["shared", "versions", "pinned", "synced"],
            rows: manifest.shared.map { use in
                [.text(use.name), .list(use.versions.map { String($0.version) }), Cell(use.pinnedVersion), Cell(use.syncedVersion)]
            })
    }

    /// Progress lines on stderr, only when stderr is a terminal.
    static func progressPrinter() -> (@Sendable (String) -> Void)? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        return { step in Terminal.warn("\(step)…") }
    }
}
