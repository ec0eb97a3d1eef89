/// What `project create` was asked for, before anything is read.
public struct CreateRequest: Sendable, Equatable {
    /// The project's name in the registry.
    public var name: String
    /// A connection string to the server; its database is only used to reach the server.
    public var serverDSN: String
    /// The database to create; `<name>_db` when nil.
    public var database: String?
    /// The new database's owner; the connecting role when nil.
    public var owner: String?
    /// The encoding; the server's default (template1's) when nil.
    public var encoding: String?
    /// The locale (collation and character type); the server's default when nil.
    public var locale: String?
    /// Shared definitions to attach and sync.
    public var attach: [String]
    /// Also create the attached definitions' tables.
    public var createTables: Bool
    public var tags: [String]

    public init(
        name: String, serverDSN: String, database: String? = nil, owner: String? = nil, encoding: String? = nil, locale: String? = nil,
        attach: [String] = [], createTables: Bool = false, tags: [String] = []
    ) {
        self.name = name
        self.serverDSN = serverDSN
        self.database = database
        self.owner = owner
        self.encoding = encoding
        self.locale = locale
        self.attach = attach
        self.createTables = createTables
        self.tags = tags
    }

    /// The database's name: `--database`, else `<name>_db`.
    public var databaseName: String { database ?? "\(name)_db" }
}

/// How long a lifecycle command may take and how it connects.
public struct LifecycleOptions: Sendable, Equatable {
    /// Seconds each step's work may take (installing `_metadata`, the tables, the sync). Waiting for a
    /// server's create lock is not counted: creates on one server take turns, however many there are.
    public var timeout: Double
    /// Seconds to wait for each connection.
    public var connectTimeout: Int

    public init(timeout: Double = 60, connectTimeout: Int = 10) {
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }
}
