import CatalogStore
import Foundation

/// Chooses the clone's path and writes its statements. Pure.
///
/// STRATEGY: `WAL_LOG` (PostgreSQL 15's default) copies block by block through the WAL, with no
/// checkpoint, so it costs in proportion to the database and never stalls the rest of the server; `FILE_COPY`
/// copies files and costs two checkpoints, which on a busy server write out everyone's dirty pages, but
/// sends almost nothing through the WAL. Project databases are mostly small, where a checkpoint costs more
/// than the copy, so catalog uses `WAL_LOG` up to `fileCopyThreshold` and `FILE_COPY` above it, where
/// writing the whole database through the WAL (and to every replica and archive) would cost more.
enum ClonePlanner {
    static let fileCopyThreshold: Int64 = 1 << 30
    static let temporaryMarker = "_cloning_"

    /// The source as the planner needs it.
    struct SourceFacts: Sendable, Equatable {
        var database: String
        var server: String
        var owner: String
        var sizeBytes: Int64
        var otherSessions: Int
        var encoding: String
        var collate: String
        var ctype: String
        var localeProvider: String
        var providerLocale: String?
    }

    static func plan(
        _ request: CloneRequest, source: SourceFacts, target: String, targetNames: Set<String>, nameTaken: Bool, maskedDSN: String,
        attachments: [CreatedAttachment], token: String, now: Date, quoting: RestorePlan.Quoting
    ) throws -> ClonePlan {
        try ProjectName.validate(request.name)
        for tag in request.tags { try ProjectName.validateTag(tag) }
        let database = request.databaseName
        try CreatePlanner.checkDatabaseName(database, project: request.name)
        if nameTaken {
            throw CatalogError(
                .alreadyExists, "project \"\(request.name)\" is already registered; nothing was changed",
                remedy: .store(.renameOrRemoveProject(request.name)))
        }
        guard !targetNames.contains(database) else {
            throw CatalogError(
                .alreadyExists, "database \"\(database)\" already exists on \(target); nothing was changed",
                remedy: .chooseDatabaseName(example: "\(request.name)_new_db"))
        }
        let sameServer = target == source.server
        let (path, reason) = choosePath(request, source: source, sameServer: sameServer)
        let temporary = BackupRestoreNames.unique(database, suffix: temporaryMarker + BackupRestoreNames.stamp(now), taken: targetNames)
        let statement: CreateDatabaseStatement
        switch path {
        case .template:
            statement = CreateDatabaseStatement(
                name: temporary, owner: source.owner, template: source.database,
                strategy: source.sizeBytes > fileCopyThreshold ? "FILE_COPY" : "WAL_LOG")
        case .snapshot:
            statement = CreateDatabaseStatement(
                name: temporary, owner: sameServer ? source.owner : nil, template: "template0", encoding: source.encoding,
                collate: source.collate, ctype: source.ctype, localeProvider: source.localeProvider, providerLocale: source.providerLocale)
        }
        let run = try LifecycleRun.make(
            operation: "clone", project: request.name, server: target, database: database, temporaryDatabase: temporary, token: token,
            createStatement: try statement.sql(quoting), quoting: quoting)
        return ClonePlan(
            source: request.source, sourceDatabase: source.database, project: request.name, tags: CreatePlanner.unique(request.tags).sorted(),
            server: target, sameServer: sameServer, maskedDSN: maskedDSN, database: database, temporaryDatabase: temporary, token: token,
            path: path, reason: reason, schemaOnly: request.schemaOnly, createStatement: run.createStatement,
            commentStatement: run.commentStatement, renameStatement: run.renameStatement, attachments: attachments,
            dropTemporaryStatement: run.dropTemporaryStatement, dropDatabaseStatement: run.dropDatabaseStatement)
    }

    static func choosePath(_ request: CloneRequest, source: SourceFacts, sameServer: Bool) -> (ClonePlan.Path, String) {
        if !sameServer {
            return (.snapshot, "the target is another server: pg_dump and pg_restore from one snapshot, the path export and import take")
        }
        if request.schemaOnly { return (.snapshot, "schema only: a template copy would copy every row") }
        if request.snapshot { return (.snapshot, "a snapshot was asked for: the source keeps running") }
        if source.otherSessions > 0 {
            return (
                .snapshot,
                "database \(source.database) has \(source.otherSessions) other session(s) and a template copy needs it idle, so pg_dump from one snapshot while it keeps running"
            )
        }
        let strategy =
            source.sizeBytes > fileCopyThreshold
            ? "FILE_COPY: above 1 GiB, two checkpoints cost less than the whole database through the WAL"
            : "WAL_LOG: a small database copies through the WAL faster than two checkpoints"
        return (.template, "the source is idle: CREATE DATABASE … TEMPLATE, STRATEGY \(strategy)")
    }
}
