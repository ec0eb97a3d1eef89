import CatalogCore
import CatalogStore
import CatalogTestSupport
import Foundation
import Testing

/// Schedules run against real databases and a real webhook: backups recorded, retention, one alert
/// per incident, the scheduler lease, and bad input that changes nothing.
@Suite("Operations: schedule runs")
struct ScheduleRunTests {
    func options(_ alerts: AlertDispatcher?) -> ScheduleRunOptions {
        ScheduleRunOptions(concurrency: 2, timeout: 10, catalogVersion: "test", alerts: alerts)
    }

    @Test func aFailingProjectRaisesOneAlertThenOneResolved() throws {
        let (catalog, _) = try BackupTestSupport.fleet(["saas", "shop"])
        let cluster = try TestWorkspace.cluster()
        let missing = "sched_missing_\(UUID().uuidString.prefix(8).lowercased())"
        try catalog.addProject(name: "broken", dsn: cluster.url(database: missing))
        let hook = try WebhookListener()
        try catalog.addAlert(webhook: hook.url, on: [.failure, .stale, .sizeChange, .drift])
        try catalog.addSchedule(ScheduleRequest(kind: .backup, target: .all, every: "1h", retention: ScheduleRetention(keepLast: 1), name: "nightly"))
        let alerts = AlertDispatcher(publicURL: "https://catalog.example.com", attempts: 2, attemptTimeout: 3, backoff: 0.1)

        let first = try catalog.runSchedule(named: "nightly", options: options(alerts))
        alerts.wait(seconds: 15)
        #expect(first.outcome == "failed")
        #expect(first.projects.first { $0.project == "saas" }?.outcome == "ok")
        #expect(first.projects.first { $0.project == "broken" }?.outcome == "failed")
        #expect(hook.payloads.count == 1)
        let opened = try #require(hook.payloads.first)
        #expect(opened["kind"] as? String == "failure")
        #expect(opened["state"] as? String == "open")
        #expect(opened["project"] as? String == "broken")
        #expect(opened["schedule"] as? String == "nightly")
        #expect((opened["text"] as? String)?.contains("broken") == true)
        #expect(opened["link"] as? String == "https://catalog.example.com/#operations")

        // The same failure again: the incident is open already, nothing is re-sent.
        _ = try catalog.runSchedule(named: "nightly", options: options(alerts))
        alerts.wait(seconds: 15)
        #expect(hook.payloads.count == 1)
        // keep-last 1: each project keeps its newest backup only.
        #expect(try catalog.store.backups(projects: ["saas"]).count == 1)

        try cluster.createDatabase(missing)
        let third = try catalog.runSchedule(named: "nightly", options: options(alerts))
        alerts.wait(seconds: 15)
        #expect(third.outcome == "ok")
        #expect(hook.payloads.count == 2)
        #expect(hook.payloads.last?["state"] as? String == "resolved")
        #expect(hook.payloads.last?["project"] as? String == "broken")
        #expect(try catalog.incidents().isEmpty)
        #expect(try catalog.scheduleRuns(schedule: "nightly").count == 3)

        // No secret in what was sent or recorded: the password, the webhook's path.
        let recorded =
            try catalog.scheduleRuns().flatMap { $0.projects.compactMap(\.reason) } + catalog.store.auditLog(limit: 500).compactMap(\.detail)
            + catalog.incidents(openOnly: false).map(\.what) + hook.bodies
        for text in recorded {
            #expect(!text.contains(cluster.password))
            #expect(!text.contains("SECRET"))
        }
        #expect(try catalog.alerts().map(\.maskedURL) == ["http://127.0.0.1:\(hook.port)/****"])

        let board = try catalog.backupBoard()
        #expect(board.map(\.state) == [.ok, .ok, .ok])
    }

    @Test func staleAndSizeChangeOpenIncidents() throws {
        let (catalog, databases) = try BackupTestSupport.fleet(["shop"])
        try catalog.addSchedule(
            ScheduleRequest(kind: .backup, target: .project("shop"), every: "1h", name: "hourly"), now: Date().addingTimeInterval(-3 * 3_600))
        // Added three hours ago and never backed up: more than twice the interval.
        let stale = catalog.checkStale()
        #expect(stale.map(\.incident.kind) == ["stale"])
        #expect(catalog.checkStale().isEmpty)
        for _ in 0..<3 { _ = try catalog.runSchedule(named: "hourly", options: options(nil)) }
        #expect(catalog.checkStale().map(\.resolved) == [true])
        #expect(try catalog.incidents().isEmpty)
        // Make the database much larger: the next backup differs from the median by far more than 50 %.
        let cluster = try TestWorkspace.cluster()
        let connection = try cluster.connect(database: try #require(databases["shop"]))
        try connection.execute(
            script: "CREATE TABLE bulk AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS filler FROM generate_series(1, 200000) g")
        let result = try catalog.runSchedule(named: "hourly", options: options(nil))
        #expect(result.outcome == "ok")
        #expect(try catalog.incidents().map(\.kind) == ["size-change"])
    }

    @Test func badInputChangesNothing() throws {
        let (catalog, _) = try BackupTestSupport.fleet(["saas"])
        let cases: [(ScheduleRequest, CatalogError.Code)] = [
            (ScheduleRequest(kind: .backup, target: .all, cron: "0 3 * *"), .badInput),
            (ScheduleRequest(kind: .backup, target: .all, every: "5x"), .badInput),
            (ScheduleRequest(kind: .backup, target: .all, every: "1h", retention: ScheduleRetention(keepLast: 0)), .badInput),
            (ScheduleRequest(kind: .drift, target: .all, every: "1h", retention: ScheduleRetention(keepLast: 3)), .badInput),
            (ScheduleRequest(kind: .backup, target: .project("nope"), every: "1h"), .notFound),
            (ScheduleRequest(kind: .scan, target: .tag("nope"), every: "1h"), .notFound),
        ]
        for (request, code) in cases {
            #expect {
                try catalog.addSchedule(request)
            } throws: { error in
                (error as? CatalogError)?.code == code && !"\(error)".contains("\n")
            }
        }
        #expect(try catalog.scheduleStatuses().isEmpty)
        try catalog.addSchedule(ScheduleRequest(kind: .backup, target: .all, every: "1h", name: "one"))
        #expect(throws: CatalogError.self) { try catalog.addSchedule(ScheduleRequest(kind: .backup, target: .all, every: "2h", name: "one")) }
        #expect(try catalog.scheduleStatuses().map(\.schedule.timing) == [.every(seconds: 3_600)])
    }

    @Test func twoRunnersOnOneStoreRunEachSlotOnce() throws {
        let (catalog, _) = try BackupTestSupport.fleet(["crm"])
        let other = Catalog(store: try Store(location: catalog.store.location))
        let start = Date()
        try catalog.addSchedule(ScheduleRequest(kind: .scan, target: .all, every: "10s", name: "scan-all"), now: start)
        let runners = [catalog, other].map { ScheduleRunner(catalog: $0, options: options(nil), maxJobs: 2, leaseSeconds: 60) }
        var started: [[String]] = [[], []]
        // Drive both with the same clock, well past three slots.
        for step in stride(from: 0.0, through: 35, by: 1) {
            let now = start.addingTimeInterval(step)
            for (index, runner) in runners.enumerated() { started[index] += runner.tick(now: now) }
            _ = TestWorkspace.wait(upTo: 10) { runners.allSatisfy { $0.runningSchedules.isEmpty } }
        }
        #expect(started[0].count == 3)
        #expect(started[1].isEmpty)
        #expect(runners[1].currentEpoch == nil)
        let runs = try catalog.scheduleRuns(schedule: "scan-all")
        #expect(runs.count == 3)
        #expect(Set(runs.compactMap(\.slot)).count == 3)
        // The holder stops: the other takes over with a larger epoch and marks nothing twice.
        let epoch = try #require(runners[0].currentEpoch)
        runners[0].stop(waiting: 10)
        _ = runners[1].tick(now: start.addingTimeInterval(36))
        #expect((runners[1].currentEpoch ?? 0) > epoch)
        // A claim fenced with the old epoch is refused.
        let id = try #require(try catalog.store.schedules().first?.id)
        #expect(try catalog.store.claimRun(scheduleID: id, expected: nil, slot: Date(), holder: runners[0].holder, epoch: epoch, at: Date()) == nil)
    }
}
