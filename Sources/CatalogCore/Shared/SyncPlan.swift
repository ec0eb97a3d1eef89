import Foundation

/// How one field is settled by a sync.
public enum FieldResolution: String, Sendable, Codable {
    /// Changed upstream and not edited locally: take the shared value.
    case update
    /// Changed upstream and edited locally: left alone, both values shown.
    case conflict
    /// Edited locally only (or left empty by the shared version): the project's value is kept.
    case keepLocal = "keep_local"
    /// `--force`: the shared value replaces a local one, which is lost.
    case overwriteLocal = "overwrite_local"
}

/// One field's three sides and how the plan settles it.
public struct FieldChange: Sendable, Equatable, Codable {
    public var path: String
    public var base: JSONValue?
    public var ours: JSONValue?
    public var theirs: JSONValue?
    public var resolution: FieldResolution
}

/// What sync will do to one project for one shared definition.
public enum SyncAction: String, Sendable, Codable {
    case create, update, unchanged, conflict
}

/// The plan for one (project, definition) pair; a pure value.
public struct ProjectSyncPlan: Sendable, Equatable, Codable {
    public var project: String
    public var definition: String
    public var schema: String
    public var table: String
    public var action: SyncAction
    /// The version last synced into the project (the base), if any.
    public var fromVersion: Int?
    public var toVersion: Int
    /// Columns the shared version has and the project's mapping lacks.
    public var newColumns: [String]
    /// Columns the last synced version had and the shared version no longer has, still mapped in
    /// the project: their mappings are left as they are, as the project's own.
    public var removedColumns: [String] = []
    public var changes: [FieldChange]

    /// Fields where both sides changed; a project with any is left untouched.
    public var conflicts: [FieldChange] { changes.filter { $0.resolution == .conflict } }
    /// Local values kept as deliberate overrides.
    public var overrides: [FieldChange] { changes.filter { $0.resolution == .keepLocal } }
    /// Local values `--force` replaces.
    public var lost: [FieldChange] { changes.filter { $0.resolution == .overwriteLocal } }
    /// Fields the sync writes.
    public var writes: [FieldChange] { changes.filter { $0.resolution == .update || $0.resolution == .overwriteLocal } }
}

/// The whole plan, with a hash so `sync --expect-plan HASH` applies only what was shown.
public struct SyncPlan: Sendable, Equatable {
    public var projects: [ProjectSyncPlan]

    public init(projects: [ProjectSyncPlan]) {
        self.projects = projects.sorted { ($0.project, $0.definition) < ($1.project, $1.definition) }
    }

    /// SHA-256 of the plan's canonical JSON, first 16 hex digits.
    public var hash: String { Self.hash(projects) }

    static func hash(_ projects: [ProjectSyncPlan]) -> String { PlanHash.of(projects) }

    public var hasConflicts: Bool { projects.contains { $0.action == .conflict } }
}

/// One flat line of a plan, as CSV and JSON show it: a field change, a column that left the
/// shared definition (`removed_upstream`), or, for a project with neither, a line of nulls.
public struct SyncPlanLine: Sendable, Equatable {
    public var field: String?
    public var resolution: String?
    public var ours: String?
    public var theirs: String?

    public init(field: String? = nil, resolution: String? = nil, ours: String? = nil, theirs: String? = nil) {
        self.field = field
        self.resolution = resolution
        self.ours = ours
        self.theirs = theirs
    }
}

extension ProjectSyncPlan {
    /// The plan's flat lines, changes first.
    public var lines: [SyncPlanLine] {
        let changed = changes.map { change in
            SyncPlanLine(field: change.path, resolution: change.resolution.rawValue, ours: Self.text(change.ours), theirs: Self.text(change.theirs))
        }
        let removed = removedColumns.map { SyncPlanLine(field: "columns.\($0)", resolution: "removed_upstream") }
        let all = changed + removed
        return all.isEmpty ? [SyncPlanLine()] : all
    }

    /// A field's value as people and scripts see it: text as it is, anything else as canonical JSON.
    public static func text(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        if case .string(let text) = value { return text }
        return value.canonicalText
    }
}
