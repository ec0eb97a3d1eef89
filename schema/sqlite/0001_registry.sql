-- The project registry: one row per project database, wherever its server is.
CREATE TABLE project (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    -- The libpq connection string as given. It may hold a password, so it is never printed;
    -- the store file is created with mode 0600.
    dsn              TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'unknown' CHECK (status IN ('unknown', 'ok', 'failed')),
    status_message   TEXT,
    server_version   TEXT,
    metadata_version INTEGER,
    last_checked_at  TEXT,
    last_reached_at  TEXT,
    created_at       TEXT NOT NULL
);

CREATE TABLE project_tag (
    project_id INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (project_id, tag)
);

CREATE INDEX project_tag_by_tag ON project_tag(tag);

-- Every mutating command: who, what, when, and the result.
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT,
    result  TEXT NOT NULL,
    detail  TEXT
);
