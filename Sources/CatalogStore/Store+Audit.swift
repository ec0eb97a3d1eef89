import Foundation
import GRDB

/// One line of the audit log: who did what, when, and how it ended.
public struct AuditEntry: Sendable, Equatable {
    public var at: Date
    public var actor: String
    public var action: String
    public var target: String?
    public var result: String
    public var detail: String?
    /// The replica that wrote the entry (`serve --replica-name`, or the host); nil for entries older than replicas.
    public var replica: String?

    public init(
        at: Date = Date(), actor: String = AuditEntry.currentActor, action: String, target: String?, result: String, detail: String? = nil,
        replica: String? = AuditIdentity.replica
    ) {
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.result = result
        self.detail = detail
        self.replica = replica
    }

    /// Who is making the change: the API's caller in `serve`, else the operating-system user (`AuditIdentity`).
    public static var currentActor: String { AuditIdentity.currentActor }
}

extension Store {
    /// Appends one audit entry in its own transaction.
    public func audit(_ entry: AuditEntry) throws {
        try write { db in try Store.insertAudit(entry, db) }
    }

    /// Appends several audit entries in one transaction.
    public func audit(_ entries: [AuditEntry]) throws {
        guard !entries.isEmpty else { return }
        try write { db in for entry in entries { try Store.insertAudit(entry, db) } }
    }

    /// The newest audit entries first.
    public func auditLog(limit: Int) throws -> [AuditEntry] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                AuditEntry(
                    at: row["at"], actor: row["actor"], action: row["action"], target: row["target"], result: row["result"], detail: row["detail"],
                    replica: row["replica"])
            }
        }
    }

    /// The newest audit entries first, of one target and from a time on, when given.
    public func auditLog(target: String?, since: Date?, limit: Int) throws -> [AuditEntry] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM audit_log WHERE (?1 IS NULL OR target = ?1) AND (?2 IS NULL OR at >= ?2) ORDER BY id DESC LIMIT ?3
                    """, arguments: [target, since, limit]
            ).map { row in
                AuditEntry(
                    at: row["at"], actor: row["actor"], action: row["action"], target: row["target"], result: row["result"], detail: row["detail"],
                    replica: row["replica"])
            }
        }
    }

    static func insertAudit(_ entry: AuditEntry, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO audit_log (at, actor, action, target, result, detail, replica) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [entry.at, entry.actor, entry.action, entry.target, entry.result, entry.detail, entry.replica])
    }
}
