-- Which database a backup is of, beyond the project's name: the server (host:port) it was taken on and
-- the project's lineage id from _metadata. A restore into a database of another lineage or on another
-- server is refused unless asked for. Backups taken before this migration have NULLs and are not checked.
ALTER TABLE backup ADD COLUMN server TEXT;
ALTER TABLE backup ADD COLUMN lineage TEXT;

-- The incarnation (database OID and lineage) the index copy of a project was read from: a copy is
-- trusted only when both its revision and its incarnation still match.
ALTER TABLE index_state ADD COLUMN incarnation TEXT;
