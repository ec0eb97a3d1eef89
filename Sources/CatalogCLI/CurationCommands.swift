import ArgumentParser
import CatalogCore
import Foundation

/// How `describe` prints: a table for people, JSON or YAML for scripts.
enum DescribeFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, yaml
}

struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Show a project's relations, or one relation's columns with their types and human fields.",
        discussion: """
            Without a relation: every relation with its kind, column count and label. With schema.table: every \
            column with its type, nullability, label, description, GraphQL field and validation rules. Live by \
            default; --cached answers from the local index. Example: catalog describe billing public.users
            """
    )

    @Argument(help: ArgumentHelp("The project.", valueName: "project"))
    var project: String

    @Argument(help: ArgumentHelp("A relation, as schema.table.", valueName: "schema.table"))
    var relation: String?

    @Flag(name: .long, help: "Answer from the local index; no database is contacted.")
    var cached = false

    @Option(name: .long, help: "Output format: table for people; json or yaml for scripts.")
    var format: DescribeFormat = .table

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var fanOut: FanOutOptionGroup

    func run() throws {
        let catalog = try storeOptions.open(cached ? .readOnly : .readWrite)
        if let relation {
            let target = try MetadataTarget(parsing: relation)
            if target.isColumn { throw ValidationError("Name a relation as schema.table; describe shows all of its columns.") }
            let description = try catalog.describeRelation(project, relation: target, cached: cached, options: fanOut.options)
            switch format {
            case .table: Terminal.write(CurationOutput.table(description))
            case .json: Terminal.write(DescribeJSON.document(description).rendered)
            case .yaml: Terminal.write(DescribeJSON.document(description).yaml)
            }
        } else {
            let description = try catalog.describeProject(project, cached: cached, options: fanOut.options)
            switch format {
            case .table: Terminal.write(CurationOutput.table(description))
            case .json: Terminal.write(DescribeJSON.document(description).rendered)
            case .yaml: Terminal.write(DescribeJSON.document(description).yaml)
            }
        }
    }
}

/// What `metadata set` and `unset` reach: one relation or column, or every match across projects.
struct CurationScopeOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The project, for a single edit.", valueName: "project"))
    var project: String?

    @Argument(help: ArgumentHelp("The relation (schema.table) or column (schema.table.column), for a single edit.", valueName: "target"))
    var target: String?

    @Flag(name: .long, help: "Fleet edit: every registered project.")
    var all = false

    @Option(name: .customLong("project"), help: ArgumentHelp("Fleet edit: this project (repeatable).", valueName: "project"))
    var projects: [String] = []

    @Option(name: .long, help: ArgumentHelp("Fleet edit: projects with this tag (repeatable).", valueName: "tag"))
    var tag: [String] = []

    @Option(name: .long, help: ArgumentHelp("Fleet edit: columns with this name (in relations named --table, if given).", valueName: "name"))
    var column: String?

    @Option(name: .long, help: ArgumentHelp("Fleet edit: relations with this name.", valueName: "name"))
    var table: String?

    @Option(name: .long, help: "How --column (or else --table) matches: exact, contains, prefix or regex.")
    var match: MatchMode = .exact

    @Flag(name: .long, help: "Match without regard to case.")
    var ignoreCase = false

    @Flag(name: .long, help: "Fleet edit: replace values people set differently (listed as lost in the plan).")
    var force = false

    @Flag(name: .long, help: "Print the plan and change nothing.")
    var plan = false

    @Option(name: .long, help: ArgumentHelp("Apply only if the plan still has this hash.", valueName: "hash"))
    var expectPlan: String?

    var isFleet: Bool { all || !projects.isEmpty || !tag.isEmpty || column != nil || table != nil }

    func validate() throws {
        if isFleet {
            guard project == nil, target == nil else {
                throw ValidationError("Give either PROJECT TARGET for one edit, or --column/--table with --all, --tag or --project for a fleet edit.")
            }
            guard column != nil || table != nil else { throw ValidationError("A fleet edit needs --column NAME or --table NAME.") }
            guard all || !projects.isEmpty || !tag.isEmpty else { throw ValidationError("A fleet edit needs --all, --tag TAG or --project NAME.") }
            if all && !projects.isEmpty { throw ValidationError("Pass --all or --project, not both.") }
        } else {
            guard project != nil, target != nil else {
                throw ValidationError(
                    "Name a project and a target (schema.table or schema.table.column), or make a fleet edit with --column/--table and --all.")
            }
            if force || match != .exact || ignoreCase {
                throw ValidationError("--force, --match and --ignore-case belong to fleet edits (--column/--table with --all, --tag or --project).")
            }
        }
    }

    func request(_ edits: [FieldEdit], action: String) throws -> MetadataEditRequest {
        guard isFleet else {
            return try MetadataEditRequest.single(project: project!, target: try MetadataTarget(parsing: target!), edits: edits, action: action)
        }
        let selector: MetadataSelector
        if let column {
            selector = .columns(try SearchQuery(.column, name: column, match: match, ignoreCase: ignoreCase), table: table)
        } else {
            selector = .tables(try SearchQuery(.table, name: table!, match: match, ignoreCase: ignoreCase))
        }
        return try MetadataEditRequest.fleet(
            ProjectSelection(names: projects, all: all, tags: tag, strictTags: true), selector: selector, edits: edits, force: force,
            action: action)
    }
}

struct MetadataSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set labels, descriptions, GraphQL names or validation rules of one relation or column, or across the fleet.",
        discussion: """
            One edit: PROJECT schema.table or PROJECT schema.table.column. Fleet edit: --column or --table with \
            --all, --tag or --project; the plan lists every change with its old and new value and ends with \
            'plan HASH'; a value a person set differently is a conflict, left alone unless --force. Each \
            project is written in one transaction under the _metadata lock, and every field goes into the \
            audit history. Example: catalog metadata set --all --column email --label 'Email address' --plan
            """
    )

    @OptionGroup var scope: CurationScopeOptions
    @OptionGroup var values: CurationValueOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var fanOut: FanOutOptionGroup

    func run() throws {
        let edits = try FieldEdit.validated(set: values.values)
        try CurationOutput.run(try scope.request(edits, action: "metadata set"), scope, storeOptions, formatOptions.format, fanOut.options)
    }
}

struct MetadataUnset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unset",
        abstract: "Empty labels, descriptions, GraphQL names or validation rules of one relation or column, or across the fleet.",
        discussion: "Example: catalog metadata unset billing public.users.email --label"
    )

    @OptionGroup var scope: CurationScopeOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var fanOut: FanOutOptionGroup

    @Flag(name: .long, help: "Empty the label.") var label = false
    @Flag(name: .long, help: "Empty the description.") var description = false
    @Flag(name: .long, help: "Empty a relation's GraphQL type name.") var graphqlType = false
    @Flag(name: .long, help: "Empty a column's GraphQL field name.") var graphqlField = false
    @Flag(name: .long, help: "Empty a column's validation rules.") var validation = false

    func run() throws {
        let fields: [(Bool, MetadataField)] = [
            (label, .label), (description, .description), (graphqlType, .graphqlType), (graphqlField, .graphqlField), (validation, .validationRules),
        ]
        let edits = try FieldEdit.validated(set: [:], unset: fields.filter(\.0).map(\.1))
        try CurationOutput.run(try scope.request(edits, action: "metadata unset"), scope, storeOptions, formatOptions.format, fanOut.options)
    }
}

/// The values `metadata set` gives.
struct CurationValueOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The label (non-empty text).", valueName: "text")) var label: String?
    @Option(name: .long, help: ArgumentHelp("The description.", valueName: "text")) var description: String?
    @Option(name: .long, help: ArgumentHelp("A relation's GraphQL type name.", valueName: "name")) var graphqlType: String?
    @Option(name: .long, help: ArgumentHelp("A column's GraphQL field name.", valueName: "name")) var graphqlField: String?
    @Option(name: .long, help: ArgumentHelp("A column's validation rules, a JSON object.", valueName: "json")) var validation: String?

    var values: [MetadataField: String] {
        let pairs: [(MetadataField, String?)] = [
            (.label, label), (.description, description), (.graphqlType, graphqlType), (.graphqlField, graphqlField), (.validationRules, validation),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { field, value in value.map { (field, $0) } })
    }
}

struct MetadataEdit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Edit one relation's human fields in $EDITOR, as YAML; only what you change is written.",
        discussion: """
            An invalid file (YAML syntax, an unknown key, an invalid value, a renamed column) is refused with the \
            line that is wrong, and nothing is written; the file is kept so your edits are not lost. \
            Example: EDITOR=nano catalog metadata edit billing public.users
            """
    )

    @Argument(help: ArgumentHelp("The project.", valueName: "project"))
    var project: String

    @Argument(help: ArgumentHelp("The relation, as schema.table.", valueName: "schema.table"))
    var relation: String

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var fanOut: FanOutOptionGroup

    func run() throws {
        let catalog = try storeOptions.open()
        let target = try MetadataTarget(parsing: relation)
        let original = try catalog.metadataEditView(project, relation: target, options: fanOut.options)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-edit-\(UUID().uuidString).yaml").path
        guard FileManager.default.createFile(atPath: file, contents: Data(original.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CatalogError("cannot write \(file); check that the temporary directory is writable")
        }
        try Self.runEditor(on: file)
        let edited = try String(contentsOfFile: file, encoding: .utf8)
        let request: MetadataEditRequest?
        do {
            request = try MetadataEditView.request(project: project, original: original, edited: edited, file: file)
        } catch let error as CatalogError {
            throw CatalogError(error.code, error.message + "; your edits are kept in \(file)")
        }
        try? FileManager.default.removeItem(atPath: file)
        guard let request else {
            Terminal.warn("nothing changed; nothing was written")
            return
        }
        let report = try catalog.applyMetadataEdit(request, options: fanOut.options)
        Terminal.write(CurationOutput.written(report))
        try CurationOutput.finish(report)
    }

    /// Runs `$VISUAL` or `$EDITOR` (else vi) on the file, through the shell so an editor with arguments works.
    static func runEditor(on file: String) throws {
        let environment = ProcessInfo.processInfo.environment
        let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(editor) \"$1\"", "catalog-edit", file]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CatalogError(
                "the editor (\(editor)) exited with status \(process.terminationStatus); nothing was written; your edits are kept in \(file)")
        }
    }
}

/// Prints descriptions, plans and what an edit wrote.
enum CurationOutput {
    static func run(
        _ request: MetadataEditRequest, _ scope: CurationScopeOptions, _ storeOptions: StoreOptions, _ format: OutputFormat,
        _ options: FanOutOptions
    ) throws {
        let catalog = try storeOptions.open()
        guard request.selector.isFleet else {
            let report = try catalog.applyMetadataEdit(request, options: options)
            Terminal.write(format == .json ? CurationJSON.document(report, advice: ErrorAdvice.words(for:)).rendered : written(report))
            sharedNote(report.plan)
            try finish(report)
            return
        }
        let planned = try catalog.planMetadataEdit(request, options: options)
        switch format {
        case .json: Terminal.write(CurationJSON.document(planned.plan, failures: planned.failures, advice: ErrorAdvice.words(for:)).rendered)
        case .csv, .tsv: Terminal.write(rows(planned.plan).render(format))
        case .table: Terminal.write(plan(planned.plan))
        }
        sharedNote(planned.plan)
        SearchOutput.reportFailures(planned.failures, sources: [])
        if scope.plan {
            let conflicted = Set(planned.plan.projects.filter { !$0.conflicts.isEmpty }.map(\.project))
            if !conflicted.isEmpty || !planned.failures.isEmpty {
                throw PartialFailure(
                    failed: conflicted.count + planned.failures.count, total: planned.plan.projects.count + planned.failures.count,
                    summary:
                        "\(conflicted.count) project(s) with conflicts, \(planned.failures.count) unreachable; the edit would leave them as they are")
            }
            return
        }
        let report = try catalog.applyMetadataEdit(request, expectPlan: scope.expectPlan ?? planned.plan.hash, options: options)
        if format != .json { Terminal.warn(written(report).trimmingCharacters(in: .newlines)) }
        try finish(report)
    }

    /// Exit status 1 when a project failed or kept conflicts.
    static func finish(_ report: CurationReport) throws {
        for result in report.results where !result.outcome.isOK {
            Terminal.warn("\(result.project): \(result.outcome.label): \(result.outcome.reason ?? "")")
        }
        SearchOutput.reportFailures(report.failures, sources: [])
        let conflicts = report.plan.conflictCount
        let failed = report.failedCount
        if failed > 0 || conflicts > 0 {
            throw PartialFailure(
                failed: failed + Set(report.plan.projects.filter { !$0.conflicts.isEmpty }.map(\.project)).count,
                total: report.results.count + report.failures.count,
                summary: "\(failed) project(s) not edited, \(conflicts) conflicting field(s) left alone (--force replaces them)")
        }
    }

    /// The plan as one row per field, for CSV and TSV.
    static func rows(_ plan: CurationPlan) -> OutputTable {
        OutputTable(
            columns: ["project", "schema", "table", "column", "field", "old", "new", "resolution", "shared_name"],
            rows: plan.projects.flatMap { project in
                project.changes.map { change in
                    [
                        .text(project.project), .text(change.target.schema), .text(change.target.table), Cell(change.target.column),
                        .text(change.field.rawValue), Cell(ProjectSyncPlan.text(change.old)), Cell(ProjectSyncPlan.text(change.new)),
                        .text(change.resolution.rawValue), Cell(change.sharedName),
                    ]
                }
            })
    }

    static func plan(_ plan: CurationPlan) -> String {
        var text = plan.projects.filter { !$0.changes.isEmpty }.map(block).joined()
        text += "\(plan.changeCount) field(s) to change in \(plan.projects.filter { !$0.writes.isEmpty }.count) project(s), "
        text += "\(plan.conflictCount) conflict(s) left alone, \(plan.unchangedCount) unchanged\n"
        text += "plan \(plan.hash)\n"
        return text
    }

    static func block(_ plan: ProjectCurationPlan) -> String {
        var lines = ["\(plan.project)  \(plan.writes.count) change(s), \(plan.conflicts.count) conflict(s), \(plan.unchanged) unchanged"]
        lines += plan.changes.map { "    " + line($0) }
        return lines.map(\.escapingControlCharacters).joined(separator: "\n") + "\n"
    }

    static func line(_ change: CurationChange) -> String {
        let old = shown(change.old)
        let new = shown(change.new)
        let shared = change.sharedName.map { "  [shared definition \($0): a local override]" } ?? ""
        switch change.resolution {
        case .write: return "~ \(change.target) \(change.field.rawValue): \(old) -> \(new)\(shared)"
        case .conflict: return "! \(change.target) \(change.field.rawValue): conflict: a person set \(old); left alone (wanted \(new))\(shared)"
        case .overwrite: return "- \(change.target) \(change.field.rawValue): \(old) is lost; becomes \(new)\(shared)"
        }
    }

    static func shown(_ value: JSONValue?) -> String {
        guard let value else { return "(empty)" }
        if case .string(let text) = value { return "'\(text)'" }
        return value.canonicalText
    }

    /// The fields one edit wrote, one line each.
    static func written(_ report: CurationReport) -> String {
        let lines = report.results.flatMap { result in result.written.map { "\(result.project)  \(line($0))" } }
        let count = report.results.reduce(0) { $0 + $1.written.count }
        let unchanged = report.plan.unchangedCount
        return (lines + ["\(count) field(s) written" + (unchanged > 0 ? ", \(unchanged) already as asked" : "")])
            .map(\.escapingControlCharacters).joined(separator: "\n") + "\n"
    }

    /// Edits of relations attached to shared definitions are local overrides: say so, and where the shared value lives.
    static func sharedNote(_ plan: CurationPlan) {
        for name in plan.sharedNames {
            Terminal.warn(
                "note: relations attached to the shared definition \"\(name)\" are edited as local overrides, which the next sync keeps; to change it for every project, use 'catalog shared update \(name) --file …'"
            )
        }
    }

    static func table(_ description: ProjectDescription) -> String {
        OutputTable(
            columns: ["schema", "table", "kind", "columns", "label", "shared"],
            rows: description.relations.map { relation in
                [
                    .text(relation.schema), .text(relation.table), Cell(relation.kind), .int(relation.columnCount), Cell(relation.label),
                    Cell(relation.sharedName),
                ]
            }
        ).render(.table)
    }

    static func table(_ description: RelationDescription) -> String {
        let summary = description.summary
        let shared = summary.sharedName.map { "  shared: \($0)" + (description.sharedVersion.map { " v\($0)" } ?? "") } ?? ""
        var head = ["\(summary.schema).\(summary.table)  \(summary.kind ?? "relation")  \(summary.columnCount) column(s)\(shared)"]
        head.append("label: \(summary.label ?? "(empty)")")
        head.append("graphql_type: \(summary.graphqlType ?? "(empty)")")
        head.append("description: \(summary.description ?? "(empty)")")
        let columns = OutputTable(
            columns: ["column", "type", "nullable", "label", "description", "graphql_field", "validation_rules"],
            rows: description.columns.map { column in
                [
                    .text(column.name), Cell(column.type), column.nullable.map(Cell.bool) ?? .null, Cell(column.label), Cell(column.description),
                    Cell(column.graphqlField), Cell(column.validationRules?.canonicalText),
                ]
            })
        return head.map(\.escapingControlCharacters).joined(separator: "\n") + "\n\n" + columns.render(.table)
    }
}
