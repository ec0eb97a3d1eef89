-- A lifecycle step that changes an existing database (archive's verify and DROP DATABASE, rename's ALTER DATABASE
-- ... RENAME), recorded before the server is touched and removed in the same transaction that records
-- the step's end in the registry. A row left by a killed run says what it was about to do; the next run
-- that touches the project looks at the server (the database's OID, or its incarnation) and either
-- completes the registry side or forgets the row. `dsn` is the project's connection string as it was;
-- it may hold a password and is never printed.
CREATE TABLE lifecycle_intent (
    id             INTEGER PRIMARY KEY,
    operation      TEXT NOT NULL CHECK (operation IN ('archive', 'rename')),
    project        TEXT NOT NULL UNIQUE,
    server         TEXT NOT NULL,
    dsn            TEXT NOT NULL,
    database_name  TEXT NOT NULL,
    -- `OID/lineage` of the database when the step was recorded (see Incarnation).
    incarnation    TEXT NOT NULL,
    -- rename: the project's and the database's new names.
    new_name       TEXT,
    new_database   TEXT,
    -- archive: the backup and its SHA-256, and the database it is restored into to be verified.
    backup_id      INTEGER,
    sha256         TEXT,
    verify_database TEXT,
    token          TEXT NOT NULL UNIQUE,
    started_at     TEXT NOT NULL
);
