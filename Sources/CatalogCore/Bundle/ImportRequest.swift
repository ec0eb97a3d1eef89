import Foundation

/// What `catalog import` is asked to do: where the project goes, under which name, and what it may replace.
public struct ImportRequest: Sendable, Equatable {
    /// What to do when the target store has a different definition under a bundled name and version.
    public enum SharedChoice: String, Sendable, Equatable {
        /// Stop and explain: the default.
        case refuse
        /// Keep the store's definition; the project adopts it at its next sync.
        case keepTarget
        /// Add the bundle's definition to the store as a new version, and point the project at it.
        case adoptBundle
    }

    /// The name to register; nil takes the bundle's project name.
    public var name: String?
    /// The target database's connection string; it must name the database (`dbname`).
    public var dsn: String
    /// Tags for the registered project.
    public var tags: [String]
    /// Create the target database when it does not exist.
    public var createDatabase: Bool
    /// Replace a target database that holds data, after a safety backup.
    public var replace: Bool
    /// Restore the source's owners and privileges instead of leaving everything to the importing role.
    public var keepOwners: Bool
    /// What to do about a shared definition that clashes with the store's.
    public var sharedChoice: SharedChoice
    /// Seconds to wait for each connection.
    public var connectTimeout: Int
    /// Where the safety backup of `replace` goes; nil means the store's backup directory.
    public var backupDirectory: String?
    /// Recorded with the safety backup.
    public var catalogVersion: String
    /// The tools to run; nil finds them with `PgTools.locate()`.
    public var tools: PgTools?

    /// A request; by default the target must be new or empty and clashes of shared definitions stop the import.
    public init(
        name: String? = nil, dsn: String, tags: [String] = [], createDatabase: Bool = false, replace: Bool = false,
        keepOwners: Bool = false, sharedChoice: SharedChoice = .refuse, connectTimeout: Int = 10, backupDirectory: String? = nil,
        catalogVersion: String, tools: PgTools? = nil
    ) {
        self.name = name
        self.dsn = dsn
        self.tags = tags
        self.createDatabase = createDatabase
        self.replace = replace
        self.keepOwners = keepOwners
        self.sharedChoice = sharedChoice
        self.connectTimeout = connectTimeout
        self.backupDirectory = backupDirectory
        self.catalogVersion = catalogVersion
        self.tools = tools
    }
}
