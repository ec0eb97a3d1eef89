import Foundation
import GRDB

/// A registered project: one database, reached through a libpq connection string.
public struct Project: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable, Hashable {
        case unknown, ok, failed
    }

    public var id: Int64?
    public var name: String
    /// The libpq connection string. It may carry a password: never print it, print `ConnectionString.masked`.
    public var dsn: String
    public var tags: [String]
    public var status: Status
    public var statusMessage: String?
    public var serverVersion: String?
    public var metadataVersion: Int?
    public var lastCheckedAt: Date?
    public var lastReachedAt: Date?
    public var createdAt: Date

    public init(name: String, dsn: String, tags: [String] = [], createdAt: Date = Date()) {
        self.name = name
        self.dsn = dsn
        self.tags = tags.sorted()
        self.status = .unknown
        self.createdAt = createdAt
    }
}

/// The last check of a project, as recorded in the registry.
public struct ProjectObservation: Sendable, Hashable {
    public var status: Project.Status
    public var message: String?
    public var serverVersion: String?
    public var metadataVersion: Int?
    public var at: Date

    public init(status: Project.Status, message: String? = nil, serverVersion: String? = nil, metadataVersion: Int? = nil, at: Date = Date()) {
        self.status = status
        self.message = message
        self.serverVersion = serverVersion
        self.metadataVersion = metadataVersion
        self.at = at
    }
}

struct ProjectRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "project"
    var id: Int64?
    var name: String
    var dsn: String
    var status: String
    var status_message: String?
    var server_version: String?
    var metadata_version: Int?
    var last_checked_at: Date?
    var last_reached_at: Date?
    var created_at: Date

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
