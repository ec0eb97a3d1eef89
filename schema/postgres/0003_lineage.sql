-- The project's lineage: one id, drawn once at install and never changed afterwards. It travels with
-- the data (a restore, an unarchive or a rename of the database keeps it), so catalog can tell the
-- database a backup was taken of from an unrelated one that later took the same project name.
-- It lives on the revision row, which every reader already reads, so an older _metadata reads NULL.
ALTER TABLE _metadata.revision ADD COLUMN lineage uuid NOT NULL DEFAULT gen_random_uuid();
