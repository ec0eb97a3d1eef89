-- Project lifecycle (create, clone, archive, unarchive).

-- A lifecycle step that makes a database, recorded before the database is made and removed in the
-- same transaction that registers the project. A row left behind names a database that a killed
-- run made, so the next run on that server can drop exactly it (and nothing it did not make).
-- `dsn` reaches the server's maintenance database; it may hold a password and is never printed.
CREATE TABLE lifecycle_pending (
    id                 INTEGER PRIMARY KEY,
    operation          TEXT NOT NULL CHECK (operation IN ('create', 'clone', 'unarchive')),
    project            TEXT NOT NULL,
    server             TEXT NOT NULL,
    dsn                TEXT NOT NULL,
    database_name      TEXT NOT NULL,
    temporary_database TEXT NOT NULL,
    token              TEXT NOT NULL UNIQUE,
    started_at         TEXT NOT NULL
);

CREATE INDEX lifecycle_pending_by_server ON lifecycle_pending (server);

-- Where a clone came from: the source project's name and its _metadata revision at the copy.
ALTER TABLE project ADD COLUMN cloned_from TEXT;
ALTER TABLE project ADD COLUMN cloned_revision INTEGER;

-- An archived project: its database was dropped after a verified backup, kept here by reference
-- and checksum, with the database name and server it had, for unarchive.
ALTER TABLE project ADD COLUMN archived_at TEXT;
ALTER TABLE project ADD COLUMN archive_backup_id INTEGER REFERENCES backup(id) ON DELETE SET NULL;
ALTER TABLE project ADD COLUMN archive_sha256 TEXT;
ALTER TABLE project ADD COLUMN archive_database TEXT;
ALTER TABLE project ADD COLUMN archive_server TEXT;
