-- Every relocation bundle `catalog export` wrote: the file, its size and SHA-256, and how long it took.
-- `project` is the name at export time and is kept when the project is removed from the registry.
CREATE TABLE bundle_export (
    id               INTEGER PRIMARY KEY,
    project          TEXT NOT NULL,
    file             TEXT NOT NULL,
    size_bytes       INTEGER NOT NULL CHECK (size_bytes >= 0),
    sha256           TEXT NOT NULL CHECK (length(sha256) = 64),
    metadata_only    INTEGER NOT NULL CHECK (metadata_only IN (0, 1)),
    format_version   INTEGER NOT NULL,
    server_version   TEXT NOT NULL,
    catalog_version  TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    duration_seconds REAL NOT NULL
);

CREATE INDEX bundle_export_by_project ON bundle_export (project, created_at);
