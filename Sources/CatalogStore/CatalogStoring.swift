import Foundation

/// What CatalogCore needs from a store: the registry, the search index, shared definitions and
/// their attachments, backups and set-aside databases, team migrations, exports, the audit log,
/// `catalog sql` and the migration ledger. `Store` (one SQLite file) is one implementation; a
/// PostgreSQL-backed one fills the same requirements. Nothing here names GRDB or takes SQL from a
/// caller except `federatedQuery`, whose text is the user's read-only query over the documented
/// relations. Every method is one transaction; errors are `StoreError`s with a code (such as
/// `.alreadyExists`) callers can rely on. `StoreContractTests` is the behaviour every
/// implementation must pass.
public protocol CatalogStoring: Sendable {
    /// Where the store keeps its files: backups, exports and `serve`'s token live beside it.
    var location: StoreLocation { get }

    /// The identifiers of the migrations this store has applied, oldest first.
    func appliedMigrations() throws -> [String]
    /// A counter that every committed write to the store moves (by this process or any other), so a
    /// reader that holds a copy (`serve`'s memory) knows when to read again. It only ever grows; a
    /// write that rolled back may move it too.
    func changeVersion() throws -> Int64
    /// Waits up to `timeout` seconds for a committed write to be announced, and says whether one was.
    /// A hint for speed only (`changeVersion` is the truth, and an announcement may be lost): a store
    /// that announces nothing waits the whole time and returns false. Blocks the calling thread.
    func waitForChange(timeout: Double) throws -> Bool

    // MARK: Registry

    /// Every registered project, by name.
    func projects() throws -> [Project]
    /// The project with this name, or nil.
    func project(named name: String) throws -> Project?
    /// Registers a project; a taken name throws `StoreError` `.alreadyExists`.
    @discardableResult func insert(_ project: Project) throws -> Project
    /// Forgets a project (and its tags, index and attachments); false if it was not registered.
    @discardableResult func deleteProject(named name: String) throws -> Bool
    /// Changes a project's connection string and tags in one transaction, keeping its identity.
    @discardableResult func updateProject(
        named name: String, dsn: String?, addTags: [String], removeTags: [String],
        audit entry: AuditEntry
    ) throws -> Project
    /// Records what a check found.
    func record(_ observation: ProjectObservation, forProject name: String) throws
    /// Records many checks in one transaction.
    func record(_ observations: [(project: String, observation: ProjectObservation)]) throws

    // MARK: Search index

    /// The index state of every project that has one, by project name.
    func indexStates() throws -> [String: IndexState]
    /// Applies many updates in one transaction.
    func applyIndexUpdates(_ updates: [IndexUpdate], at date: Date) throws
    /// Forgets a project's index copy.
    func invalidateIndex(project: String) throws
    /// Records each answering project's ctype.
    func recordIndexCtypes(_ ctypes: [(project: String, ctype: String?)]) throws
    /// Index columns whose name passes `filter`, ordered by project, schema, table and column.
    func indexedColumns(projects: [String], filter: IndexNameFilter) throws -> [IndexedColumn]
    /// Every index column of the given projects, coded, in no particular order (what `catalog lint` compares).
    func codedColumns(projects: [String]) throws -> CodedColumns
    /// Index tables whose name passes `filter`, ordered by project, schema and table.
    func indexedTables(projects: [String], filter: IndexNameFilter) throws -> [(project: String, table: IndexedTable)]
    /// The user-defined types a project's copy holds, as given to `applyIndexUpdates`; nil when none were kept.
    func indexedTypes(project: String) throws -> String?

    // MARK: Shared definitions

    /// Every version of one definition (or of all), oldest first.
    func sharedVersions(named name: String?) throws -> [StoredSharedVersion]
    /// Appends a version; fails if the newest version is no longer `expectedPrevious`.
    func appendSharedVersion(
        name: String, body: String, sha256: String, author: String, note: String?,
        expectedPrevious: Int?, audit entry: AuditEntry
    ) throws -> Int
    /// The attachments of one definition (or of all).
    func attachments(definition: String?) throws -> [StoredAttachment]
    /// Attaches a definition to projects.
    func attach(definition: String, projects: [String], pinnedVersion: Int?, audit entry: AuditEntry) throws
    /// Detaches a definition from projects.
    func detach(definition: String, projects: [String], audit entry: AuditEntry) throws
    /// Records that a project now holds a version of a definition.
    func recordSync(project: String, definition: String, version: Int, overrides: String, audit entry: AuditEntry) throws
    /// The names of archived definitions.
    func archivedSharedNames() throws -> Set<String>
    /// Archives a definition whose attachments are exactly `expectedAttached`.
    func archiveShared(name: String, expectedAttached: [String], audit entry: AuditEntry) throws

    // MARK: Backups, set-aside databases, team migrations

    /// Records a backup; returns it as stored, with its id.
    @discardableResult func insertBackup(_ record: BackupRecord) throws -> BackupRecord
    /// The backups of these projects (all when empty), newest first.
    func backups(projects: [String]) throws -> [BackupRecord]
    /// One backup, or nil.
    func backup(id: Int64) throws -> BackupRecord?
    /// Records the outcome of verifying a backup.
    func recordVerification(backupID: Int64, ok: Bool, at date: Date) throws
    /// Forgets a backup's record.
    func deleteBackup(id: Int64) throws
    /// Records a database set aside by a restore; returns it with its id.
    @discardableResult func insertSetAside(_ database: SetAsideDatabase) throws -> SetAsideDatabase
    /// The set-aside databases not dropped yet of these projects (all when empty), oldest first.
    func setAsideDatabases(projects: [String]) throws -> [SetAsideDatabase]
    /// Records that a set-aside database was dropped.
    func markSetAsideDropped(id: Int64, at date: Date) throws
    /// The registered team migrations, by version.
    func teamMigrations() throws -> [StoredTeamMigration]
    /// Replaces the registered team migrations.
    func replaceTeamMigrations(_ migrations: [StoredTeamMigration], at date: Date) throws

    // MARK: Exports, audit, catalog sql

    /// Records an export and its audit entry together; returns it with its id.
    @discardableResult func insertExport(_ record: ExportRecord, audit entry: AuditEntry) throws -> ExportRecord
    /// The exports of one project (or of all), newest first.
    func exports(project: String?) throws -> [ExportRecord]
    /// Appends one audit entry.
    func audit(_ entry: AuditEntry) throws
    /// Appends several audit entries in one transaction (one per field a metadata edit wrote).
    func audit(_ entries: [AuditEntry]) throws
    /// The newest audit entries first.
    func auditLog(limit: Int) throws -> [AuditEntry]
    /// The newest audit entries first, of one target (a project's name) and from a time on, when given.
    func auditLog(target: String?, since: Date?, limit: Int) throws -> [AuditEntry]
    /// Runs the user's read-only query over the documented relations, limited to `projects`.
    func federatedQuery(_ sql: String, projects: [String], timeout: Double?) throws -> SQLAnswer

    // MARK: Unattended operations

    /// Records a schedule with its audit entry; a taken name throws `.alreadyExists`.
    @discardableResult func insertSchedule(_ schedule: ScheduleRecord, audit entry: AuditEntry) throws -> ScheduleRecord
    /// Every schedule, by name.
    func schedules() throws -> [ScheduleRecord]
    /// Removes a schedule and its history; false when there was none by that name.
    @discardableResult func deleteSchedule(named name: String, audit entry: AuditEntry) throws -> Bool
    /// Claims one run of a schedule (moving its last slot from `expected` to `slot`, fenced by the lease epoch); nil when lost.
    func claimRun(scheduleID: Int64, expected: Date?, slot: Date?, holder: String?, epoch: Int64?, at now: Date) throws -> Int64?
    /// Records how a run ended, with each project's outcome.
    func finishRun(id: Int64, outcome: String, projects: [RunProjectRecord], at date: Date) throws
    /// Marks runs left `running` by a stopped server as abandoned.
    @discardableResult func abandonRuns(exceptEpoch epoch: Int64?, at date: Date) throws -> Int
    /// The newest runs first, of one schedule or all.
    func scheduleRuns(scheduleID: Int64?, limit: Int) throws -> [ScheduleRunRecord]
    /// Takes or renews the scheduler lease; returns its epoch (the fencing token) or nil when another holds it.
    func acquireSchedulerLease(holder: String, seconds: Double, at now: Date) throws -> Int64?
    /// Gives the scheduler lease up.
    func releaseSchedulerLease(holder: String) throws
    /// Records a webhook.
    @discardableResult func insertAlertHook(_ hook: AlertHookRecord, audit entry: AuditEntry) throws -> AlertHookRecord
    /// Every webhook, by id.
    func alertHooks() throws -> [AlertHookRecord]
    /// Forgets a webhook; false when there was none.
    @discardableResult func deleteAlertHook(id: Int64, audit entry: AuditEntry) throws -> Bool
    /// Opens an incident unless the same one is open; returns it when opened now.
    func openIncident(kind: String, project: String, schedule: String, what: String, at date: Date) throws -> IncidentRecord?
    /// Closes an open incident; returns it, or nil when none was open.
    func resolveIncident(kind: String, project: String, schedule: String, at date: Date) throws -> IncidentRecord?
    /// Incidents, newest first.
    func incidents(openOnly: Bool, limit: Int) throws -> [IncidentRecord]

    // MARK: Replicas

    /// Takes or renews the named lease (`scheduler`, `index-refresh`); returns its epoch (the fencing token) or nil when another holds it.
    func acquireLease(named name: String, holder: String, seconds: Double, at now: Date) throws -> Int64?
    /// Gives a named lease up.
    func releaseLease(named name: String, holder: String) throws
    /// Applies index updates only while the lease `lease` still has `epoch`; false (nothing written) when it moved on.
    func applyIndexUpdates(_ updates: [IndexUpdate], at date: Date, lease: String, epoch: Int64) throws -> Bool
    /// Records a web session under the SHA-256 of its identifier until `expires`.
    func openWebSession(idHash: String, name: String, expires: Date, at now: Date) throws
    /// The name of the live web session with this hash, or nil.
    func webSession(idHash: String, at now: Date) throws -> String?
    /// Ends a web session everywhere.
    func closeWebSession(idHash: String) throws

    // MARK: Whole-store copy

    /// Every row of every table (`StoreTable.all`), read in one snapshot.
    func contents() throws -> StoreContents
    /// Loads rows read from another store in one transaction; a store that holds any row throws `.refused`.
    func load(_ contents: StoreContents) throws
    /// How many rows each table of `StoreTable.all` holds, by table name.
    func rowCounts() throws -> [String: Int]

    // MARK: Project lifecycle

    /// The recorded lifecycle steps (create, clone, unarchive) of one server (`host:port`) or of all.
    func pendingLifecycle(server: String?) throws -> [PendingLifecycle]
    /// Records a step before its database is made; refuses a registered name or one another step is making.
    func insertPendingLifecycle(_ pending: PendingLifecycle) throws
    /// Forgets a step whose database is gone.
    func deletePendingLifecycle(token: String) throws
    /// Registers the project a step made, with its synced attachments, and forgets the step, in one transaction.
    @discardableResult func registerMade(
        _ project: Project, attachments: [CreatedAttachment], token: String, clonedFrom: String?, clonedRevision: Int?,
        audit entry: AuditEntry
    ) throws -> Project
    /// Where a project was cloned from, or nil.
    func cloneOrigin(project: String) throws -> (source: String, revision: Int?)?
    /// Marks a project archived, with its archive backup's id and checksum and where its database was.
    func markArchived(
        project: String, backupID: Int64, sha256: String, database: String, server: String, intent: String?, audit entry: AuditEntry
    ) throws
    /// Un-archives a project whose database was restored, and forgets the run's record, in one transaction.
    func registerUnarchived(project: String, dsn: String, token: String, audit entry: AuditEntry) throws
    /// The archived projects (the default listings leave them out).
    func archivedProjects() throws -> [ArchivedProject]
    /// Renames a project with its history in one transaction; `beforeCommit` runs last, inside it.
    @discardableResult func renameProject(
        from old: String, to new: String, dsn: String?, intent: String?, audit entry: AuditEntry, beforeCommit: () throws -> Void
    ) throws -> Project
    /// The recorded steps that change an existing database (archive, rename), of one project (by its name or
    /// a rename's new name) or of all.
    func lifecycleIntents(project: String?) throws -> [LifecycleIntent]
    /// Records a step before it touches the server; refuses a project another step is changing.
    func insertLifecycleIntent(_ intent: LifecycleIntent) throws
    /// Forgets a recorded step.
    func deleteLifecycleIntent(token: String) throws
}

/// The defaults callers use, written once for every implementation.
extension CatalogStoring {
    public func applyIndexUpdates(_ updates: [IndexUpdate]) throws { try applyIndexUpdates(updates, at: Date()) }
    public func sharedVersions() throws -> [StoredSharedVersion] { try sharedVersions(named: nil) }
    public func attachments() throws -> [StoredAttachment] { try attachments(definition: nil) }
    public func backups() throws -> [BackupRecord] { try backups(projects: []) }
    public func recordVerification(backupID: Int64, ok: Bool) throws { try recordVerification(backupID: backupID, ok: ok, at: Date()) }
    public func setAsideDatabases() throws -> [SetAsideDatabase] { try setAsideDatabases(projects: []) }
    public func markSetAsideDropped(id: Int64) throws { try markSetAsideDropped(id: id, at: Date()) }
    public func replaceTeamMigrations(_ migrations: [StoredTeamMigration]) throws { try replaceTeamMigrations(migrations, at: Date()) }
    public func exports() throws -> [ExportRecord] { try exports(project: nil) }
    public func auditLog() throws -> [AuditEntry] { try auditLog(limit: 100) }
    public func audit(_ entries: [AuditEntry]) throws { for entry in entries { try audit(entry) } }
    public func federatedQuery(_ sql: String, projects: [String]) throws -> SQLAnswer { try federatedQuery(sql, projects: projects, timeout: nil) }
}

extension Store: CatalogStoring {}
extension PostgresStore: CatalogStoring {}

extension StoreLocation {
    /// Opens the store this location names: a registry in PostgreSQL, else the SQLite file.
    /// (`access` applies to the SQLite file; a registry's rights are its role's.)
    public func openStore(_ access: StoreAccess = .readWrite) throws -> any CatalogStoring {
        if isRegistry { return try PostgresStore(location: self) }
        return try Store(location: self, access: access)
    }
}

extension CatalogStoring {
    /// Takes or renews the scheduler lease (`leader_lease` named `scheduler`) for `holder`; its epoch, or nil while another holds it.
    public func acquireSchedulerLease(holder: String, seconds: Double, at now: Date) throws -> Int64? {
        try acquireLease(named: "scheduler", holder: holder, seconds: seconds, at: now)
    }

    /// Gives the scheduler lease up at shutdown, so another server takes over at once.
    public func releaseSchedulerLease(holder: String) throws {
        try releaseLease(named: "scheduler", holder: holder)
    }
}
