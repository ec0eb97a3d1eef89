import CatalogCore
import Foundation
import PostgresClient
import Prometheus

/// The service's Prometheus metrics: requests and their latency by route, fan-out outcomes by
/// project, the warm pool and the revision query's connections. Each application owns its registry, so tests never share counters.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let pool: WarmPool
    private let signalPool: WarmPool
    private let signalGauges: [(Gauge, KeyPath<WarmPool.Statistics, Int> & Sendable)]
    private let fanOutsInFlight: Gauge
    private let poolGauges: [(Gauge, KeyPath<WarmPool.Statistics, Int> & Sendable)]

    static let latencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(150), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    static var requests: MetricNameDescriptor {
        name("http", "requests", unit: "total", help: "HTTP requests answered, by method, route and status.")
    }
    static var latency: MetricNameDescriptor {
        name("http", "request_duration", unit: "seconds", help: "Time from request to response head, by method and route.")
    }
    static var outcomes: MetricNameDescriptor {
        name("fanout", "outcomes", unit: "total", help: "Per-project outcomes of live fan-outs: ok, failed, timed_out, skipped.")
    }

    init(pool: WarmPool, signalPool: WarmPool) {
        self.pool = pool
        self.signalPool = signalPool
        signalGauges = [
            (
                registry.makeGauge(
                    descriptor: Self.name(
                        "signal", "connections_open", unit: "", help: "Kept-open connections for the revision query, at most one per server.")),
                \.open
            ),
            (
                registry.makeGauge(
                    descriptor: Self.name("signal", "opened", unit: "", help: "Connections opened for the revision query since start.")),
                \.opened
            ),
            (
                registry.makeGauge(
                    descriptor: Self.name("signal", "reused", unit: "", help: "Revision queries served by a kept-open connection since start.")),
                \.reused
            ),
        ]
        fanOutsInFlight = registry.makeGauge(descriptor: Self.name("fanout", "in_flight", unit: "", help: "Fan-outs running now."))
        poolGauges = [
            (
                registry.makeGauge(descriptor: Self.name("pool", "connections_open", unit: "", help: "Pooled connections open, busy and idle.")),
                \.open
            ),
            (
                registry.makeGauge(
                    descriptor: Self.name(
                        "pool", "connections_idle", unit: "", help: "Pooled connections open and unused, at most --pool-idle-per-server per server.")),
                \.idle
            ),
            (registry.makeGauge(descriptor: Self.name("pool", "opened", unit: "", help: "Connections the pool opened since start.")), \.opened),
            (
                registry.makeGauge(descriptor: Self.name("pool", "reused", unit: "", help: "Borrowings served by an open connection since start.")),
                \.reused
            ),
            (registry.makeGauge(descriptor: Self.name("pool", "closed", unit: "", help: "Pooled connections closed since start.")), \.closed),
            (registry.makeGauge(descriptor: Self.name("pool", "waits", unit: "", help: "Times a task waited for a slot on a full server.")), \.waits),
        ]
    }

    static func name(_ subsystem: String, _ metric: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "catalog", subsystem: subsystem, metricName: metric, unitName: unit, helpText: help)
    }

    /// Counts one answered request and its latency, by method, route pattern and status.
    func recordRequest(method: String, route: String, status: Int, seconds: Double) {
        registry.makeCounter(descriptor: Self.requests, labels: [("method", method), ("route", route), ("status", String(status))])
            .increment()
        registry.makeDurationHistogram(descriptor: Self.latency, labels: [("method", method), ("route", route)], buckets: Self.latencyBuckets)
            .record(.nanoseconds(Int64(seconds * 1e9)))
    }

    /// Counts each project's outcome in one live fan-out: `ok`, `failed`, `timed_out` or `skipped`.
    func recordOutcomes(sources: [AnswerSource], failures: [ProjectFailure]) {
        for source in sources where source.live { recordOutcome(project: source.project, outcome: "ok") }
        for failure in failures { recordOutcome(project: failure.project, outcome: failure.outcome.label) }
    }

    private func recordOutcome(project: String, outcome: String) {
        registry.makeCounter(descriptor: Self.outcomes, labels: [("project", project), ("outcome", outcome)]).increment()
    }

    /// Tracks fan-outs running now.
    func fanOutStarted() { fanOutsInFlight.increment() }

    /// Tracks fan-outs running now.
    func fanOutEnded() { fanOutsInFlight.decrement() }

    /// The exposition text, with the pool's figures read at scrape time.
    func render() -> String {
        let statistics = pool.statistics
        for (gauge, value) in poolGauges { gauge.set(Double(statistics[keyPath: value])) }
        let signal = signalPool.statistics
        for (gauge, value) in signalGauges { gauge.set(Double(signal[keyPath: value])) }
        return registry.emitToString()
    }

    /// Sets the figures about schedules, backups and incidents read from the store at scrape time.
    func record(_ operations: OperationsSnapshot) {
        let lastBackup = Self.name("backup", "last_success", unit: "timestamp_seconds", help: "When each project's newest good backup was taken.")
        for (project, date) in operations.lastGoodBackup {
            registry.makeGauge(descriptor: lastBackup, labels: [("project", project)]).set(date.timeIntervalSince1970)
        }
        let duration = Self.name("schedule", "last_run_duration", unit: "seconds", help: "How long each schedule's last finished run took.")
        for run in operations.lastRunSeconds {
            registry.makeGauge(descriptor: duration, labels: [("schedule", run.schedule), ("kind", run.kind)]).set(run.seconds)
        }
        let failures = Self.name("schedule", "failed_runs", unit: "", help: "Scheduled runs recorded as failed or abandoned, by kind.")
        for kind in ["backup", "drift", "scan"] {
            registry.makeGauge(descriptor: failures, labels: [("kind", kind)]).set(Double(operations.failedRuns[kind] ?? 0))
        }
        let incidents = Self.name("incidents", "open", unit: "", help: "Open incidents, by kind.")
        for kind in ["failure", "stale", "size-change", "drift", "disk-space"] {
            registry.makeGauge(descriptor: incidents, labels: [("kind", kind)]).set(Double(operations.openIncidents[kind] ?? 0))
        }
    }
}
