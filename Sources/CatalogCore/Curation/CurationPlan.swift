import Foundation

/// How a metadata edit settles one field of one relation or column.
public enum CurationResolution: String, Sendable, Codable {
    /// The value is written (the field was empty, the edit unsets it, or one target was named).
    case write
    /// A fleet edit found a value a person set differently: left alone unless `--force`.
    case conflict
    /// `--force`: the person's value is replaced, and is listed as lost.
    case overwrite
}

/// One field that a metadata edit changes (or, for a conflict, would change).
public struct CurationChange: Sendable, Equatable, Codable {
    public var target: MetadataTarget
    public var field: MetadataField
    public var old: JSONValue?
    public var new: JSONValue?
    public var resolution: CurationResolution
    /// The shared definition the relation is attached to: the edit is a local override there.
    public var sharedName: String?
}

/// What a metadata edit does to one project; a pure value.
public struct ProjectCurationPlan: Sendable, Equatable, Codable {
    public var project: String
    public var changes: [CurationChange]
    /// Fields of matching rows already at the new value.
    public var unchanged: Int

    /// The changes that are written.
    public var writes: [CurationChange] { changes.filter { $0.resolution != .conflict } }
    public var conflicts: [CurationChange] { changes.filter { $0.resolution == .conflict } }
}

/// A whole metadata edit, per project, with the hash `--expect-plan` checks.
public struct CurationPlan: Sendable, Equatable {
    public var projects: [ProjectCurationPlan]

    public init(projects: [ProjectCurationPlan]) {
        self.projects = projects.sorted { $0.project < $1.project }
    }

    /// Printed as the plan's last line; `sync --plan` prints its hash the same way.
    public var hash: String { PlanHash.of(projects) }

    public var changeCount: Int { projects.reduce(0) { $0 + $1.writes.count } }
    public var conflictCount: Int { projects.reduce(0) { $0 + $1.conflicts.count } }
    public var unchangedCount: Int { projects.reduce(0) { $0 + $1.unchanged } }
    /// The shared definitions whose attached relations the edit overrides locally.
    public var sharedNames: [String] { Array(Set(projects.flatMap { $0.writes.compactMap(\.sharedName) })).sorted() }
}

/// A plan with the projects that could not be read to make it.
public struct CurationPlanReport: Sendable, Equatable {
    public var plan: CurationPlan
    public var failures: [ProjectFailure]
}

/// How one project's edit ended.
public struct ProjectCurationResult: Sendable, Equatable {
    public var project: String
    public var outcome: ProjectOutcome
    /// The changes written (empty unless the outcome is ok).
    public var written: [CurationChange]
}

/// What a metadata edit did.
public struct CurationReport: Sendable, Equatable {
    public var plan: CurationPlan
    public var results: [ProjectCurationResult]
    /// Projects that could not be read to make the plan; nothing was written there.
    public var failures: [ProjectFailure]

    public var failedCount: Int { results.filter { !$0.outcome.isOK }.count + failures.count }
}
