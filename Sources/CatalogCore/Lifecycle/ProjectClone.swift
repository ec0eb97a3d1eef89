import CatalogStore
import CatalogSupport
import Foundation
import PostgresClient

extension Catalog {
    /// Reads the source, its server and the target server and plans `project clone`; changes nothing.
    public func planClone(_ request: CloneRequest, options: LifecycleOptions = LifecycleOptions(), now: Date = Date()) throws -> ClonePlan {
        let source = try project(named: request.source)
        let sourceConnection = try source.connectionString()
        let nameTaken = try wrapped { try store.project(named: request.name) } != nil
        return try wrapped(project: request.source) {
            let sourceMaintenance = try BackupMaintenanceConnection.open(sourceConnection, connectTimeout: options.connectTimeout)
            let facts = try Self.cloneSource(on: sourceMaintenance, database: sourceConnection.databaseName ?? source.name)
            let targetConnection = try request.serverDSN.map(CreatePlanner.serverConnection) ?? sourceConnection
            let targetMaintenance: Connection
            do {
                targetMaintenance =
                    request.serverDSN == nil
                    ? sourceMaintenance : try BackupMaintenanceConnection.open(targetConnection, connectTimeout: options.connectTimeout)
            } catch {
                throw CatalogError(
                    .unreachable, "the server \(targetConnection.server) cannot be reached: \(CatalogError.wrap(error).message); nothing was changed",
                    remedy: .checkTargetServer)
            }
            let target = try CreateFacts.readServer(on: targetMaintenance, types: [])
            guard target.mayCreateDatabases else {
                throw CatalogError(
                    .refused, "role \"\(target.role)\" may not create databases on \(target.address); nothing was changed",
                    remedy: .grantCreateDatabase(role: try targetMaintenance.quoteIdentifier(target.role)))
            }
            let attachments = try store.attachments().filter { $0.project == source.name }.map {
                CreatedAttachment(
                    definition: $0.definition, syncedVersion: $0.syncedVersion, pinnedVersion: $0.pinnedVersion, overrides: $0.overrides)
            }
            return try ClonePlanner.plan(
                request, source: facts, target: target.address, targetNames: target.databaseNames, nameTaken: nameTaken,
                maskedDSN: targetConnection.replacing("dbname", with: request.databaseName).masked, attachments: attachments,
                token: UUID().uuidString.lowercased(), now: now, quoting: RestorePlan.Quoting(targetMaintenance))
        }
    }

    /// Carries out a clone plan (see `LifecycleRun`): a template copy, or one snapshot dumped and restored,
    /// then a lineage of its own; registered with the source's attachments and the revision it was copied at.
    public func clone(_ plan: ClonePlan, request: CloneRequest, options: LifecycleOptions = LifecycleOptions()) throws -> CloneResult {
        let start = ContinuousClock.now
        let sourceConnection = try project(named: plan.source).connectionString()
        let targetConnection = try request.serverDSN.map(CreatePlanner.serverConnection) ?? sourceConnection
        let tools = plan.path == .snapshot ? try PgTools.locate() : nil
        var revision: Int?
        let report = try carryOut(
            plan.run, on: targetConnection, connectTimeout: options.connectTimeout,
            fill: { target in
                if let tools { try Self.copySnapshot(plan, from: sourceConnection, to: target, tools: tools, connectTimeout: options.connectTimeout) }
                revision = try Self.renewLineage(target, connectTimeout: options.connectTimeout)
            },
            register: {
                let project = Project(name: plan.project, dsn: targetConnection.replacing("dbname", with: plan.database).raw, tags: plan.tags)
                try store.registerMade(
                    project, attachments: plan.attachments, token: plan.token, clonedFrom: plan.source, clonedRevision: revision,
                    audit: AuditEntry(
                        action: "project.clone", target: plan.project, result: "ok",
                        detail:
                            "from \(plan.source) at revision \(revision.map(String.init) ?? "-") by \(plan.path.rawValue); database \(plan.database) on \(plan.server)"
                    ))
            })
        return CloneResult(
            plan: plan, revision: revision, seconds: (ContinuousClock.now - start).seconds, lockWaitSeconds: report.lockWaitSeconds,
            cleanedUp: report.cleanedUp)
    }

    /// Where a project was cloned from, and at which `_metadata` revision; nil for a project that is not a clone.
    public func cloneOrigin(of name: String) throws -> (source: String, revision: Int?)? {
        try wrapped { try store.cloneOrigin(project: name) }
    }

    static func cloneSource(on maintenance: Connection, database: String) throws -> ClonePlanner.SourceFacts {
        let version = maintenance.serverVersion
        let provider = version >= 150000 ? "datlocprovider::text" : "'c'"
        let locale = version >= 170000 ? "datlocale" : (version >= 150000 ? "daticulocale" : "NULL::text")
        guard
            let row = try maintenance.query(
                """
                SELECT pg_get_userbyid(datdba) AS owner, pg_database_size(oid) AS size, pg_encoding_to_char(encoding) AS encoding,
                       datcollate AS collate, datctype AS ctype, \(provider) AS provider, \(locale) AS provider_locale
                FROM pg_database WHERE datname = $1
                """, [database]
            ).records.first
        else {
            throw CatalogError(.notFound, "database \"\(database)\" was not found on its server", remedy: .checkProjectDSN)
        }
        return ClonePlanner.SourceFacts(
            database: database, server: maintenance.serverAddress, owner: row["owner"] ?? "", sizeBytes: Int64(row["size"] ?? "") ?? 0,
            otherSessions: try BackupMaintenanceConnection.otherSessions(on: maintenance, database: database),
            encoding: row["encoding"] ?? "UTF8", collate: row["collate"] ?? "C", ctype: row["ctype"] ?? "C",
            localeProvider: ["i": "icu", "b": "builtin"][row["provider"] ?? "c"] ?? "libc", providerLocale: row["provider_locale"])
    }

    /// One REPEATABLE READ snapshot of the source, dumped (as export does) and restored in one transaction;
    /// the row counts must then equal the snapshot's.
    static func copySnapshot(
        _ plan: ClonePlan, from source: ConnectionString, to target: ConnectionString, tools: PgTools, connectTimeout: Int
    ) throws {
        let file = NSTemporaryDirectory() + "catalog-clone-\(plan.token).dump"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let connection = try Connection(source, connectTimeout: connectTimeout)
        let expected = try ExportSnapshot.within(connection) { snapshot in
            try ExportDumps(
                tools: tools, connection: BackupToolConnection(source, connectTimeout: connectTimeout), snapshot: snapshot.id, project: plan.source
            )
            .database(to: file, excludingDataOf: plan.schemaOnly ? snapshot.dataSchemas : [])
            return snapshot.tables
        }
        let tool = BackupToolConnection(target, connectTimeout: connectTimeout)
        let owners = plan.sameServer ? [] : ["--no-owner", "--no-privileges"]
        let outcome = try ChildProcess(
            tools.pgRestore, ["--single-transaction", "--exit-on-error"] + owners + ["--no-password", tool.dbnameArgument, file],
            environment: tool.environment
        ).run()
        guard outcome.status == 0 else {
            throw CatalogError("pg_restore failed: \(PgTools.summary(outcome.stderr))\(PgTools.advice(for: outcome.stderr))")
        }
        guard !plan.schemaOnly else { return }
        let copied = try BundleTableCounts.read(on: Connection(target, connectTimeout: connectTimeout))
        guard copied == expected else {
            let differing = copied.filter { !expected.contains($0) }.map { "\($0.schema).\($0.name)" }
            throw CatalogError("the copy's row counts differ from the snapshot's (\(differing.joined(separator: ", ")))")
        }
    }

    /// Gives the copy a lineage of its own (a clone is another database, not a restore of its source) and
    /// reads the `_metadata` revision it was copied at; nil without `_metadata`.
    static func renewLineage(_ target: ConnectionString, connectTimeout: Int) throws -> Int? {
        let connection = try Connection(target, connectTimeout: connectTimeout)
        guard try connection.query("SELECT to_regclass('_metadata.revision') IS NOT NULL AS present").records.first?.bool("present") == true else {
            return nil
        }
        let hasLineage =
            try connection.query(
                """
                SELECT count(*) AS n FROM information_schema.columns
                WHERE table_schema = '_metadata' AND table_name = 'revision' AND column_name = 'lineage'
                """
            ).records.first?.int("n") == 1
        if hasLineage { try connection.execute(script: "UPDATE _metadata.revision SET lineage = gen_random_uuid()") }
        return try connection.query("SELECT value FROM _metadata.revision").records.first?.int("value")
    }
}
