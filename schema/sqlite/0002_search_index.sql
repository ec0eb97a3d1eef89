-- The search index: a copy of every project's mappings, with the _metadata revision it was read
-- at. It answers --cached and offline queries, and tells how fresh each project's answer is.
CREATE TABLE index_state (
    project_id       INTEGER PRIMARY KEY REFERENCES project(id) ON DELETE CASCADE,
    revision         INTEGER,
    metadata_version INTEGER,
    fetched_at       TEXT NOT NULL
);

CREATE TABLE index_table (
    project_id     INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    pg_schema      TEXT,
    table_name     TEXT NOT NULL,
    name_folded    TEXT NOT NULL,
    relation_kind  TEXT,
    graphql_type   TEXT,
    label          TEXT,
    description    TEXT,
    is_shared      INTEGER,
    shared_name    TEXT,
    shared_version INTEGER
);

CREATE INDEX index_table_by_project ON index_table(project_id);
CREATE INDEX index_table_by_name ON index_table(table_name);
CREATE INDEX index_table_by_folded ON index_table(name_folded);

CREATE TABLE index_column (
    project_id       INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    pg_schema        TEXT,
    table_name       TEXT NOT NULL,
    relation_kind    TEXT,
    pg_column        TEXT NOT NULL,
    name_folded      TEXT NOT NULL,
    pg_type          TEXT,
    graphql_field    TEXT,
    label            TEXT,
    description      TEXT,
    is_nullable      INTEGER,
    validation_rules TEXT,
    position         INTEGER
);

CREATE INDEX index_column_by_project ON index_column(project_id);
CREATE INDEX index_column_by_name ON index_column(pg_column);
CREATE INDEX index_column_by_folded ON index_column(name_folded);
