-- The revision signal: every change to the mappings also publishes the project's revision as a
-- database-level setting, `catalog.revision = '<database OID>/<lineage>:<revision>'`. PostgreSQL keeps
-- those settings in the shared catalog pg_db_role_setting, so a reader asks one query per server for
-- every project's revision instead of opening one connection per project.
--
-- `ALTER DATABASE … SET` needs the database's owner (or a superuser), and from PostgreSQL 15 on a
-- non-superuser also needs `GRANT SET ON PARAMETER catalog.revision TO <owner>`; so the statement runs
-- in a SECURITY DEFINER function owned by the database owner. When it may not publish, it publishes
-- nothing and the write goes on: a project without a signal is simply read the per-project way.
-- The incarnation (database OID and lineage) in the value means a copy (a restore, a bundle import,
-- a database dropped and created again, `pg_dump --create`) never reads as unchanged: its OID differs.
CREATE FUNCTION _metadata.publish_revision() RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    database_oid oid;
    owner_oid    oid;
    published    text;
BEGIN
    SELECT d.oid, d.datdba INTO database_oid, owner_oid FROM pg_database d WHERE d.datname = current_database();
    IF NOT pg_has_role(current_user, owner_oid, 'USAGE') THEN
        RETURN false;
    END IF;
    IF current_setting('server_version_num')::integer >= 150000
       AND NOT has_parameter_privilege(current_user, 'catalog.revision', 'SET') THEN
        RETURN false;
    END IF;
    BEGIN
        SELECT format('%s/%s:%s', database_oid, r.lineage, r.value) INTO published FROM _metadata.revision r;
        IF published IS NULL THEN
            EXECUTE format('ALTER DATABASE %I RESET catalog.revision', current_database());
            RETURN false;
        END IF;
        EXECUTE format('ALTER DATABASE %I SET catalog.revision = %L', current_database(), published);
    EXCEPTION WHEN OTHERS THEN
        -- Never fail the write; and never leave an older value standing for a newer revision.
        BEGIN
            EXECUTE format('ALTER DATABASE %I RESET catalog.revision', current_database());
        EXCEPTION WHEN OTHERS THEN
            NULL;
        END;
        RETURN false;
    END;
    RETURN true;
END
$$;

-- The function belongs to the database owner, whoever installs; an installer who may not give it
-- away leaves it with itself, and then it publishes only if that role owns the database.
DO $$
DECLARE
    owner_name name;
BEGIN
    SELECT pg_get_userbyid(d.datdba) INTO owner_name FROM pg_database d WHERE d.datname = current_database();
    EXECUTE format('ALTER FUNCTION _metadata.publish_revision() OWNER TO %I', owner_name);
EXCEPTION WHEN insufficient_privilege THEN
    NULL;
END
$$;

-- The revision row's lock (taken by the UPDATE) serialises concurrent publishers until commit, so two
-- writers never update the same pg_db_role_setting row at once ("tuple concurrently updated").
CREATE OR REPLACE FUNCTION _metadata.bump_revision() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE _metadata.revision SET value = value + 1, changed_at = now();
    PERFORM _metadata.publish_revision();
    RETURN NULL;
END
$$;

-- Fire in replica-mode sessions too (session_replication_role = replica), so no write goes unpublished.
ALTER TABLE _metadata.mappings_table ENABLE ALWAYS TRIGGER bump_revision;
ALTER TABLE _metadata.mappings_column ENABLE ALWAYS TRIGGER bump_revision;

-- Publish the current revision now, so an upgraded project takes the fast path before its next write.
SELECT _metadata.publish_revision() FROM (SELECT FROM _metadata.revision FOR UPDATE) AS locked;
