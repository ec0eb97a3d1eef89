-- As schema/sqlite/0019: web sessions kept in the registry (only the SHA-256 of each identifier),
-- named leader leases with a growing epoch (the scheduler's lease moves here, keeping its epoch), and
-- the replica that wrote each audit entry.
CREATE TABLE web_session (
    id_hash     text PRIMARY KEY,
    name        text NOT NULL,
    expires_at  double precision NOT NULL
);

CREATE TABLE leader_lease (
    name        text PRIMARY KEY,
    holder      text NOT NULL,
    epoch       bigint NOT NULL,
    expires_at  double precision NOT NULL
);

INSERT INTO leader_lease (name, holder, epoch, expires_at) SELECT 'scheduler', holder, epoch, expires_at FROM scheduler_lease;

ALTER TABLE audit_log ADD COLUMN replica text;
