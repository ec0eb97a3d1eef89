import CatalogStore
import Crypto
import Foundation
import PostgresClient

/// A shared definition with its newest version and who uses it, for `shared list`.
public struct SharedSummary: Sendable, Equatable {
    public var name: String
    public var currentVersion: Int
    public var table: String
    public var attached: [String]
    /// Attached projects whose synced version is older than the version they should have.
    public var behind: [String]
}

/// What changed between two versions of a definition.
public struct DefinitionDiff: Sendable, Equatable {
    public var path: String
    public var from: JSONValue?
    public var to: JSONValue?
}

extension Catalog {
    /// Adds a new shared definition (version 1) from a file.
    @discardableResult
    public func addShared(name: String, file: String, note: String? = nil) throws -> SharedVersion {
        try ProjectName.validate(name, what: "shared definition")
        return try addShared(name: name, definition: DefinitionFile.read(path: file), note: note)
    }

    /// Adds a new shared definition (version 1) from a table in a project's `_metadata`
    /// (`source` is `project:schema.table` or `project:table`).
    @discardableResult
    public func addShared(name: String, from source: String, note: String? = nil) throws -> SharedVersion {
        try ProjectName.validate(name, what: "shared definition")
        let definition = try definitionFromProject(source)
        return try addShared(name: name, definition: definition, note: note ?? "taken from \(source)")
    }

    @discardableResult
    public func addShared(name: String, definition: TableDefinition, note: String?) throws -> SharedVersion {
        try ProjectName.validate(name, what: "shared definition")
        return try appendVersion(name: name, definition: definition, note: note, expectedPrevious: nil, action: "shared.add")
    }

    /// Records a new immutable version; refuses when nothing changed.
    @discardableResult
    public func updateShared(name: String, file: String, note: String? = nil) throws -> SharedVersion {
        let definition = try DefinitionFile.read(path: file)
        let current = try sharedVersion(name)
        guard current.definition != definition else {
            throw CatalogError("\(file) is the same as \"\(name)\" version \(current.version); nothing to update")
        }
        return try appendVersion(name: name, definition: definition, note: note, expectedPrevious: current.version, action: "shared.update")
    }

    private func appendVersion(
        name: String, definition: TableDefinition, note: String?, expectedPrevious: Int?, action: String
    ) throws -> SharedVersion {
        let body = DefinitionFile.storageText(definition)
        let digest = SHA256.hash(data: Data(body.utf8)).map { String(format: "%02x", $0) }.joined()
        let author = AuditEntry.currentActor
        let version = try wrapped {
            try store.appendSharedVersion(
                name: name, body: body, sha256: digest, author: author, note: note, expectedPrevious: expectedPrevious,
                audit: AuditEntry(action: action, target: name, result: "ok", detail: "version \((expectedPrevious ?? 0) + 1)"))
        }
        return SharedVersion(name: name, version: version, definition: definition, author: author, note: note, createdAt: Date())
    }

    /// Every version of a definition, oldest first; a clear error if there is none.
    public func sharedHistory(_ name: String) throws -> [SharedVersion] {
        let stored = try wrapped { try store.sharedVersions(named: name) }
        guard !stored.isEmpty else {
            throw CatalogError(.notFound, "shared definition \"\(name)\" does not exist", remedy: .listShared)
        }
        return try stored.map(Self.sharedVersion)
    }

    /// One version of a definition (the newest when `version` is nil).
    public func sharedVersion(_ name: String, version: Int? = nil) throws -> SharedVersion {
        let history = try sharedHistory(name)
        guard let version else { return history.last! }
        guard let found = history.first(where: { $0.version == version }) else {
            throw CatalogError("shared definition \"\(name)\" has no version \(version); it has versions 1 to \(history.count)")
        }
        return found
    }

    static func sharedVersion(_ stored: StoredSharedVersion) throws -> SharedVersion {
        SharedVersion(
            name: stored.name, version: stored.version, definition: try DefinitionFile.fromStorage(stored.body),
            author: stored.author, note: stored.note, createdAt: stored.createdAt)
    }

    /// Every definition with its newest version, attached projects and those behind; removed
    /// (archived) definitions are left out.
    public func listShared() throws -> [SharedSummary] {
        let archived = try wrapped { try store.archivedSharedNames() }
        let versions = try wrapped { try store.sharedVersions() }.filter { !archived.contains($0.name) }
        let attachments = try wrapped { try store.attachments() }
        let newest = Dictionary(grouping: versions, by: \.name).compactMapValues { $0.max { $0.version < $1.version } }
        return try newest.keys.sorted().map { name in
            let latest = newest[name]!
            let attached = attachments.filter { $0.definition == name }
            let behind = attached.filter { ($0.syncedVersion ?? 0) < ($0.pinnedVersion ?? latest.version) }.map(\.project)
            let definition = try DefinitionFile.fromStorage(latest.body)
            return SharedSummary(
                name: name, currentVersion: latest.version, table: "\(definition.schema).\(definition.table)",
                attached: attached.map(\.project), behind: behind)
        }
    }

    /// Field-by-field differences between two versions.
    public func diffShared(_ name: String, from: Int, to: Int) throws -> [DefinitionDiff] {
        let old = SyncFields.of(try sharedVersion(name, version: from).definition)
        let new = SyncFields.of(try sharedVersion(name, version: to).definition)
        return Set(old.keys).union(new.keys).sorted().compactMap { path in
            old[path] == new[path] ? nil : DefinitionDiff(path: path, from: old[path], to: new[path])
        }
    }

    /// Attaches projects (by name or tag) to a definition, optionally pinned to a version.
    public func attachShared(_ name: String, to selection: ProjectSelection, pin: Int? = nil) throws -> [String] {
        let history = try sharedHistory(name)
        if let pin, !history.contains(where: { $0.version == pin }) {
            throw CatalogError("shared definition \"\(name)\" has no version \(pin); it has versions 1 to \(history.count)")
        }
        let projects = try projects(selection).map(\.name)
        guard !projects.isEmpty else { throw CatalogError(.badInput, "no project matches", remedy: .nameProjectsOrTag) }
        try wrapped {
            try store.attach(
                definition: name, projects: projects, pinnedVersion: pin,
                audit: AuditEntry(action: "shared.attach", target: name, result: "ok", detail: projects.joined(separator: ", ")))
        }
        return projects
    }

    /// Detaches projects from a definition. Their `_metadata` rows stay as they are.
    public func detachShared(_ name: String, from selection: ProjectSelection) throws -> [String] {
        _ = try sharedHistory(name)
        let projects = try projects(selection).map(\.name)
        try wrapped {
            try store.detach(
                definition: name, projects: projects,
                audit: AuditEntry(action: "shared.detach", target: name, result: "ok", detail: projects.joined(separator: ", ")))
        }
        return projects
    }

    /// Builds a definition from the mapping of one table in one project (`project:schema.table`).
    func definitionFromProject(_ source: String) throws -> TableDefinition {
        guard let colon = source.firstIndex(of: ":") else {
            throw CatalogError(
                .badInput, "\"\(source)\" names no table", remedy: .giveSourceTable(example: "billing:public.users"))
        }
        let projectName = String(source[..<colon])
        let qualified = String(source[source.index(after: colon)...])
        let parts = qualified.split(separator: ".", maxSplits: 1).map(String.init)
        let (schema, table) = parts.count == 2 ? (parts[0], parts[1]) : ("public", qualified)
        guard !table.isEmpty else {
            throw CatalogError(
                .badInput, "\"\(source)\" has no table name after the colon", remedy: .giveSourceTable(example: "billing:public.users"))
        }
        let project = try project(named: projectName)
        let mapped = try wrapped(project: projectName) {
            let connection = try Connection(project.connectionString())
            return try ProjectMappings.parse(connection.query(ProjectMappings.readQuery([(schema, table)])))
        }
        guard let found = mapped[ProjectMappings.Key(schema: schema, table: table)] else {
            throw CatalogError(
                .failed, "project \"\(projectName)\" has no mapping for \(schema).\(table) in _metadata",
                remedy: .scanOrFindTable(project: projectName, table: table))
        }
        let columns = found.columns.sorted { ($0.value.position ?? .max, $0.key) < ($1.value.position ?? .max, $1.key) }.map { name, column in
            ColumnDefinition(
                name: name, type: column.type ?? "text", label: column.label, graphqlField: column.graphqlField,
                nullable: column.nullable, validationRules: column.validationRules, position: column.position)
        }
        return TableDefinition(
            schema: schema, table: table, graphqlType: found.graphqlType, label: found.label,
            description: found.description, columns: columns)
    }
}
