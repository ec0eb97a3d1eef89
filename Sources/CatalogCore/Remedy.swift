import CatalogStore

extension CatalogError {
    /// The next step for an error, named by meaning rather than by flag. `CatalogCLI.ErrorAdvice`
    /// words it as a command line, `CatalogServer`'s error middleware as a route or body field.
    public enum Remedy: Sendable, Equatable {
        // Bundle, Backup and Output.
        /// Give a file that a catalog export wrote.
        case giveABundle
        /// Import under another project name, or remove the registered project first.
        case importUnderAnotherName(String)
        /// Give a target DSN that names the database, such as the example.
        case nameTargetDatabase(example: String)
        /// Check the target connection string and that its server is up.
        case checkTargetServer
        /// Allow the import to create the missing database.
        case createDatabase
        /// Import into a new or empty database, or allow replacing this one after a safety backup.
        case allowReplace
        /// Choose whether the store's shared definition or the bundle's is kept.
        case chooseSharedVersion
        /// Make the import plan again and review it.
        case reviewImportPlanAgain
        /// Register the project that was restored, and attach its shared definitions.
        case registerRestoredProject(String)
        /// Drop the database's user mappings, or allow exporting them with their passwords.
        case dropOrIncludeUserMappings
        /// Pick a backup of this project's database, or allow restoring over a different database.
        case allowDifferentDatabase(project: String)
        /// Give at least one retention rule (days, count, or both).
        case giveRetentionRule
        /// List a project's backups (or all of them, without a project) to find the right id.
        case listBackups(project: String?)
        /// Pick another, intact backup of the project.
        case pickAnotherBackup(project: String)
        /// Close the other sessions on the database, or allow terminating them.
        case terminateOtherSessions
        /// Drop the set-aside database later with a prune.
        case pruneSetAsideLater
        /// Check the project's connection string.
        case checkProjectDSN
        /// Choose another output path.
        case chooseAnotherOutput
        /// Choose another output path, or allow replacing an earlier bundle there.
        case chooseAnotherOutputOrOverwrite
        /// Choose another output path, or remove the file that is there.
        case chooseAnotherOutputOrRemove
        /// Review the new sync plan and apply that one.
        case reviewSyncPlanAgain
        /// Register a project under this name.
        case registerProject(String)

        // Registry, store, shared definitions and PostgreSQL connections.
        /// List the registered projects, or register this name.
        case listOrRegisterProject(String)
        /// List the projects and their tags, or give a project this tag.
        case listOrAddTag(String)
        /// Name the projects to work on, or choose all of them.
        case selectProjects
        /// Register a first project.
        case registerFirstProject
        /// Create the database, or correct the database name in the project's DSN.
        case fixDatabaseName
        /// Check that the server is up, or allow more time.
        case checkServerOrRaiseTimeout
        /// Detach the projects from this shared definition, then remove it.
        case detachSharedFirst(String)
        /// Scan the project's metadata again, or check the table's name (project, table).
        case scanOrFindTable(project: String, table: String)
        /// Review the destructive statements, then explicitly allow them.
        case reviewAndAllowDestructive
        /// Name a directory of NNNN_name.sql migrations.
        case giveMigrationsDirectory
        /// Search the project databases live instead of the local index.
        case searchLive
        /// Say what to change about a project: its DSN, tags to add or tags to remove.
        case giveProjectChange
        /// Either add this tag or remove it, not both.
        case addOrRemoveTag
        /// End the session that holds the lock, or allow more time.
        case endSessionOrRaiseTimeout
        /// Sync this project with its shared definitions.
        case syncProject(String)
        /// Settle the conflicting fields in the project, or force the sync of this project.
        case settleConflictsOrForceSync(project: String)
        /// Read the project live once, so the local index learns it.
        case readLiveOnce
        /// Give a name to search for, or match names that contain a text.
        case giveSearchName
        /// Name the projects, or give a tag that some project has.
        case nameProjectsOrTag
        /// Give the source table as PROJECT:SCHEMA.TABLE (the example).
        case giveSourceTable(example: String)
        /// Give the version to roll back to (0 undoes every migration that has a down script).
        case giveRollbackTarget
        /// Upgrade catalog, or name the migrations directory the applied migration came from.
        case upgradeOrGiveMigrationsDirectory
        /// Name the migrations directory the applied migration came from, or renumber one of two migrations.
        case giveMigrationsDirectoryOrRenumber(migration: String)
        /// Name the migrations directory the applied team migration came from.
        case giveMigrationsDirectoryItCameFrom
        /// Make the backup directory writable, or use another one.
        case makeBackupDirectoryWritable
        /// Free some space in the backup directory, or use another one.
        case freeBackupSpace
        /// Use another backup directory.
        case useAnotherBackupDirectory
        /// Install `_metadata` in the project (nil: the database at hand).
        case installMetadata(String?)
        /// Install `_metadata` in the project, then scan it.
        case installAndScanMetadata(String)
        /// Upgrade the project's `_metadata` to this catalog's version.
        case upgradeMetadata(String)
        /// Scan the project's metadata again.
        case scanMetadata(String)

        // Describing and curating the metadata.
        /// Describe the project live, which reads it into the local index.
        case describeLive
        /// Describe the project from the local index, without a connection.
        case describeCached
        /// Describe the relation to see the names of its columns.
        case describeRelation(project: String, relation: String)
        /// Make the metadata edit's plan again and review it.
        case reviewMetadataPlanAgain
        /// Check the name, or match more loosely (target: column or table).
        case widenMetadataMatch(target: String, name: String)
        /// Write a lint baseline (again) from the current findings.
        case writeLintBaseline
        /// Follow the renames, which carries these human fields to the new name.
        case followRenames(fields: [String], to: String)
        /// Prune, which deletes the mappings of what is gone.
        case pruneMappings
        /// A step after a store error, as the store names it (list projects or shared definitions, add
        /// or update one, another name, another store).
        case store(StoreRemedy)

        // Project lifecycle.
        /// A superuser grants the role (already quoted) the right to create databases.
        case grantCreateDatabase(role: String)
        /// Name the database to create yourself, such as the example.
        case chooseDatabaseName(example: String)
    }
}

extension CatalogError.Remedy {
    /// The store's remedies, for library code that names them directly.
    static var listProjects: Self { .store(.listProjects) }
    static var listShared: Self { .store(.listShared) }
    static func showSharedVersions(_ name: String) -> Self { .store(.showSharedVersions(name)) }
}
