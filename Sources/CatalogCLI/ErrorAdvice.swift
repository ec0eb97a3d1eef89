import CatalogCore

/// The CLI's own words for what to do next: library errors state what happened and carry a
/// `Remedy`; the commands and flags that carry it out are named here, where the commands live.
enum ErrorAdvice {
    /// The one line printed for `error`.
    static func line(for error: CatalogError) -> String {
        guard let remedy = error.remedy else { return "error: \(error.message)" }
        return "error: \(error.message); \(words(for: remedy))"
    }

    /// A remedy as a command line.
    static func words(for remedy: CatalogError.Remedy) -> String {
        switch remedy {
        case .reviewSyncPlanAgain: "run 'catalog sync --plan' again and review it"
        case .listProjects: "run 'catalog project list' to see the registered ones"
        case .registerProject(let name): "register it with 'catalog project add \(name) --dsn …'"

        // Registry, store, shared definitions and PostgreSQL connections.
        case .listOrRegisterProject(let name): "run 'catalog project list' to see the registered ones, or 'catalog project add \(name) --dsn …'"
        case .listOrAddTag(let tag): "run 'catalog project list' to see them, or add it with 'catalog project update NAME --tag \(tag)'"
        case .selectProjects: "name one or more projects, or pass --all"
        case .registerFirstProject: "add one with 'catalog project add NAME --dsn …'"
        case .fixDatabaseName: "create the database, or fix the dbname in the DSN with 'catalog project add'"
        case .checkServerOrRaiseTimeout: "check that it is up, or raise --timeout (--query-timeout for catalog serve)"
        case .listShared: "run 'catalog shared list' to see the ones there are"
        case .addShared(let name): "add it with 'catalog shared add \(name) --file …'"
        case .updateShared(let name): "change it with 'catalog shared update \(name) --file …'"
        case .renameOrRemoveProject(let name): "pick another name, or run 'catalog project remove \(name)' first"
        case .useAnotherStore: "pass another --store"
        case .upgradeOrUseAnotherStore: "upgrade catalog, or pass --store to use another store"
        case .showSharedVersions(let name): "its versions are kept for 'catalog shared show \(name)'"
        case .detachSharedFirst(let name):
            "pass --detach to detach them and remove it, or detach them first with 'catalog shared detach \(name) --project …'"
        case .scanOrFindTable(let project, let table):
            "run 'catalog metadata scan \(project)' or check the name with 'catalog find-table \(table) --project \(project)'"
        case .reviewAndAllowDestructive: "review them (--plan shows them all), then run again with --allow-destructive"
        case .giveMigrationsDirectory: "pass --migrations with a directory of NNNN_name.sql files"
        case .searchLive: "search live, without --cached"
        case .giveProjectChange: "give --dsn, --tag or --untag"
        case .addOrRemoveTag: "give it to --tag or to --untag"
        }
    }
}
