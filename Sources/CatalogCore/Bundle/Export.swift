import CatalogStore
import Foundation
import PostgresClient

/// How `catalog export` writes a bundle.
public struct ExportOptions: Sendable {
    /// Leave out every table's data except `_metadata`'s.
    public var metadataOnly: Bool
    /// Replace an earlier bundle at the destination (still only once the new bundle is complete); never any other file.
    public var overwrite: Bool
    /// Export a database that has foreign-data-wrapper user mappings, with them (and their passwords) in the bundle.
    public var includeUserMappings: Bool
    /// Seconds to wait for the connection.
    public var connectTimeout: Int
    /// Recorded in the manifest, so an importer knows which catalog wrote the bundle.
    public var catalogVersion: String
    /// The tools to run; nil finds them with `PgTools.locate()`.
    public var tools: PgTools?
    /// Called as each step starts, for progress lines on a terminal.
    public var progress: (@Sendable (String) -> Void)?

    /// Options for one export; `catalogVersion` is written into the manifest.
    public init(
        metadataOnly: Bool = false, overwrite: Bool = false, includeUserMappings: Bool = false, connectTimeout: Int = 10,
        catalogVersion: String, tools: PgTools? = nil, progress: (@Sendable (String) -> Void)? = nil
    ) {
        self.metadataOnly = metadataOnly
        self.overwrite = overwrite
        self.includeUserMappings = includeUserMappings
        self.connectTimeout = connectTimeout
        self.catalogVersion = catalogVersion
        self.tools = tools
        self.progress = progress
    }
}

/// What an export wrote: the recorded file and its manifest.
public struct ExportResult: Sendable, Equatable {
    /// The export as recorded in the store's history.
    public var record: ExportRecord
    /// The manifest written into the bundle.
    public var manifest: BundleManifest
}

extension Catalog {
    /// Writes one project into a single bundle file: schema, data (unless metadata-only), `_metadata` rows and
    /// the shared definitions it uses, all from one snapshot. No password or connection string goes in:
    /// `pg_dump` cannot leave user mappings out, so a database with any is refused unless
    /// `includeUserMappings` says to take them (passwords and all).
    public func export(project name: String, to path: String, options: ExportOptions) throws -> ExportResult {
        let target = try OutputTarget.file(path, overwrite: options.overwrite, store: store.location)
        let clock = ContinuousClock()
        let start = clock.now
        let createdAt = Date()
        let project = try project(named: name)
        let shared = try sharedInUse(by: name)
        let tools = try options.tools ?? PgTools.locate()
        let writer = BundleWriter(target: target)
        try writer.prepare()
        defer { writer.cleanUp() }
        let connectionString = try project.connectionString()
        let manifest = try wrapped(project: name) {
            let connection = try Connection(connectionString, connectTimeout: options.connectTimeout)
            try Self.checkUserMappings(on: connection, project: name, include: options.includeUserMappings)
            options.progress?("reading a snapshot of \(name)")
            return try ExportSnapshot.within(connection) { snapshot in
                let dumps = ExportDumps(
                    tools: tools, connection: BackupToolConnection(connectionString, connectTimeout: options.connectTimeout),
                    snapshot: snapshot.id, project: name)
                options.progress?("pg_dump --schema-only of \(name)")
                try dumps.schema(to: writer.stagedPath(BundleLayout.schema))
                options.progress?(options.metadataOnly ? "pg_dump -Fc of \(name) (_metadata data only)" : "pg_dump -Fc of \(name)")
                try dumps.database(to: writer.stagedPath(BundleLayout.database), excludingDataOf: options.metadataOnly ? snapshot.dataSchemas : [])
                try write(BundleMetadataRows.text(snapshot.metadataRows), to: writer.stagedPath(BundleLayout.metadataRows))
                for (use, bodies) in shared {
                    for version in use.versions {
                        try write(bodies[version.version] ?? "", to: writer.stagedPath(BundleLayout.sharedVersion(use.name, version.version)))
                    }
                }
                let entries =
                    [BundleLayout.schema, BundleLayout.database, BundleLayout.metadataRows]
                    + shared.flatMap { use, _ in use.versions.map { BundleLayout.sharedVersion(use.name, $0.version) } }
                return BundleManifest(
                    format: BundleManifest.formatName, formatVersion: BundleManifest.currentFormatVersion,
                    catalogVersion: options.catalogVersion, project: name, createdAt: createdAt, metadataOnly: options.metadataOnly,
                    source: snapshot.source, metadataVersion: snapshot.metadataVersion, objects: snapshot.objects,
                    tables: snapshot.tables,
                    metadataTables: snapshot.metadataRows.keys.sorted().map {
                        BundleManifest.TableRows(schema: "_metadata", name: $0, rows: snapshot.metadataRows[$0]?.count ?? 0)
                    },
                    shared: shared.map(\.use), files: try entries.map(writer.describe),
                    userMappings: options.includeUserMappings ? BundleManifest.userMappingsIncluded : BundleManifest.userMappingsRefused)
            }
        }
        options.progress?("writing \(writer.destination)")
        try writer.commit(manifest, stored: [BundleLayout.database])
        let size = try FileManager.default.attributesOfItem(atPath: writer.destination)[.size] as? Int64 ?? 0
        let record = try wrapped {
            try store.insertExport(
                ExportRecord(
                    project: name, file: writer.destination, sizeBytes: size, sha256: BackupChecksum.sha256(ofFile: writer.destination),
                    metadataOnly: options.metadataOnly, formatVersion: manifest.formatVersion,
                    serverVersion: manifest.source.serverVersion, catalogVersion: options.catalogVersion,
                    createdAt: createdAt, durationSeconds: (clock.now - start).seconds),
                audit: AuditEntry(action: "bundle.export", target: name, result: "ok", detail: writer.destination))
        }
        return ExportResult(record: record, manifest: manifest)
    }

    /// The shared definitions a project is attached to, each with its history up to the newest version it
    /// uses (synced or pinned; the newest when neither), and the bodies of those versions by number.
    func sharedInUse(by project: String) throws -> [(use: BundleManifest.SharedUse, bodies: [Int: String])] {
        let attachments = try wrapped { try store.attachments() }.filter { $0.project == project }
        return try attachments.map { attachment in
            let history = try wrapped { try store.sharedVersions(named: attachment.definition) }
            let newest = [attachment.syncedVersion, attachment.pinnedVersion].compactMap { $0 }.max() ?? history.last?.version ?? 0
            let kept = history.filter { $0.version <= newest }
            let use = BundleManifest.SharedUse(
                name: attachment.definition,
                versions: kept.map { BundleManifest.SharedVersionFile(version: $0.version, sha256: $0.sha256, author: $0.author, note: $0.note) },
                pinnedVersion: attachment.pinnedVersion, syncedVersion: attachment.syncedVersion, overrides: attachment.overrides)
            return (use, Dictionary(uniqueKeysWithValues: kept.map { ($0.version, $0.body) }))
        }
    }

    /// Refuses a database with foreign-data-wrapper user mappings (they hold passwords and hosts, and
    /// `pg_dump` always dumps them) unless the caller opted in.
    static func checkUserMappings(on connection: Connection, project: String, include: Bool) throws {
        guard !include else { return }
        let mappings = try connection.query("SELECT srvname, usename FROM pg_user_mappings ORDER BY srvname, usename").records
        guard !mappings.isEmpty else { return }
        let names = mappings.prefix(3).map { "server \($0["srvname"] ?? "?") for \($0["usename"] ?? "?")" }.joined(separator: ", ")
        throw CatalogError(
            .refused,
            "project \"\(project)\": its database has \(mappings.count) foreign-data-wrapper user mapping(s) (\(names)), which pg_dump would put into the bundle with their passwords; no bundle was written",
            remedy: .dropOrIncludeUserMappings)
    }

    private func write(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: false, encoding: .utf8)
        } catch {
            throw CatalogError("cannot write \(path): \((error as NSError).localizedDescription); free some space or choose another -o")
        }
    }
}
