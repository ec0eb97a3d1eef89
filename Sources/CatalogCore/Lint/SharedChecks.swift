import CatalogStore

/// `shared-divergence` and `shared-candidate`: projects' tables against the shared definitions.
enum SharedChecks {
    /// One finding per attachment whose table disagrees with the version it is compared against.
    static func divergences(_ snapshot: LintSnapshot) -> [LintFinding] {
        let selected = Set(snapshot.projects.filter { $0.index != nil }.map(\.name))
        let attachedTables = Set(snapshot.attachments.map { key($0.project, $0.version.definition.schema, $0.version.definition.table) })
        guard !attachedTables.isEmpty else { return [] }
        let columns = snapshot.columns
        let public_ = columns.code(of: "public")
        let attachedCodes = Set(
            snapshot.attachments.compactMap { attachment -> TableCode? in
                TableCode(columns, attachment.project, attachment.version.definition.schema, attachment.version.definition.table)
            })
        var columnsByTable: [String: [String: IndexedColumn]] = [:]
        for index in 0..<columns.count {
            let code = TableCode(columns, index, public: public_)
            guard attachedCodes.contains(code) else { continue }
            let column = columns.column(index)
            columnsByTable[key(column.project, column.schema ?? "public", column.table), default: [:]][column.name] = column
        }
        let tables = Set(snapshot.tables.map { key($0.project, $0.table.schema ?? "public", $0.table.name) })
        return snapshot.attachments.filter { selected.contains($0.project) }.compactMap { attachment in
            let definition = attachment.version.definition
            let tableKey = key(attachment.project, definition.schema, definition.table)
            let where_ = "\(attachment.project) \(definition.schema).\(definition.table)"
            let against = "\"\(attachment.definition)\" version \(attachment.version.version)"
            guard let real = columnsByTable[tableKey] ?? (tables.contains(tableKey) ? [:] : nil) else {
                return LintFinding(
                    rule: .sharedDivergence, table: definition.table, identity: [attachment.definition, attachment.project],
                    projects: [attachment.project], message: "\(where_) is attached to \(against) but the table is not in the index",
                    details: ["scan the project, or sync the definition into it"])
            }
            var differences: [String] = []
            for column in definition.columns {
                guard let ours = real[column.name] else {
                    differences.append("missing column \(column.name) (\(LintTypeName(column.type).text))")
                    continue
                }
                let theirs = LintTypeName(column.type)
                if let type = ours.type, LintTypeName(type) != theirs {
                    differences.append("\(column.name): type \(LintTypeName(type).text), the definition has \(theirs.text)")
                }
                if let nullable = column.nullable, let actual = ours.isNullable, nullable != actual {
                    differences.append(
                        "\(column.name): \(actual ? "nullable" : "NOT NULL"), the definition has \(nullable ? "nullable" : "NOT NULL")")
                }
            }
            for name in real.keys.sorted() where definition.column(name) == nil {
                differences.append("extra column \(name) (\(real[name]!.type.map { LintTypeName($0).text } ?? "?"))")
            }
            guard !differences.isEmpty else { return nil }
            return LintFinding(
                rule: .sharedDivergence, table: definition.table, identity: [attachment.definition, attachment.project],
                projects: [attachment.project],
                message: "\(where_) disagrees with \(against) in \(differences.count) place\(differences.count == 1 ? "" : "s")",
                details: differences)
        }
    }

    /// One finding per definition: the projects with a table of its name that are not attached.
    static func candidates(_ snapshot: LintSnapshot) -> [LintFinding] {
        let attached = Set(snapshot.attachments.map { "\($0.project)\u{0}\($0.definition)" })
        var tablesByName: [String: [(project: String, schema: String)]] = [:]
        for (project, table) in snapshot.tables
        where table.kind == nil || table.kind == RelationKind.table.rawValue
            || table.kind == RelationKind.partitionedTable.rawValue
        {
            tablesByName[table.name, default: []].append((project, table.schema ?? "public"))
        }
        var columns: [String: [String: String]] = [:]
        let coded = snapshot.columns
        let wantedNames = Set(snapshot.shared.compactMap { coded.code(of: $0.definition.table) })
        for index in 0..<coded.count where wantedNames.contains(coded.table[index]) {
            let column = coded.column(index)
            columns[key(column.project, column.schema ?? "public", column.table), default: [:]][column.name] = column.type
        }
        return snapshot.shared.sorted { $0.name < $1.name }.compactMap { shared in
            let definition = shared.definition
            var seen = Set<String>()
            var details: [String] = []
            for table in (tablesByName[definition.table] ?? []).sorted(by: { ($0.project, $0.schema) < ($1.project, $1.schema) })
            where !attached.contains("\(table.project)\u{0}\(shared.name)") && seen.insert(table.project).inserted {
                let real = columns[key(table.project, table.schema, definition.table)] ?? [:]
                let names = Set(real.keys).union(definition.columns.map(\.name))
                let same = definition.columns.filter { column in
                    real[column.name].map { LintTypeName($0) == LintTypeName(column.type) } ?? false
                }.count
                let percent = names.isEmpty ? 100 : same * 100 / names.count
                details.append("\(table.project) \(table.schema).\(definition.table): \(percent) % match (\(same) of \(names.count) columns)")
            }
            guard !seen.isEmpty else { return nil }
            return LintFinding(
                rule: .sharedCandidate, table: definition.table, identity: [shared.name], projects: Array(seen),
                message:
                    "\(Linter.projects(seen.count)) \(seen.count == 1 ? "has its" : "have their") own \(definition.table) table, not attached to the shared \"\(shared.name)\"",
                details: details)
        }
    }

    static func key(_ project: String, _ schema: String, _ table: String) -> String { "\(project)\u{0}\(schema)\u{0}\(table)" }
}

/// One table of one project by the codes of its project, schema and table names; no schema is `public`.
struct TableCode: Hashable {
    var project: Int32
    var schema: Int32
    var table: Int32

    /// Column `index`'s table; `public` is the code of "public", if any column has it.
    init(_ columns: CodedColumns, _ index: Int, public: Int32?) {
        project = columns.project[index]
        let schema = columns.schema[index]
        self.schema = schema == CodedColumns.none ? (`public` ?? CodedColumns.none) : schema
        table = columns.table[index]
    }

    /// A table named in texts; nil when no column has one of the names (so no column is in it).
    init?(_ columns: CodedColumns, _ project: String, _ schema: String, _ table: String) {
        guard let project = columns.code(of: project), let table = columns.code(of: table) else { return nil }
        if let code = columns.code(of: schema) {
            self.schema = code
        } else if schema == "public" {
            self.schema = CodedColumns.none
        } else {
            return nil
        }
        self.project = project
        self.table = table
    }
}

/// `missing-metadata`: projects never read or with an old `_metadata`, and shared columns without a label.
enum MetadataChecks {
    static func findings(_ snapshot: LintSnapshot) -> [LintFinding] {
        var findings: [LintFinding] = []
        for project in snapshot.projects {
            guard let index = project.index else {
                findings.append(
                    LintFinding(
                        rule: .missingMetadata, identity: ["never-read", project.name], projects: [project.name],
                        message: "\(project.name) is not in the index: nothing has read its _metadata into it yet",
                        details: ["install and scan its _metadata if it has none, then read it live with catalog lint"]))
                continue
            }
            if let version = index.metadataVersion, version < snapshot.metadataVersion {
                findings.append(
                    LintFinding(
                        rule: .missingMetadata, identity: ["outdated", project.name], projects: [project.name],
                        message: "\(project.name) has _metadata version \(version), older than this catalog's \(snapshot.metadataVersion)",
                        details: ["upgrade it with 'catalog metadata install \(project.name)'"]))
            }
        }
        let selected = Set(snapshot.projects.map(\.name))
        for shared in snapshot.shared.sorted(by: { $0.name < $1.name }) {
            let users = snapshot.attachments.filter { $0.definition == shared.name && selected.contains($0.project) }.map(\.project)
            guard !users.isEmpty else { continue }
            for column in shared.definition.columns where (column.label ?? "").isEmpty {
                findings.append(
                    LintFinding(
                        rule: .missingMetadata, column: column.name, table: shared.definition.table, identity: ["unlabelled", shared.name],
                        projects: users, message: "column \(column.name) of the shared \"\(shared.name)\" version \(shared.version) has no label",
                        details: ["attached to \(Linter.list(users.sorted()))"]))
            }
        }
        return findings
    }
}
