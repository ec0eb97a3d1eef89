import CatalogStore
import Foundation
import Testing

@testable import CatalogCore

/// The scheduler's clock, driven by hand: cron parsing, daylight-saving changes, catch-up after
/// downtime and no double run.
@Suite("Operations: schedule clock")
struct ScheduleClockTests {
    let utc = TimeZone(identifier: "UTC")!
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }

    func iso(_ date: Date?) -> String? {
        date.map { ISO8601DateFormatter().string(from: $0) }
    }

    @Test func dailyCronRunsAtThreeUTC() throws {
        let cron = try CronExpression("0 3 * * *")
        #expect(iso(cron.next(after: date("2026-03-01T02:59:00Z"), in: utc)) == "2026-03-01T03:00:00Z")
        #expect(iso(cron.next(after: date("2026-03-01T03:00:00Z"), in: utc)) == "2026-03-02T03:00:00Z")
    }

    @Test func stepsListsRangesAndNames() throws {
        let cron = try CronExpression("*/15 9-17 * * mon-fri")
        // 2026-03-07 is a Saturday: the next run is Monday 09:00.
        #expect(iso(cron.next(after: date("2026-03-06T17:45:00Z"), in: utc)) == "2026-03-09T09:00:00Z")
        #expect(iso(cron.next(after: date("2026-03-09T09:00:00Z"), in: utc)) == "2026-03-09T09:15:00Z")
        let sunday = try CronExpression("0 0 * * 7")
        #expect(iso(sunday.next(after: date("2026-03-02T00:00:00Z"), in: utc)) == "2026-03-08T00:00:00Z")
        let either = try CronExpression("0 0 13 * fri")
        // Day 13 or any Friday: Friday 2026-03-06 comes first.
        #expect(iso(either.next(after: date("2026-03-01T00:00:00Z"), in: utc)) == "2026-03-06T00:00:00Z")
        let leap = try CronExpression("0 0 29 2 *")
        #expect(iso(leap.next(after: date("2026-03-01T00:00:00Z"), in: utc)) == "2028-02-29T00:00:00Z")
    }

    @Test(arguments: [
        "0 3 * *", "60 3 * * *", "0 24 * * *", "0 3 0 * *", "0 3 * 13 *", "0 3 * * 8", "x 3 * * *", "5-1 * * * *",
        "*/0 * * * *", "0 3 31 4 *", "1,,2 * * * *", "0 3 * * * *",
    ])
    func invalidExpressionsAreOneLineBadInput(_ text: String) {
        #expect {
            try CronExpression(text)
        } throws: { error in
            guard let error = error as? CatalogError else { return false }
            return error.code == .badInput && !error.message.contains("\n") && error.message.contains("cron expression")
        }
    }

    @Test func aSkippedLocalTimeRunsOnceAtTheChange() throws {
        // Europe/Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00 UTC); 02:30 does not exist.
        let cron = try CronExpression("30 2 * * *")
        let first = cron.next(after: date("2026-03-28T12:00:00Z"), in: berlin)
        #expect(iso(first) == "2026-03-29T01:00:00Z")
        #expect(iso(cron.next(after: first!, in: berlin)) == "2026-03-30T00:30:00Z")
        // Four slots inside the gap are one run.
        let quarter = try CronExpression("*/15 2 * * *")
        let gap = quarter.next(after: date("2026-03-28T12:00:00Z"), in: berlin)
        #expect(iso(gap) == "2026-03-29T01:00:00Z")
        #expect(iso(quarter.next(after: gap!, in: berlin)) == "2026-03-30T00:00:00Z")
    }

    @Test func aRepeatedLocalTimeRunsOnce() throws {
        // Europe/Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:30 happens twice.
        let cron = try CronExpression("30 2 * * *")
        let first = cron.next(after: date("2026-10-24T12:00:00Z"), in: berlin)
        #expect(iso(first) == "2026-10-25T00:30:00Z")
        #expect(iso(cron.next(after: first!, in: berlin)) == "2026-10-26T01:30:00Z")
    }

    @Test func durationsParseAndBadOnesAreRefused() throws {
        #expect(try ScheduleTiming.parseDuration("30s") == 30)
        #expect(try ScheduleTiming.parseDuration("15m") == 900)
        #expect(try ScheduleTiming.parseDuration("6h") == 21_600)
        #expect(try ScheduleTiming.parseDuration("1d") == 86_400)
        #expect(try ScheduleTiming.parseDuration("1h30m") == 5_400)
        for bad in ["", "0s", "10", "5x", "h", "-5m", "1.5h"] {
            #expect(throws: CatalogError.self) { try ScheduleTiming.parseDuration(bad) }
        }
        #expect(throws: CatalogError.self) { try ScheduleTiming.parse(cron: "0 3 * * *", timeZone: "Mars/Olympus", every: nil) }
        #expect(throws: CatalogError.self) { try ScheduleTiming.parse(cron: "0 3 * * *", timeZone: nil, every: "1h") }
        #expect(throws: CatalogError.self) { try ScheduleTiming.parse(cron: nil, timeZone: nil, every: nil) }
    }

    @Test func jitterIsAtMostTenPercentAndTheSameEachTime() {
        for name in ["a", "backup-all", "nightly", "x-y-z"] {
            let jitter = ScheduleClock.jitter(name: name, interval: 3_600)
            #expect(jitter >= 0 && jitter < 360)
            #expect(jitter == ScheduleClock.jitter(name: name, interval: 3_600))
        }
        #expect(ScheduleClock.jitter(name: "a", interval: 3_600) != ScheduleClock.jitter(name: "b", interval: 3_600))
    }

    @Test func everyRunsOnTimeAndNeverTwiceForOneSlot() {
        let anchor = date("2026-03-01T00:00:00Z")
        var clock = ScheduleClock(timing: .every(seconds: 60), anchor: anchor, lastSlot: nil, name: "t")
        clock.jitter = 0
        #expect(clock.due(at: anchor.addingTimeInterval(59)) == nil)
        let slot = clock.due(at: anchor.addingTimeInterval(61))
        #expect(slot == anchor.addingTimeInterval(60))
        clock.lastSlot = slot
        #expect(clock.due(at: anchor.addingTimeInterval(62)) == nil)
        #expect(clock.due(at: anchor.addingTimeInterval(119)) == nil)
        #expect(clock.due(at: anchor.addingTimeInterval(120)) == anchor.addingTimeInterval(120))
        #expect(clock.nextRun(after: anchor.addingTimeInterval(62)) == anchor.addingTimeInterval(120))
    }

    @Test func afterDowntimeAMissedRunIsMadeOnce() throws {
        let anchor = date("2026-03-01T00:00:00Z")
        var hourly = ScheduleClock(timing: .every(seconds: 3_600), anchor: anchor, lastSlot: anchor.addingTimeInterval(3_600), name: "h")
        hourly.jitter = 0
        // Down from 01:00 to 10:30: one run, for the 10:00 slot, then nothing until 11:00.
        let now = anchor.addingTimeInterval(10.5 * 3_600)
        let slot = hourly.due(at: now)
        #expect(slot == anchor.addingTimeInterval(10 * 3_600))
        hourly.lastSlot = slot
        #expect(hourly.due(at: now.addingTimeInterval(60)) == nil)

        let cron = ScheduleTiming.cron(try CronExpression("0 3 * * *"), timeZone: utc)
        var nightly = ScheduleClock(timing: cron, anchor: anchor, lastSlot: date("2026-03-02T03:00:00Z"), name: "n")
        nightly.jitter = 0
        let late = nightly.due(at: date("2026-03-20T12:00:00Z"))
        #expect(iso(late) == "2026-03-20T03:00:00Z")
        nightly.lastSlot = late
        #expect(nightly.due(at: date("2026-03-20T12:01:00Z")) == nil)
        #expect(iso(nightly.nextRun(after: date("2026-03-20T12:01:00Z"))) == "2026-03-21T03:00:00Z")
    }

    @Test func jitterDelaysTheRun() {
        let anchor = date("2026-03-01T00:00:00Z")
        var clock = ScheduleClock(timing: .every(seconds: 100), anchor: anchor, lastSlot: nil, name: "j")
        clock.jitter = 7
        #expect(clock.due(at: anchor.addingTimeInterval(105)) == nil)
        #expect(clock.due(at: anchor.addingTimeInterval(107)) == anchor.addingTimeInterval(100))
    }

    func backup(_ id: Int64, _ project: String, _ when: String, verified: Bool? = nil) -> BackupRecord {
        BackupRecord(
            id: id, project: project, databaseName: project, file: "/b/\(id).dump", sizeBytes: 1, sha256: String(repeating: "0", count: 64),
            createdAt: date(when), durationSeconds: 0, serverVersion: "15", catalogVersion: "t", verifiedOK: verified)
    }

    @Test func retentionKeepsDailyWeeklyMonthlyAndTheNewestGoodBackup() {
        let backups = [
            backup(1, "a", "2026-01-15T03:00:00Z"), backup(2, "a", "2026-02-10T03:00:00Z"), backup(3, "a", "2026-03-01T03:00:00Z"),
            backup(4, "a", "2026-03-01T09:00:00Z"), backup(5, "a", "2026-03-02T03:00:00Z"), backup(6, "a", "2026-03-03T03:00:00Z", verified: false),
        ]
        let plan = RetentionPlan.make(backups: backups, projects: ["a"], rules: ScheduleRetention(keepDaily: 2, keepMonthly: 2))
        let kept = plan.decisions.filter(\.keep).compactMap { decision -> Int64? in
            if case .backup(let backup) = decision.item { return backup.id }
            return nil
        }.sorted()
        // Daily 2: the newest of 03-03 (6) and 03-02 (5); monthly 2: March (6) and February (2);
        // 5 is also the newest good one (6 failed verification).
        #expect(kept == [2, 5, 6])
        let lastOnly = RetentionPlan.make(backups: backups, projects: ["a"], rules: ScheduleRetention(keepLast: 1))
        #expect(lastOnly.decisions.filter(\.keep).count == 2)
    }

    @Test func retentionThatKeepsNothingIsRefused() {
        #expect(throws: CatalogError.self) { try ScheduleRetention(keepLast: 0).validate() }
        #expect(throws: CatalogError.self) { try ScheduleRetention(keepLast: 0, keepDaily: 0).validate() }
        #expect(throws: CatalogError.self) { try ScheduleRetention(keepWeekly: -1).validate() }
        #expect(throws: Never.self) { try ScheduleRetention(keepLast: 0, keepDaily: 1).validate() }
    }
}

/// The check before a restore that the PostgreSQL majors of the dump, the target and pg_restore fit.
@Suite("Backups: version check before a restore")
struct BackupVersionCheckTests {
    @Test func majorsAreReadOldAndNew() {
        #expect(BackupVersionCheck.major("15.18") == 150)
        #expect(BackupVersionCheck.major("9.6.24") == 96)
        #expect(BackupVersionCheck.major("17beta2") == 170)
        #expect(BackupVersionCheck.major("") == nil)
    }

    @Test func aNewerDumpOrOlderToolsAreRefused() {
        #expect(BackupVersionCheck.problem(dumpServerVersion: "15.18", targetServerVersion: 150_018, toolsVersion: "15.18") == nil)
        #expect(BackupVersionCheck.problem(dumpServerVersion: "14.2", targetServerVersion: 150_018, toolsVersion: "16.1") == nil)
        #expect(
            BackupVersionCheck.problem(dumpServerVersion: "16.1", targetServerVersion: 150_018, toolsVersion: "16.1")?.contains("major 15") == true)
        #expect(
            BackupVersionCheck.problem(dumpServerVersion: "15.1", targetServerVersion: 150_018, toolsVersion: "14.9")?.contains("pg_restore") == true)
        #expect(BackupVersionCheck.problem(dumpServerVersion: "9.6.24", targetServerVersion: 90_624, toolsVersion: nil) == nil)
        #expect(BackupVersionCheck.problem(dumpServerVersion: "10.1", targetServerVersion: 90_624, toolsVersion: nil) != nil)
    }
}
