-- Unattended operations: schedules `catalog serve` runs, each run and its outcome per project,
-- webhook alerts, the incidents they report, and the lease that lets one `serve` run jobs.

-- One schedule. `selection_kind` is all, tag or project, with `selection_value` the tag or project.
-- `timing` is a 5-field cron expression (read in `timezone`) or an `--every` duration in seconds.
-- `last_slot` is the scheduled time last claimed: a run is claimed by moving it forward, once.
CREATE TABLE schedule (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL CHECK (kind IN ('backup', 'drift', 'scan')),
    selection_kind   TEXT NOT NULL CHECK (selection_kind IN ('all', 'tag', 'project')),
    selection_value  TEXT,
    cron             TEXT,
    timezone         TEXT NOT NULL DEFAULT 'UTC',
    every_seconds    INTEGER CHECK (every_seconds > 0),
    keep_last        INTEGER,
    keep_daily       INTEGER,
    keep_weekly      INTEGER,
    keep_monthly     INTEGER,
    created_at       TEXT NOT NULL,
    last_slot        TEXT,
    CHECK ((cron IS NULL) <> (every_seconds IS NULL))
);

-- One run of a schedule: when it started and ended, and how it ended (running, ok, failed).
-- `epoch` is the scheduler lease's fencing token when the run was claimed (NULL for `schedule run`).
CREATE TABLE schedule_run (
    id            INTEGER PRIMARY KEY,
    schedule_id   INTEGER NOT NULL REFERENCES schedule(id) ON DELETE CASCADE,
    slot          TEXT,
    started_at    TEXT NOT NULL,
    ended_at      TEXT,
    outcome       TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'failed', 'abandoned')),
    epoch         INTEGER,
    bytes         INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX schedule_run_by_schedule ON schedule_run (schedule_id, started_at);

-- Each project's outcome in one run; `reason` is the one-line error, never a DSN.
CREATE TABLE schedule_run_project (
    run_id     INTEGER NOT NULL REFERENCES schedule_run(id) ON DELETE CASCADE,
    project    TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    reason     TEXT,
    bytes      INTEGER,
    seconds    REAL NOT NULL,
    PRIMARY KEY (run_id, project)
);

-- A webhook and the kinds of incident it hears about. The URL is a secret: it is shown masked.
CREATE TABLE alert_hook (
    id          INTEGER PRIMARY KEY,
    url         TEXT NOT NULL,
    kinds       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- An incident, keyed by (kind, project, schedule): one alert when it opens, one when it clears.
CREATE TABLE incident (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('failure', 'stale', 'size-change', 'drift', 'disk-space')),
    project      TEXT NOT NULL,
    schedule     TEXT NOT NULL DEFAULT '',
    what         TEXT NOT NULL,
    opened_at    TEXT NOT NULL,
    resolved_at  TEXT
);

CREATE UNIQUE INDEX incident_open ON incident (kind, project, schedule) WHERE resolved_at IS NULL;

-- The one row that says which `serve` runs schedules until when; `epoch` grows at every change of
-- holder and fences the runs a former holder claimed.
CREATE TABLE scheduler_lease (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    holder      TEXT NOT NULL,
    epoch       INTEGER NOT NULL,
    expires_at  REAL NOT NULL
);
