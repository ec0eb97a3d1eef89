-- `catalog shared remove` archives a definition instead of deleting it: its versions stay for
-- history and `shared show`, but it is no longer listed, attached, updated or synced.
ALTER TABLE shared_definition ADD COLUMN archived_at TEXT;
