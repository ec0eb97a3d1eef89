-- Several `catalog serve` replicas on one store (issue 15).
-- Web sessions live in the store, so a cookie from one replica works on every other and a sign-out
-- anywhere ends it everywhere. Only the SHA-256 of a session's identifier is kept, never the identifier.
-- Not copied by `store copy`: a copied store starts with everyone signed out.
CREATE TABLE web_session (
    id_hash     TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    expires_at  REAL NOT NULL
);

-- Named leader leases (`scheduler`, `index-refresh`): one holder at a time until `expires_at`, and an
-- epoch that grows with every new holder, the fencing token every write of the leader's job carries.
CREATE TABLE leader_lease (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    epoch       INTEGER NOT NULL,
    expires_at  REAL NOT NULL
);

-- The scheduler's lease moves here, keeping its epoch, so its fencing token keeps growing.
INSERT INTO leader_lease (name, holder, epoch, expires_at) SELECT 'scheduler', holder, epoch, expires_at FROM scheduler_lease;

-- Which replica (`serve --replica-name`, or the host for the CLI) wrote an audit entry.
ALTER TABLE audit_log ADD COLUMN replica TEXT;
