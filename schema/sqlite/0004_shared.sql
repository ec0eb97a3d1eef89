-- Shared table definitions: a name, then one immutable version per change.
CREATE TABLE shared_definition (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE shared_version (
    definition_id INTEGER NOT NULL REFERENCES shared_definition(id) ON DELETE CASCADE,
    version       INTEGER NOT NULL CHECK (version > 0),
    -- The definition as compact canonical JSON (sorted keys).
    body          TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    author        TEXT NOT NULL,
    note          TEXT,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (definition_id, version)
);

-- Versions are immutable: history is only ever appended to.
CREATE TRIGGER shared_version_immutable BEFORE UPDATE ON shared_version
BEGIN
    SELECT RAISE(ABORT, 'shared definition versions are immutable');
END;

-- Which project uses which definition: the version pinned (NULL follows the newest), the version
-- last synced into it, and the local overrides that sync kept.
CREATE TABLE attachment (
    project_id     INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    definition_id  INTEGER NOT NULL REFERENCES shared_definition(id) ON DELETE CASCADE,
    pinned_version INTEGER,
    synced_version INTEGER,
    synced_at      TEXT,
    -- JSON object: field path -> the project's kept value.
    overrides      TEXT NOT NULL DEFAULT '{}',
    attached_at    TEXT NOT NULL,
    PRIMARY KEY (project_id, definition_id)
);
