import CatalogStore
import Foundation

/// The retention rules of `backup prune`: a backup is kept when either rule keeps it.
public struct PruneRules: Sendable, Equatable {
    /// Keep backups (and set-aside databases) younger than this many days.
    public var keepDays: Int?
    /// Keep each project's newest this many backups.
    public var keepLast: Int?

    /// Rules from `--keep-days` and `--keep-last`; at least one is needed to prune anything.
    public init(keepDays: Int? = nil, keepLast: Int? = nil) {
        self.keepDays = keepDays
        self.keepLast = keepLast
    }
}

/// What `backup prune` will keep and remove, and why. Each project's newest backup is always kept,
/// so pruning never leaves a project without a backup.
public struct PrunePlan: Sendable, Equatable {
    /// One backup file, or one database a restore set aside.
    public enum Item: Sendable, Equatable {
        case backup(BackupRecord)
        case setAside(SetAsideDatabase)

        /// The project the item belongs to.
        public var project: String {
            switch self {
            case .backup(let backup): backup.project
            case .setAside(let database): database.project
            }
        }

        /// True for a backup file, false for a set-aside database.
        public var isBackup: Bool {
            if case .backup = self { return true }
            return false
        }
    }

    /// Whether one item stays, with the rule that decided it.
    public struct Decision: Sendable, Equatable {
        /// The backup or database decided on.
        public var item: Item
        /// True when it stays.
        public var keep: Bool
        /// The rule that decided it.
        public var reason: String
    }

    /// Every backup and set-aside database, each with its decision.
    public var decisions: [Decision]

    /// The items to remove.
    public var removals: [Decision] { decisions.filter { !$0.keep } }

    /// Applies the rules to every backup and set-aside database; pure, so `--plan` and tests see exactly what would go.
    public static func make(backups: [BackupRecord], setAside: [SetAsideDatabase], rules: PruneRules, now: Date) -> PrunePlan {
        let byProject = Dictionary(grouping: backups, by: \.project)
        var decisions: [Decision] = []
        for project in byProject.keys.sorted() {
            let newestFirst = byProject[project, default: []].sorted { ($0.createdAt, $0.id ?? 0) > ($1.createdAt, $1.id ?? 0) }
            for (position, backup) in newestFirst.enumerated() {
                let (keep, reason) = decide(position: position, createdAt: backup.createdAt, rules: rules, now: now)
                decisions.append(Decision(item: .backup(backup), keep: keep, reason: reason))
            }
        }
        for database in setAside {
            let decision: Decision
            if let days = rules.keepDays, age(database.createdAt, now) > Double(days) {
                decision = Decision(item: .setAside(database), keep: false, reason: "set aside more than \(days) days ago")
            } else {
                decision = Decision(
                    item: .setAside(database), keep: true,
                    reason: rules.keepDays.map { "set aside within the last \($0) days" } ?? "set-aside databases are dropped only by a rule in days")
            }
            decisions.append(decision)
        }
        return PrunePlan(decisions: decisions)
    }

    private static func decide(position: Int, createdAt: Date, rules: PruneRules, now: Date) -> (Bool, String) {
        if position == 0 { return (true, "the project's newest backup is never pruned") }
        if let last = rules.keepLast, position < last { return (true, "one of the newest \(last)") }
        if let days = rules.keepDays, age(createdAt, now) <= Double(days) { return (true, "newer than \(days) days") }
        let reasons = [rules.keepDays.map { "older than \($0) days" }, rules.keepLast.map { "not among the newest \($0)" }]
        return (false, reasons.compactMap { $0 }.joined(separator: " and "))
    }

    private static func age(_ date: Date, _ now: Date) -> Double {
        now.timeIntervalSince(date) / 86_400
    }
}
