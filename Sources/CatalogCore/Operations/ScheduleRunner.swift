import CatalogStore
import Foundation

/// Runs due schedules inside `catalog serve`. Only the holder of the store's scheduler lease runs
/// anything: the lease row has an expiry and an epoch that grows with every change of holder, and
/// each run is claimed in one transaction that checks the holder and epoch (the fencing token) and
/// moves the schedule's last slot forward, so a job runs once however many servers share the store.
/// At most `maxJobs` runs at once, each on a thread of its own.
public final class ScheduleRunner: @unchecked Sendable {
    let catalog: Catalog
    let options: ScheduleRunOptions
    /// Who this server is in the lease row: host, process and a random part.
    public let holder: String
    let maxJobs: Int
    let leaseSeconds: Double
    private let log: @Sendable (String) -> Void
    private let lock = NSLock()
    private var running: Set<String> = []
    private var epoch: Int64?
    private var lastStaleCheck = Date.distantPast
    private let jobs = DispatchGroup()

    public init(
        catalog: Catalog, options: ScheduleRunOptions, maxJobs: Int = 2, leaseSeconds: Double = 15,
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.catalog = catalog
        self.options = options
        self.maxJobs = max(1, maxJobs)
        self.leaseSeconds = leaseSeconds
        self.log = log
        holder = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// The lease epoch this server holds, or nil when another server runs the schedules.
    public var currentEpoch: Int64? { lock.withLock { epoch } }

    /// Renews the lease and starts every due schedule not already running; returns the names started.
    /// Blocking: call it from a thread of catalog's own.
    @discardableResult
    public func tick(now: Date = Date()) -> [String] {
        let store = catalog.store
        let acquired: Int64?
        do {
            acquired = try store.acquireSchedulerLease(holder: holder, seconds: leaseSeconds, at: now)
        } catch {
            log("the scheduler lease could not be taken: \(CatalogError.wrap(error).message)")
            acquired = nil
        }
        let previous = lock.withLock { () -> Int64? in
            defer { epoch = acquired }
            return epoch
        }
        guard let acquired else { return [] }
        if previous != acquired {
            let abandoned = (try? store.abandonRuns(exceptEpoch: acquired, at: now)) ?? 0
            log("this server now runs the schedules (lease epoch \(acquired)); \(abandoned) unfinished runs marked abandoned")
        }
        if now.timeIntervalSince(lock.withLock { lastStaleCheck }) >= 1 {
            lock.withLock { lastStaleCheck = now }
            catalog.checkStale(now: now, alerts: options.alerts)
        }
        guard let records = try? store.schedules() else { return [] }
        var started: [String] = []
        for record in records {
            guard let schedule = try? Schedule(record), let id = record.id, let slot = schedule.clock.due(at: now) else { continue }
            let admitted = lock.withLock { () -> Bool in
                guard !running.contains(record.name), running.count < maxJobs else { return false }
                running.insert(record.name)
                return true
            }
            guard admitted else { continue }
            let claimed = try? store.claimRun(scheduleID: id, expected: record.lastSlot, slot: slot, holder: holder, epoch: acquired, at: now)
            guard let runID = claimed ?? nil else {
                lock.withLock { _ = running.remove(record.name) }
                continue
            }
            started.append(record.name)
            jobs.enter()
            let thread = Thread { [self] in
                defer {
                    lock.withLock { _ = running.remove(record.name) }
                    jobs.leave()
                }
                let result = catalog.execute(schedule, runID: runID, startedAt: now, options: options)
                log("schedule \(record.name) run \(runID) ended \(result.outcome) (\(result.projects.count) projects)")
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        return started
    }

    /// The schedules running now.
    public var runningSchedules: Set<String> { lock.withLock { running } }

    /// Waits at most `seconds` for the runs under way, then gives the lease up.
    public func stop(waiting seconds: Double) {
        _ = jobs.wait(timeout: .now() + seconds)
        try? catalog.store.releaseSchedulerLease(holder: holder)
        lock.withLock { epoch = nil }
    }
}
