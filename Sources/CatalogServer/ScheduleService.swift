import CatalogCore
import CatalogSupport
import Foundation
import Logging
import ServiceLifecycle

/// How `catalog serve` runs schedules.
public struct SchedulerSettings: Sendable {
    /// How many schedule runs this server carries out at once.
    public var maxJobs: Int
    /// Seconds each project may take to connect and answer in a run.
    public var projectTimeout: Double
    /// Where scheduled backups go; nil means `backups/` beside the store.
    public var backupDirectory: String?
    /// The size change, in percent of the median of the last five, that opens a size-change incident.
    public var sizeChangePercent: Double
    /// Seconds between looks at the schedules.
    public var tickInterval: Double
    /// Seconds the scheduler lease lasts without renewal; another server takes over after that.
    public var leaseSeconds: Double

    public init(
        maxJobs: Int = 2, projectTimeout: Double = 30, backupDirectory: String? = nil, sizeChangePercent: Double = 50,
        tickInterval: Double = 1, leaseSeconds: Double = 15
    ) {
        self.maxJobs = maxJobs
        self.projectTimeout = projectTimeout
        self.backupDirectory = backupDirectory
        self.sizeChangePercent = sizeChangePercent
        self.tickInterval = tickInterval
        self.leaseSeconds = leaseSeconds
    }
}

/// Looks at the schedules every `tickInterval` seconds and starts the due ones, when this server
/// holds the store's scheduler lease. Runs go on threads of their own; at shutdown it waits a
/// little for them and gives the lease up.
struct ScheduleService: Service {
    let runner: ScheduleRunner
    let settings: SchedulerSettings
    let logger: Logger

    init(backend: CatalogBackend, settings: SchedulerSettings, logger: Logger) {
        let configuration = backend.configuration
        let alerts = AlertDispatcher(publicURL: configuration.publicURLs.first) { line in logger.warning("\(line)") }
        let options = ScheduleRunOptions(
            backupDirectory: settings.backupDirectory, concurrency: 2, timeout: settings.projectTimeout,
            catalogVersion: configuration.catalogVersion, sizeChangePercent: settings.sizeChangePercent, alerts: alerts)
        runner = ScheduleRunner(
            catalog: backend.catalog, options: options, maxJobs: settings.maxJobs, leaseSeconds: settings.leaseSeconds,
            log: { line in logger.notice("\(line)") })
        self.settings = settings
        self.logger = logger
        backend.scheduleRunner.set(runner)
    }

    func run() async throws {
        let runner = runner
        await cancelWhenGracefulShutdown {
            // The first look waits one interval: a server that fails to start (its port taken) never runs a job.
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(settings.tickInterval))
                if Task.isCancelled { break }
                _ = await OwnThread.run { runner.tick() }
            }
        }
        await OwnThread.run { runner.stop(waiting: 10) }
    }
}

/// The runner, once the service made it, for the Operations view.
final class RunnerBox: @unchecked Sendable {
    private let lock = NSLock()
    private var runner: ScheduleRunner?
    func set(_ runner: ScheduleRunner) { lock.withLock { self.runner = runner } }
    var value: ScheduleRunner? { lock.withLock { runner } }
}
