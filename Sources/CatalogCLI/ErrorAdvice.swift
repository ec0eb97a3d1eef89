import CatalogCore
import CatalogStore

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
        case .giveABundle: "give a file written by 'catalog export'"
        case .importUnderAnotherName(let name): "import under another name with --as NAME, or run 'catalog project remove \(name)' first"
        case .nameTargetDatabase(let example): "the --dsn must name the target database, such as '\(example)'"
        case .checkTargetServer: "check the --dsn and that the server is up"
        case .createDatabase: "pass --create-database to create it"
        case .allowReplace: "import into a new or empty database, or pass --replace to replace it after a safety backup"
        case .chooseSharedVersion: "pass --keep-target to keep this store's, or --adopt-bundle to add the bundle's as a new version"
        case .reviewImportPlanAgain: "run the import with --plan again and review it"
        case .registerRestoredProject(let name): "register it with 'catalog project add \(name) --dsn …' and attach its shared definitions"
        case .dropOrIncludeUserMappings: "drop them first, or pass --include-user-mappings to export them anyway"
        case .allowDifferentDatabase(let project):
            "pick a backup of this database with 'catalog backup list \(project)', or pass --into-different-database to restore over it anyway"
        case .giveRetentionRule: "give a retention rule: --keep-days DAYS, --keep-last N, or both"
        case .listBackups(let project?): "run 'catalog backup list \(project)' to see its backups"
        case .listBackups(nil): "run 'catalog backup list' to see the ids"
        case .pickAnotherBackup(let project): "pick another backup with 'catalog backup list \(project)'"
        case .terminateOtherSessions: "close the others, or pass --terminate-connections"
        case .pruneSetAsideLater: "drop it later with 'catalog backup prune'"
        case .checkProjectDSN: "check the project's DSN with 'catalog project show'"
        case .chooseAnotherOutput: "choose another -o"
        case .chooseAnotherOutputOrOverwrite: "choose another -o, or pass --overwrite to replace an earlier bundle"
        case .chooseAnotherOutputOrRemove: "choose another -o or remove the file yourself"
        case .reviewSyncPlanAgain: "run 'catalog sync --plan' again and review it"
        case .registerProject(let name): "register it with 'catalog project add \(name) --dsn …'"

        // Registry, store, shared definitions and PostgreSQL connections.
        case .listOrRegisterProject(let name): "run 'catalog project list' to see the registered ones, or 'catalog project add \(name) --dsn …'"
        case .listOrAddTag(let tag): "run 'catalog project list' to see them, or add it with 'catalog project update NAME --tag \(tag)'"
        case .selectProjects: "name one or more projects, or pass --all"
        case .registerFirstProject: "add one with 'catalog project add NAME --dsn …'"
        case .fixDatabaseName: "create the database, or fix the dbname in the DSN with 'catalog project add'"
        case .checkServerOrRaiseTimeout: "check that the server is up, or raise --timeout"
        case .endSessionOrRaiseTimeout: "end that session, or raise --timeout"
        case .detachSharedFirst(let name):
            "pass --detach to detach them and remove it, or detach them first with 'catalog shared detach \(name) --project …'"
        case .scanOrFindTable(let project, let table):
            "run 'catalog metadata scan \(project)' or check the name with 'catalog find-table \(table) --project \(project)'"
        case .reviewAndAllowDestructive: "review them (--plan shows them all), then run again with --allow-destructive"
        case .giveMigrationsDirectory: "pass --migrations with a directory of NNNN_name.sql files"
        case .searchLive: "search live, without --cached"
        case .giveProjectChange: "give --dsn, --tag or --untag"
        case .addOrRemoveTag: "give it to --tag or to --untag"
        case .syncProject(let project): "run 'catalog sync --project \(project)'"
        case .settleConflictsOrForceSync(let project): "settle them in the project, or run 'catalog sync --project \(project) --force'"
        case .readLiveOnce: "run the same command without --cached once"
        case .giveSearchName: "give a name such as 'email', or use --match contains"
        case .nameProjectsOrTag: "name projects with --project or use a tag that has some"
        case .giveSourceTable(let example): "--from takes PROJECT:SCHEMA.TABLE, such as \(example)"
        case .giveRollbackTarget: "give the version to roll back to with --to VERSION (0 undoes every migration that has a down script)"
        case .upgradeOrGiveMigrationsDirectory: "upgrade catalog, or pass the --migrations directory it came from"
        case .giveMigrationsDirectoryOrRenumber(let migration): "pass the --migrations directory \(migration) came from, or renumber one of them"
        case .giveMigrationsDirectoryItCameFrom: "pass the --migrations directory it came from"
        case .makeBackupDirectoryWritable: "make it writable or pass another --backup-dir"
        case .freeBackupSpace: "free some space or pass another --backup-dir"
        case .useAnotherBackupDirectory: "pass another --backup-dir"
        case .installMetadata(let project?): "run 'catalog metadata install \(project)' first"
        case .installMetadata(nil): "run 'catalog metadata install'"
        case .installAndScanMetadata(let project): "run 'catalog metadata install \(project)' and 'catalog metadata scan \(project)'"
        case .upgradeMetadata(let project): "run 'catalog metadata install \(project)' to upgrade it first"
        case .scanMetadata(let project): "run 'catalog metadata scan \(project)'"
        case .describeLive: "run 'catalog describe' once without --cached"
        case .describeCached: "check that the server is up, or describe it from the local index with --cached"
        case .describeRelation(let project, let relation): "see its columns with 'catalog describe \(project) \(relation)'"
        case .reviewMetadataPlanAgain: "run the same command with --plan again, review it, and pass its hash to --expect-plan"
        case .writeLintBaseline: "write one with 'catalog lint --write-baseline FILE'"
        case .widenMetadataMatch(let target, let name):
            "check the name, try --match contains, or look with 'catalog find-\(target) \(name) --match contains'"
        case .followRenames(let fields, let target): "--follow-renames carries \(fields.joined(separator: ", ")) to \(target)"
        case .pruneMappings: "--prune deletes the mapping"
        case .grantCreateDatabase(let role): "a superuser can allow it with 'ALTER ROLE \(role) CREATEDB'"
        case .chooseDatabaseName(let example): "pass --database with another name of at most 63 bytes, such as '\(example)'"
        case .store(let remedy): words(for: remedy)
        }
    }

    /// A store remedy in the same words.
    static func words(for remedy: StoreRemedy) -> String {
        switch remedy {
        case .listProjects: "run 'catalog project list' to see the registered ones"
        case .listShared: "run 'catalog shared list' to see the ones there are"
        case .addShared(let name): "add it with 'catalog shared add \(name) --file …'"
        case .updateShared(let name): "change it with 'catalog shared update \(name) --file …'"
        case .renameOrRemoveProject(let name): "pick another name, or run 'catalog project remove \(name)' first"
        case .useAnotherStore: "pass another --store"
        case .retryWhenStoreIsBack: "check that its server is up and try again, or pass another --store"
        case .upgradeOrUseAnotherStore: "upgrade catalog, or pass --store to use another store"
        case .showSharedVersions(let name): "its versions are kept for 'catalog shared show \(name)'"
        }
    }
}

extension ProjectOutcome {
    /// Why a project did not succeed, with what to do next in the CLI's words.
    var reason: String? { reason(advice: ErrorAdvice.words(for:)) }
}

extension ProjectFailure {
    /// Why a project did not answer, with what to do next in the CLI's words.
    var error: String { error(advice: ErrorAdvice.words(for:)) }
}
