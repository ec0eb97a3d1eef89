import CatalogStore
import Foundation

/// What `shared remove` does to one definition: it is archived, not deleted, so its versions
/// stay for history and `shared show`; attached projects are detached only when asked.
public struct SharedRemovalPlan: Sendable, Equatable {
    public var name: String
    /// How many versions the archive keeps.
    public var versions: Int
    /// The projects attached now; their `_metadata` rows are never touched.
    public var attached: [String]

    /// The plan as lines for people.
    public var steps: [String] {
        var steps = [
            "archive shared definition \(name): its \(versions) version(s) stay in the store for 'catalog shared show \(name) N'; it is no longer listed, attached, updated or synced"
        ]
        if !attached.isEmpty {
            steps.append("detach \(attached.joined(separator: ", ")) from \(name); their _metadata rows stay as they are")
        }
        return steps
    }
}

extension Catalog {
    /// Plans the removal of a shared definition; changes nothing.
    public func planSharedRemoval(_ name: String) throws -> SharedRemovalPlan {
        let history = try sharedHistory(name)
        if try wrapped({ try store.archivedSharedNames() }).contains(name) {
            throw CatalogError(.failed, "shared definition \"\(name)\" was already removed", remedy: .showSharedVersions(name))
        }
        let attached = try wrapped { try store.attachments(definition: name) }.map(\.project)
        return SharedRemovalPlan(name: name, versions: history.count, attached: attached)
    }

    /// Carries out a removal plan in one transaction. Attached projects are refused unless
    /// `detach` is true; if the attachments changed since the plan, nothing is changed.
    public func removeShared(_ plan: SharedRemovalPlan, detach: Bool) throws {
        if !plan.attached.isEmpty && !detach {
            throw CatalogError(
                .failed, "shared definition \"\(plan.name)\" is attached to \(plan.attached.joined(separator: ", ")); nothing was changed",
                remedy: .detachSharedFirst(plan.name))
        }
        let detail = plan.attached.isEmpty ? "archived" : "archived; detached \(plan.attached.joined(separator: ", "))"
        try wrapped {
            try store.archiveShared(
                name: plan.name, expectedAttached: plan.attached,
                audit: AuditEntry(action: "shared.remove", target: plan.name, result: "ok", detail: detail))
        }
    }
}
