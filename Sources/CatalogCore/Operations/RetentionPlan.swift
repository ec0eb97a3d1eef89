import CatalogStore
import Foundation

/// A backup schedule's retention as a `PrunePlan`, so `Catalog.prune` (the same executor as
/// `backup prune`) carries it out. Pure: the same backups, rules and time give the same plan.
enum RetentionPlan {
    /// Decides every backup of the given projects. Each project's newest good backup (the newest
    /// one not failed by `backup verify`) is always kept; set-aside databases are left alone.
    static func make(backups: [BackupRecord], projects: Set<String>, rules: ScheduleRetention) -> PrunePlan {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        var decisions: [PrunePlan.Decision] = []
        let byProject = Dictionary(grouping: backups.filter { projects.contains($0.project) }, by: \.project)
        for project in byProject.keys.sorted() {
            let newestFirst = byProject[project, default: []].sorted { ($0.createdAt, $0.id ?? 0) > ($1.createdAt, $1.id ?? 0) }
            let newestGood = newestFirst.first { $0.verifiedOK != false }
            var reasons: [Int: String] = [:]
            func keepNewestPer(_ count: Int?, label: String, _ period: (Date) -> String) {
                guard let count, count > 0 else { return }
                var seen: [String] = []
                for (index, backup) in newestFirst.enumerated() {
                    let key = period(backup.createdAt)
                    if seen.contains(key) { continue }
                    seen.append(key)
                    if seen.count > count { break }
                    if reasons[index] == nil { reasons[index] = "the newest of its \(label) (keep \(count))" }
                }
            }
            if let last = rules.keepLast {
                for index in newestFirst.indices where index < last { reasons[index] = "one of the newest \(last)" }
            }
            keepNewestPer(rules.keepDaily, label: "day") { date in
                let parts = utc.dateComponents([.year, .month, .day], from: date)
                return "\(parts.year ?? 0)-\(parts.month ?? 0)-\(parts.day ?? 0)"
            }
            keepNewestPer(rules.keepWeekly, label: "week") { date in
                let parts = utc.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
                return "\(parts.yearForWeekOfYear ?? 0)-W\(parts.weekOfYear ?? 0)"
            }
            keepNewestPer(rules.keepMonthly, label: "month") { date in
                let parts = utc.dateComponents([.year, .month], from: date)
                return "\(parts.year ?? 0)-\(parts.month ?? 0)"
            }
            for (index, backup) in newestFirst.enumerated() {
                if backup == newestGood {
                    decisions.append(.init(item: .backup(backup), keep: true, reason: "the project's newest good backup is never pruned"))
                } else if let reason = reasons[index] {
                    decisions.append(.init(item: .backup(backup), keep: true, reason: reason))
                } else {
                    decisions.append(.init(item: .backup(backup), keep: false, reason: "kept by no rule of the schedule (\(rules.description))"))
                }
            }
        }
        return PrunePlan(decisions: decisions)
    }
}
