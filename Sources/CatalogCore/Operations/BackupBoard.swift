import CatalogStore
import Foundation

/// One project's row on `backup status` and the Operations view.
public struct BackupBoardRow: Sendable, Equatable {
    /// ✅ a good backup within 24 h; ⚠ the newest good one is older; ❌ none, or the last scheduled attempt failed.
    public enum State: String, Sendable {
        case ok, old, failed

        /// The mark people read.
        public var mark: String {
            switch self {
            case .ok: "✅"
            case .old: "⚠"
            case .failed: "❌"
            }
        }
    }

    public var project: String
    /// When its newest good backup was taken.
    public var lastBackup: Date?
    public var sizeBytes: Int64?
    /// Seconds since `lastBackup`.
    public var ageSeconds: Double?
    public var state: State
    /// Why it is ❌, when it is.
    public var reason: String?
}

/// Figures for Prometheus, read from the store at scrape time.
public struct OperationsSnapshot: Sendable, Equatable {
    /// Each project's newest good backup time.
    public var lastGoodBackup: [String: Date]
    /// Each schedule's last finished run: its kind and how long it took.
    public var lastRunSeconds: [(schedule: String, kind: String, seconds: Double)]
    /// Failed runs in the recorded history, by schedule kind.
    public var failedRuns: [String: Int]
    /// Open incidents, by kind.
    public var openIncidents: [String: Int]

    public static func == (lhs: OperationsSnapshot, rhs: OperationsSnapshot) -> Bool {
        lhs.lastGoodBackup == rhs.lastGoodBackup && lhs.failedRuns == rhs.failedRuns && lhs.openIncidents == rhs.openIncidents
            && lhs.lastRunSeconds.map(\.schedule) == rhs.lastRunSeconds.map(\.schedule)
    }
}

extension Catalog {
    /// Every registered project with its newest good backup, its size and age, and its state.
    public func backupBoard(now: Date = Date()) throws -> [BackupBoardRow] {
        let projects = try wrapped { try store.projects() }
        let newest = Self.newestGoodBackups(try wrapped { try store.backups() })
        let kinds = Dictionary(
            uniqueKeysWithValues: try wrapped { try store.schedules() }.compactMap { record in record.id.map { ($0, record.kind) } })
        let runs = try wrapped { try store.scheduleRuns(scheduleID: nil, limit: 500) }.filter { kinds[$0.scheduleID] == "backup" }
        return projects.map { project in
            let backup = newest[project.name]
            let age = backup.map { now.timeIntervalSince($0.createdAt) }
            var row = BackupBoardRow(
                project: project.name, lastBackup: backup?.createdAt, sizeBytes: backup?.sizeBytes, ageSeconds: age,
                state: .ok, reason: nil)
            let lastAttempt = runs.lazy.compactMap { run in run.projects.first { $0.project == project.name }.map { (run, $0) } }.first
            if let (run, attempt) = lastAttempt, attempt.outcome != "ok", run.startedAt > (backup?.createdAt ?? .distantPast) {
                row.state = .failed
                row.reason = attempt.reason ?? attempt.outcome
            } else if backup == nil {
                row.state = .failed
                row.reason = "no backup"
            } else if let age, age > BackupListing.staleAfter {
                row.state = .old
            }
            return row
        }
    }

    /// The figures `/metrics` shows about schedules, backups and incidents.
    public func operationsSnapshot() throws -> OperationsSnapshot {
        let newest = Self.newestGoodBackups(try wrapped { try store.backups() }).mapValues(\.createdAt)
        let schedules = try wrapped { try store.schedules() }
        let kinds = Dictionary(uniqueKeysWithValues: schedules.compactMap { record in record.id.map { ($0, record.kind) } })
        let runs = try wrapped { try store.scheduleRuns(scheduleID: nil, limit: 10_000) }
        var last: [(String, String, Double)] = []
        for schedule in schedules {
            if let run = runs.first(where: { $0.scheduleID == schedule.id && $0.endedAt != nil }), let ended = run.endedAt {
                last.append((schedule.name, schedule.kind, ended.timeIntervalSince(run.startedAt)))
            }
        }
        var failed: [String: Int] = [:]
        for run in runs where run.outcome == "failed" || run.outcome == "abandoned" { failed[kinds[run.scheduleID] ?? "?", default: 0] += 1 }
        var open: [String: Int] = [:]
        for incident in try wrapped({ try store.incidents(openOnly: true, limit: 100_000) }) { open[incident.kind, default: 0] += 1 }
        return OperationsSnapshot(lastGoodBackup: newest, lastRunSeconds: last, failedRuns: failed, openIncidents: open)
    }
}
