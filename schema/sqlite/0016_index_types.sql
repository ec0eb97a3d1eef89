-- What `generate --cached` needs beyond the mappings, read from pg_catalog with them at each live
-- read that refreshes a project's copy: its enums, domains and composite types (one JSON array, NULL
-- for a copy made before this migration, which the next live read replaces), and which tables are
-- partitions (those are not emitted; their parent is).
ALTER TABLE index_state ADD COLUMN pg_types TEXT;
ALTER TABLE index_table ADD COLUMN is_partition INTEGER;
