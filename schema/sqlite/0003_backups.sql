-- Fleet operations: every backup catalog took, the databases a restore set aside, and the
-- team's own _metadata migrations as last given with --migrations.

-- One pg_dump -Fc file per row. `project` is the name at backup time and is kept when the
-- project is removed from the registry, so its backups can still be listed, verified and pruned.
CREATE TABLE backup (
    id               INTEGER PRIMARY KEY,
    project          TEXT NOT NULL,
    database_name    TEXT NOT NULL,
    file             TEXT NOT NULL UNIQUE,
    size_bytes       INTEGER NOT NULL CHECK (size_bytes >= 0),
    sha256           TEXT NOT NULL CHECK (length(sha256) = 64),
    created_at       TEXT NOT NULL,
    duration_seconds REAL NOT NULL,
    server_version   TEXT NOT NULL,
    catalog_version  TEXT NOT NULL,
    verified_at      TEXT,
    verify_result    TEXT CHECK (verify_result IN ('ok', 'failed'))
);

CREATE INDEX backup_by_project ON backup (project, created_at);

-- The database a restore renamed to <name>_before_restore_<timestamp>, kept until
-- `backup restore --drop-old` or `backup prune` drops it.
CREATE TABLE set_aside_database (
    id            INTEGER PRIMARY KEY,
    project       TEXT NOT NULL,
    database_name TEXT NOT NULL,
    backup_id     INTEGER REFERENCES backup(id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    dropped_at    TEXT
);

-- The team's _metadata migrations (versions 1000 and up; 1-999 are catalog's own). Kept so that
-- status, later runs and rollbacks know them without the directory.
CREATE TABLE team_migration (
    version       INTEGER PRIMARY KEY CHECK (version >= 1000),
    name          TEXT NOT NULL,
    checksum      TEXT NOT NULL,
    up_sql        TEXT NOT NULL,
    down_sql      TEXT,
    file          TEXT NOT NULL,
    registered_at TEXT NOT NULL
);
