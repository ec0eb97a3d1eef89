/// What to do next after a `StoreError`, named by meaning: the front ends word it (the CLI as
/// commands and flags, the API as routes), so store messages name neither.
public enum StoreRemedy: Sendable, Equatable {
    /// List the registered projects.
    case listProjects
    /// List the shared definitions.
    case listShared
    /// Add a shared definition under this name.
    case addShared(String)
    /// Change the existing shared definition of this name.
    case updateShared(String)
    /// Pick another project name, or remove the project of this name first.
    case renameOrRemoveProject(String)
    /// Use another store.
    case useAnotherStore
    /// The store's server could not be reached: try again once it is back (or use another store).
    case retryWhenStoreIsBack
    /// The store is newer than this catalog: upgrade catalog, or use another store.
    case upgradeOrUseAnotherStore
    /// See the kept versions of a removed shared definition.
    case showSharedVersions(String)
}
