-- The registry's change version: one row, moved by every write transaction (PostgresStore's write
-- begins with `UPDATE change_version SET version = version + 1; NOTIFY catalog_changed`), so a
-- replica that holds a copy in memory polls one number to know when to read again, and hears the
-- notification at once when it listens. Bookkeeping, not content: `store copy` does not carry it.
-- (The SQLite store needs no table: `PRAGMA data_version` and its own writes' count do the same.)
CREATE TABLE change_version (
    id      boolean PRIMARY KEY DEFAULT true CHECK (id),
    version bigint NOT NULL
);
INSERT INTO change_version (id, version) VALUES (true, 0);
