import CatalogCore
import CatalogStore
import Foundation
import Hummingbird

/// `/api/v1/operations`: the status board (each project's newest good backup, size, age and
/// state), the schedules with their next runs, recent runs and open incidents; and
/// `/api/v1/alerts`, the webhooks with their URLs masked.
struct ScheduleRoutes {
    let backend: CatalogBackend

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.get("operations") { _, _ in try await operations() }
        routes.get("alerts") { _, _ in try await alerts() }
    }

    func operations() async throws -> Response {
        let now = Date()
        let leader = backend.scheduleRunner.value?.currentEpoch != nil
        let (board, statuses, runs, incidents) = try await backend.blocking { catalog in
            (
                try catalog.backupBoard(now: now), try catalog.scheduleStatuses(now: now), try catalog.scheduleRuns(limit: 20),
                try catalog.incidents()
            )
        }
        return JSONBody.response(
            .object([
                ("runs_schedules", .bool(leader)),
                (
                    "projects",
                    .array(
                        board.map { row in
                            .object([
                                ("project", .string(row.project)), ("last_backup_at", .timestamp(row.lastBackup)),
                                ("size_bytes", .number(row.sizeBytes.map { Int($0) })), ("age_seconds", .number(row.ageSeconds.map { Int($0) })),
                                ("state", .string(row.state.rawValue)), ("mark", .string(row.state.mark)), ("note", .text(row.reason)),
                            ])
                        })
                ),
                (
                    "schedules",
                    .array(
                        statuses.map { status in
                            .object([
                                ("name", .string(status.schedule.name)), ("kind", .string(status.schedule.kind.rawValue)),
                                ("projects", .string(status.schedule.target.description)), ("timing", .string(status.schedule.timing.description)),
                                ("keep", .string(status.schedule.retention.description)), ("next_run_at", .timestamp(status.nextRun)),
                                ("last_outcome", .text(status.lastRun?.outcome)),
                            ])
                        })
                ),
                ("runs", .array(runs.map(Self.run))),
                (
                    "incidents",
                    .array(
                        incidents.map { incident in
                            .object([
                                ("id", .int(Int(incident.id))), ("kind", .string(incident.kind)), ("project", .string(incident.project)),
                                ("schedule", .string(incident.schedule)), ("what", .string(incident.what)),
                                ("opened_at", .timestamp(incident.openedAt)),
                            ])
                        })
                ),
            ]))
    }

    static func run(_ run: ScheduleRunRecord) -> OrderedJSON {
        .object([
            ("id", .int(Int(run.id))), ("schedule", .string(run.scheduleName)), ("started_at", .timestamp(run.startedAt)),
            ("ended_at", .timestamp(run.endedAt)), ("outcome", .string(run.outcome)), ("bytes", .int(Int(run.bytes))),
            (
                "projects",
                .array(
                    run.projects.map { project in
                        .object([
                            ("project", .string(project.project)), ("outcome", .string(project.outcome)), ("reason", .text(project.reason)),
                            ("bytes", .number(project.bytes.map { Int($0) })), ("seconds", .double(project.seconds)),
                        ])
                    })
            ),
        ])
    }

    func alerts() async throws -> Response {
        let hooks = try await backend.blocking { catalog in try catalog.alerts() }
        return JSONBody.response(
            .object([
                (
                    "alerts",
                    .array(
                        hooks.map { hook in
                            .object([
                                ("id", .number(hook.id.map { Int($0) })), ("webhook", .string(hook.maskedURL)), ("on", .strings(hook.kinds)),
                                ("created_at", .timestamp(hook.createdAt)),
                            ])
                        })
                )
            ]))
    }
}
