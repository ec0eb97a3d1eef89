import CatalogStore
import CatalogSupport
import Foundation
import PostgresClient

/// How `backup create` (and `metadata migrate --backup-first`) takes backups.
public struct BackupOptions: Sendable {
    /// Where backups go; nil means `backups/` beside the store.
    public var directory: String?
    /// How many `pg_dump`s run at once.
    public var concurrency: Int
    /// Seconds to wait for each connection.
    public var connectTimeout: Int
    /// Recorded with each backup, so a later reader knows which catalog wrote it.
    public var catalogVersion: String
    /// The tools to run; nil finds them with `PgTools.locate()`.
    public var tools: PgTools?
    /// Called from worker threads as each project starts and ends, for progress on a terminal.
    public var progress: (@Sendable (BackupProgress) -> Void)?

    /// Options for one run; `catalogVersion` is recorded with every backup.
    public init(
        directory: String? = nil, concurrency: Int = 4, connectTimeout: Int = 10, catalogVersion: String,
        tools: PgTools? = nil, progress: (@Sendable (BackupProgress) -> Void)? = nil
    ) {
        self.directory = directory
        self.concurrency = concurrency
        self.connectTimeout = connectTimeout
        self.catalogVersion = catalogVersion
        self.tools = tools
        self.progress = progress
    }
}

/// A backup's progress: the fan-out's own (`finished` carries the dump's size).
public typealias BackupProgress = ProjectProgress

/// How one project's backup ended; `backup` is set when it succeeded.
public struct BackupResult: Sendable, Equatable {
    /// The project backed up.
    public var project: String
    /// ok, or why the backup failed.
    public var outcome: ProjectOutcome
    /// The recorded backup, when it succeeded.
    public var backup: BackupRecord?
}

extension Catalog {
    /// Backs up every selected project with `pg_dump -Fc`, at most `options.concurrency` at once.
    /// A failure is reported in that project's result and the others go on.
    public func createBackups(_ selection: ProjectSelection, options: BackupOptions) throws -> [BackupResult] {
        let projects = try projects(selection)
        let job = try BackupJob(catalog: self, options: options)
        let results = BoundedWorkers.map(projects, concurrency: options.concurrency, timeout: Double(options.connectTimeout)) {
            job.run($0, conversation: $1)
        }
        for result in results {
            audit(
                "backup.create", target: result.project, result: result.outcome.label,
                detail: result.outcome.message ?? result.backup.map { "backup \($0.id ?? 0): \($0.file)" })
        }
        return results
    }

    /// The directory backups go to: the option when given, else `backups/` beside the store.
    public func backupDirectory(_ option: String?) -> String {
        if let option, !option.isEmpty { return (option as NSString).standardizingPath }
        return (store.location.directory as NSString).appendingPathComponent("backups")
    }
}

/// One `backup create` run's settings, shared by its worker threads.
struct BackupJob: Sendable {
    let store: any CatalogStoring
    let tools: PgTools
    let directory: String
    let options: BackupOptions

    init(catalog: Catalog, options: BackupOptions) throws {
        self.store = catalog.store
        self.tools = try options.tools ?? PgTools.locate()
        self.directory = catalog.backupDirectory(options.directory).absolutePath
        self.options = options
    }

    /// Backs up one project; never throws, so one failure cannot stop the others.
    func run(_ project: Project, conversation: ProjectConversation) -> BackupResult {
        options.progress?(.started(project: project.name))
        let clock = ContinuousClock()
        let start = clock.now
        var result = BackupResult(project: project.name, outcome: .ok, backup: nil)
        do {
            result.backup = try backUp(project, conversation: conversation)
        } catch {
            result.outcome = conversation.outcome(for: error, project: project.name)
        }
        options.progress?(
            .finished(
                project: project.name, outcome: result.outcome, sizeBytes: result.backup?.sizeBytes,
                seconds: (clock.now - start).seconds))
        return result
    }

    /// Dumps into a temporary file, renames it when complete, and records it with the server and the
    /// project's lineage; a failure removes the partial file. The file is checked before any connection.
    /// The conversation bounds the connection and the facts queries; `pg_dump` gives up when it waits
    /// longer than the timeout for a lock, but a dump that makes progress may take as long as it needs.
    func backUp(_ project: Project, conversation: ProjectConversation) throws -> BackupRecord {
        let createdAt = Date()
        let clock = ContinuousClock()
        let start = clock.now
        let connectionString = try project.connectionString()
        let file = BackupFile(backupDirectory: directory, project: project.name, at: createdAt, store: store.location)
        try file.prepare()
        let facts: QueryResult.Record?
        let server: String
        let incarnation: Incarnation
        do {
            let connection = try conversation.connect(connectionString)
            facts = try connection.query("SELECT current_database() AS database, current_setting('server_version') AS version").records.first
            server = connection.serverAddress
            incarnation = try Incarnation.read(on: connection)
            let tool = BackupToolConnection(connectionString, connectTimeout: options.connectTimeout)
            let outcome = try ChildProcess(
                tools.pgDump,
                [
                    "--format=custom", "--no-password", "--lock-wait-timeout=\(options.connectTimeout * 1000)",
                    "--file=\(file.temporaryPath)", tool.dbnameArgument,
                ], environment: tool.environment
            ).run()
            guard outcome.status == 0 else {
                throw CatalogError(
                    .failed,
                    "project \"\(project.name)\": pg_dump failed: \(PgTools.summary(outcome.stderr))\(PgTools.advice(for: outcome.stderr)); the partial file was removed",
                    remedy: PgTools.isOutOfSpace(outcome.stderr) ? .freeBackupSpace : nil)
            }
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
        do {
            let size = try FileManager.default.attributesOfItem(atPath: file.finalPath)[.size] as? Int64 ?? 0
            return try store.insertBackup(
                BackupRecord(
                    project: project.name, databaseName: facts?["database"] ?? "", file: file.finalPath, sizeBytes: size,
                    sha256: BackupChecksum.sha256(ofFile: file.finalPath), createdAt: createdAt,
                    durationSeconds: (clock.now - start).seconds, serverVersion: facts?["version"] ?? "",
                    catalogVersion: options.catalogVersion, server: server, lineage: incarnation.lineage))
        } catch {
            unlink(file.finalPath)
            throw error
        }
    }
}

extension Duration {
    /// The duration in seconds, as a person reads it.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension String {
    /// An absolute, standardized path: relative ones are taken from the working directory.
    var absolutePath: String {
        let path = hasPrefix("/") ? self : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(self)
        return (path as NSString).standardizingPath
    }
}
