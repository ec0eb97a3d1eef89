import CatalogStore
import Foundation

extension Catalog {
    /// The audit log, newest first: who changed what, when, and how it ended. `project` keeps the
    /// entries whose target is that project; `since` those written at or after it.
    public func history(project: String? = nil, since: Date? = nil, limit: Int = 100) throws -> [AuditEntry] {
        guard limit > 0 else { throw CatalogError(.badInput, "the number of history entries must be at least 1") }
        return try wrapped { try store.auditLog(target: project, since: since, limit: limit) }
    }
}
