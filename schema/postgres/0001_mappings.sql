-- The mapping tables of the original design: one row per table, one row per column.
CREATE TABLE _metadata.mappings_table (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name   text NOT NULL UNIQUE,
    graphql_type text,
    label        text,
    description  text,
    is_shared    boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE _metadata.mappings_column (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_id         bigint NOT NULL REFERENCES _metadata.mappings_table(id) ON DELETE CASCADE,
    pg_column        text NOT NULL,
    pg_type          text,
    graphql_field    text,
    label            text,
    description      text,
    is_nullable      boolean,
    validation_rules jsonb CHECK (validation_rules IS NULL OR jsonb_typeof(validation_rules) = 'object'),
    position         integer,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (table_id, pg_column)
);

CREATE INDEX mappings_column_by_name ON _metadata.mappings_column (pg_column);
CREATE INDEX mappings_column_by_lower_name ON _metadata.mappings_column (lower(pg_column));

-- One counter, bumped in the same transaction as every change to the mappings, so a reader
-- can tell in one cheap query whether its cached copy is stale.
CREATE TABLE _metadata.revision (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    value      bigint NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO _metadata.revision (singleton, value) VALUES (true, 0);

CREATE FUNCTION _metadata.bump_revision() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE _metadata.revision SET value = value + 1, changed_at = now();
    RETURN NULL;
END
$$;

CREATE TRIGGER bump_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON _metadata.mappings_table
    FOR EACH STATEMENT EXECUTE FUNCTION _metadata.bump_revision();
CREATE TRIGGER bump_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON _metadata.mappings_column
    FOR EACH STATEMENT EXECUTE FUNCTION _metadata.bump_revision();
