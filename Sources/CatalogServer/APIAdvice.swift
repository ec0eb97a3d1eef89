import CatalogCore
import CatalogStore

/// The API's words for what to do next: the routes and body fields that carry out a library
/// error's `Remedy` (the CLI words the same remedies as commands and flags).
enum APIAdvice {
    /// The message an API client reads for `error`.
    static func message(for error: CatalogError) -> String {
        guard let remedy = error.remedy else { return error.message }
        return "\(error.message); \(words(for: remedy))"
    }

    /// The one line a write refused while the registry is down answers with (code `registry_unavailable`, 503).
    static let registryUnavailable = "the registry is unreachable; nothing was changed; this replica recovers on its own once it is back: try again"

    /// A remedy as routes and fields.
    static func words(for remedy: CatalogError.Remedy) -> String {
        switch remedy {
        case .giveABundle: "give a file written by POST /api/v1/projects/{name}/export"
        case .importUnderAnotherName: "import under another project name, or remove the registered project first"
        case .nameTargetDatabase(let example): "the target connection string must name the database, such as '\(example)'"
        case .checkTargetServer: "check the target connection string and that the server is up"
        case .createDatabase: "create the database first, or let the import create it"
        case .allowReplace: "import into a new or empty database, or let the import replace this one after a safety backup"
        case .chooseSharedVersion: "choose whether this store's definition is kept or the bundle's is added as a new version"
        case .reviewImportPlanAgain: "make the import plan again and review it"
        case .registerRestoredProject: "register it with POST /api/v1/projects and attach its shared definitions"
        case .dropOrIncludeUserMappings: "drop them first: the API never exports user mappings"
        case .allowDifferentDatabase: "pick a backup of this database (GET /api/v1/backups lists them)"
        case .giveRetentionRule: "give a retention rule: days to keep, backups to keep, or both"
        case .listBackups: "GET /api/v1/backups lists the backups and their ids"
        case .pickAnotherBackup: "pick another backup (GET /api/v1/backups lists them)"
        case .terminateOtherSessions: "close the other sessions (POST /api/v1/projects/{name}/release lets the warm pool's go)"
        case .pruneSetAsideLater: "drop it later with a backup prune"
        case .checkProjectDSN: "check the project's connection string (GET /api/v1/projects/{name})"
        case .chooseAnotherOutput, .chooseAnotherOutputOrOverwrite, .chooseAnotherOutputOrRemove:
            "nothing was written there; export again to get a new file name"
        case .reviewSyncPlanAgain: "GET /api/v1/sync/plan again and review it"
        case .registerProject: "register it with POST /api/v1/projects"

        // Registry, store, shared definitions and PostgreSQL connections.
        case .listOrRegisterProject: "GET /api/v1/projects lists the registered ones"
        case .listOrAddTag: "GET /api/v1/projects lists them with their tags"
        case .selectProjects: "name one or more projects with project, or give a tag"
        case .registerFirstProject: "add one with POST /api/v1/projects"
        case .fixDatabaseName: "create the database, or register the project again with the right dbname in its DSN"
        case .checkServerOrRaiseTimeout: "check that the server is up, or ask the operator to raise catalog serve's --query-timeout"
        case .endSessionOrRaiseTimeout: "end that session, or ask the operator to raise catalog serve's --query-timeout"
        case .detachSharedFirst: "detach the projects from it first"
        case .scanOrFindTable(let project, let table):
            "scan the project's metadata again, or check the name with GET /api/v1/search/tables?name=\(table)&project=\(project)"
        case .reviewAndAllowDestructive: "review them, then allow destructive statements explicitly"
        case .giveMigrationsDirectory: "name a directory of NNNN_name.sql files"
        case .searchLive: "search live, without cached=true"
        case .giveProjectChange: "give a new DSN, tags to add or tags to remove"
        case .addOrRemoveTag: "either add it or remove it"
        case .syncProject(let project): "GET /api/v1/sync/plan?project=\(project), then POST /api/v1/sync with its hash"
        case .settleConflictsOrForceSync(let project):
            "settle them in the project, or plan and apply the sync of \(project) with force=true"
        case .readLiveOnce: "ask once without cached=true"
        case .giveSearchName: "give a name such as 'email', or match=contains"
        case .nameProjectsOrTag: "name projects with project, or give a tag that some project has"
        case .giveSourceTable(let example): "give the source as PROJECT:SCHEMA.TABLE, such as \(example)"
        case .giveRollbackTarget: "give the version to roll back to (0 undoes every migration that has a down script)"
        case .upgradeOrGiveMigrationsDirectory: "upgrade catalog, or name the migrations directory it came from"
        case .giveMigrationsDirectoryOrRenumber(let migration): "name the migrations directory \(migration) came from, or renumber one of them"
        case .giveMigrationsDirectoryItCameFrom: "name the migrations directory it came from"
        case .makeBackupDirectoryWritable: "ask the operator to make the backup directory writable"
        case .freeBackupSpace: "ask the operator to free some space in the backup directory"
        case .useAnotherBackupDirectory: "ask the operator to make the backup directory a directory"
        case .installMetadata, .installAndScanMetadata: "ask the operator to install _metadata there (catalog metadata install) and scan it"
        case .upgradeMetadata: "ask the operator to upgrade its _metadata (catalog metadata install)"
        case .scanMetadata: "ask the operator to scan its metadata again (catalog metadata scan)"
        case .describeLive: "read it live once, without cached=true"
        case .describeCached: "check that the server is up, or read it from the local index with cached=true"
        case .describeRelation(let project, let relation):
            "see its columns with GET /api/v1/projects/\(project)/relations/\(relation.replacingOccurrences(of: ".", with: "/"))"
        case .reviewMetadataPlanAgain: "POST /api/v1/metadata/plan again, review it, and apply that plan's hash"
        case .writeLintBaseline: "ask the operator to write one with catalog lint --write-baseline"
        case .widenMetadataMatch(let target, let name): "check the name, or match more loosely with GET /api/v1/search/\(target)s?name=\(name)&match=contains"
        case .followRenames(let fields, let target): "following the renames carries \(fields.joined(separator: ", ")) to \(target)"
        case .pruneMappings: "a prune deletes the mapping"
        case .grantCreateDatabase(let role): "a superuser can allow it with 'ALTER ROLE \(role) CREATEDB'"
        case .chooseDatabaseName(let example): "give database with another name of at most 63 bytes, such as '\(example)'"
        case .store(let remedy): words(for: remedy)
        }
    }

    /// A store remedy in the same words.
    static func words(for remedy: StoreRemedy) -> String {
        switch remedy {
        case .listProjects: "GET /api/v1/projects lists the registered ones"
        case .listShared: "GET /api/v1/shared lists them"
        case .addShared: "GET /api/v1/shared lists the ones there are"
        case .updateShared(let name): "GET /api/v1/shared/\(name) shows it"
        case .renameOrRemoveProject(let name): "pick another name, or DELETE /api/v1/projects/\(name) first"
        case .useAnotherStore: "start catalog serve with another store"
        case .retryWhenStoreIsBack: "nothing was changed; try again once the registry is back"
        case .upgradeOrUseAnotherStore: "upgrade catalog, or start catalog serve with another store"
        case .showSharedVersions(let name): "GET /api/v1/shared/\(name) shows its kept versions"
        }
    }
}

extension ProjectOutcome {
    /// Why a project did not succeed, with what to do next in the API's words.
    var reason: String? { reason(advice: APIAdvice.words(for:)) }
}
