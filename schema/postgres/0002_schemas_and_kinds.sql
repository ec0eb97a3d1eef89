-- Real projects keep tables in several schemas, and views and materialized views matter too.
ALTER TABLE _metadata.mappings_table
    ADD COLUMN pg_schema text NOT NULL DEFAULT 'public',
    ADD COLUMN relation_kind text NOT NULL DEFAULT 'table'
        CHECK (relation_kind IN ('table', 'partitioned_table', 'view', 'materialized_view', 'foreign_table')),
    ADD COLUMN shared_name text,
    ADD COLUMN shared_version integer;

ALTER TABLE _metadata.mappings_table DROP CONSTRAINT mappings_table_table_name_key;
ALTER TABLE _metadata.mappings_table ADD CONSTRAINT mappings_table_schema_name_key UNIQUE (pg_schema, table_name);
CREATE INDEX mappings_table_by_name ON _metadata.mappings_table (table_name);
