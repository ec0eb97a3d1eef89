-- A covering index for searches by column name: every column `find-column` reads follows the name,
-- so a search reads the few index pages that hold that name instead of one table page per match
-- (5,264 matches at N = 1000 touched about 4,000 pages spread over the whole store). It replaces the
-- index on the name alone, which is its prefix.
CREATE INDEX index_column_search ON index_column (
    pg_column, project_id, pg_schema, table_name, relation_kind, pg_type, graphql_field, label, description, is_nullable,
    validation_rules, position
);
DROP INDEX index_column_by_name;
