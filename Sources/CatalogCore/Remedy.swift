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
    }
}
