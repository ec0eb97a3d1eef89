extension CatalogError {
    /// The next step for an error, named by meaning rather than by flag. `CatalogCLI.ErrorAdvice`
    /// words it as a command line, `CatalogServer`'s error middleware as a route or body field.
    public enum Remedy: Sendable, Equatable {
        /// Review the new sync plan and apply that one.
        case reviewSyncPlanAgain
        /// List the registered projects.
        case listProjects
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
        /// List the shared definitions.
        case listShared
        /// Add a shared definition under this name.
        case addShared(String)
        /// Change the existing shared definition of this name.
        case updateShared(String)
        /// Pick another project name, or remove the project of this name first.
        case renameOrRemoveProject(String)
        /// Use another store (a store path that is writable and holds a catalog store, or a new file).
        case useAnotherStore
        /// The store is newer than this catalog: upgrade catalog, or use another store.
        case upgradeOrUseAnotherStore
        /// See the kept versions of a removed shared definition.
        case showSharedVersions(String)
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
    }
}
