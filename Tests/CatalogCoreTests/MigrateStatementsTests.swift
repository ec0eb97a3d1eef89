import Testing

@testable import CatalogCore

@Suite("Migrations: statements, lines and destructive ones")
struct MigrateStatementsTests {
    @Test("statements split at top-level semicolons only, each with the line it starts on")
    func splitting() {
        let sql = """
            -- a comment; not a statement
            CREATE TABLE a (x text DEFAULT 'semi;colon');

            /* block /* nested; */ comment */ INSERT INTO a VALUES (E'it\\'s; fine'), ('it''s');
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$
            BEGIN
                RETURN 1; -- inside the body
            END
            $body$;
            SELECT "odd;name", $1 FROM a
            """
        let statements = SQLStatement.split(sql)
        #expect(statements.map(\.line) == [2, 4, 5, 10])
        #expect(statements[0].text == "CREATE TABLE a (x text DEFAULT 'semi;colon')")
        #expect(statements[1].text.hasSuffix("('it''s')"))
        #expect(statements[1].literals == ["it\\'s; fine", "it's"])
        #expect(statements[2].literals.first?.contains("RETURN 1;") == true)
        #expect(statements[3].tokens == ["SELECT", "\"odd;name\"", ",", "$", "1", "FROM", "A"])
    }

    @Test("SQL-standard routine bodies (BEGIN ATOMIC … END) stay one statement, as in psql")
    func routineBodies() {
        let statements = SQLStatement.split(
            """
            CREATE OR REPLACE FUNCTION g(x int) RETURNS int LANGUAGE sql
            BEGIN ATOMIC
                SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;
                SELECT 2;
            END;
            SELECT g(1);
            """)
        #expect(statements.count == 2)
        #expect(statements[1].line == 6)
    }

    @Test("catalog's own migrations split cleanly, function bodies intact")
    func ownMigrations() {
        let first = SQLStatement.split(MetadataMigration.catalogOwn[0].sql)
        #expect(first.count == 9)
        #expect(first.contains { $0.text.hasPrefix("CREATE FUNCTION _metadata.bump_revision()") && $0.text.hasSuffix("$$") })
    }

    @Test(
        "DROP, TRUNCATE, ALTER … DROP and ALTER … TYPE are destructive; adding a column named type is not",
        arguments: [
            ("DROP TABLE _metadata.legacy", "DROP TABLE"),
            ("drop index if exists x", "DROP INDEX"),
            ("TRUNCATE _metadata.mappings_column", "TRUNCATE"),
            ("ALTER TABLE t DROP COLUMN c", "ALTER TABLE … DROP"),
            ("ALTER TABLE t ALTER COLUMN c DROP DEFAULT", "ALTER TABLE … DROP"),
            ("ALTER TABLE t ALTER COLUMN c TYPE varchar(10)", "ALTER TABLE … TYPE"),
            ("ALTER TABLE t ALTER c SET DATA TYPE bigint", "ALTER TABLE … TYPE"),
            ("ALTER TABLE t ALTER \"Odd\" TYPE bigint", "ALTER TABLE … TYPE"),
            ("DO $$ BEGIN EXECUTE 'DROP TABLE x'; END $$", "DO block with DROP TABLE"),
            ("DO $$ BEGIN ALTER TABLE t ALTER COLUMN c TYPE text; END $$", "DO block with ALTER TABLE … TYPE"),
        ])
    func destructive(sql: String, kind: String) {
        #expect(DestructiveStatement.kind(of: SQLStatement.split(sql)[0]) == kind)
    }

    @Test(
        "rows: DELETE FROM _metadata (even with WHERE), and DELETE or UPDATE without a WHERE of its own",
        arguments: [
            ("DELETE FROM _metadata.mappings_column WHERE label IS NULL", "DELETE FROM _metadata"),
            ("delete from \"_metadata\".mappings_table where id = 3", "DELETE FROM _metadata"),
            ("DELETE FROM ONLY _metadata.mappings_table WHERE true", "DELETE FROM _metadata"),
            ("DELETE FROM audit_log", "DELETE without WHERE"),
            ("DELETE FROM t USING u", "DELETE without WHERE"),
            ("DELETE FROM t RETURNING *", "DELETE without WHERE"),
            ("WITH gone AS (DELETE FROM t RETURNING id) SELECT count(*) FROM gone WHERE id > 0", "DELETE without WHERE"),
            ("EXPLAIN ANALYZE DELETE FROM t", "DELETE without WHERE"),
            ("CREATE RULE r AS ON INSERT TO t DO ALSO DELETE FROM log", "DELETE without WHERE"),
            ("UPDATE _metadata.mappings_column SET label = NULL", "UPDATE without WHERE"),
            ("update only public.t as x set a = 1", "UPDATE without WHERE"),
            ("UPDATE \"Odd Table\" SET a = 1", "UPDATE without WHERE"),
            ("UPDATE t SET a = (SELECT b FROM u WHERE u.id = t.id)", "UPDATE without WHERE"),
            ("UPDATE t SET a = u.b FROM u", "UPDATE without WHERE"),
            ("UPDATE t SET note = 'WHERE id = 1'", "UPDATE without WHERE"),
            ("UPDATE t SET a = 1 -- WHERE id = 1", "UPDATE without WHERE"),
            ("WITH x AS (SELECT 1 WHERE true) UPDATE t SET a = 1", "UPDATE without WHERE"),
        ])
    func rows(sql: String, kind: String) {
        #expect(DestructiveStatement.kind(of: SQLStatement.split(sql)[0]) == kind)
    }

    @Test(
        "code: DO blocks and function or procedure bodies, dollar-quoted or not, including their dynamic SQL",
        arguments: [
            ("CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DROP TABLE x; END $$", "function body with DROP TABLE"),
            (
                "CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $body$\nBEGIN\n  TRUNCATE audit;\n  RETURN NULL;\nEND\n$body$ LANGUAGE plpgsql",
                "function body with TRUNCATE"
            ),
            ("CREATE PROCEDURE p() LANGUAGE sql AS 'DELETE FROM t'", "procedure body with DELETE without WHERE"),
            ("CREATE PROCEDURE p() LANGUAGE sql AS 'UPDATE t SET note = ''x'''", "procedure body with UPDATE without WHERE"),
            (
                "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('DROP TABLE %I', 'x'); END $$",
                "function body with DROP TABLE"
            ),
            (
                "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN IF true THEN DELETE FROM _metadata.mappings_table WHERE id = 1; END IF; END $$",
                "function body with DELETE FROM _metadata"
            ),
            ("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC DELETE FROM t; SELECT 1; END", "DELETE without WHERE"),
            ("DO $$ BEGIN EXECUTE 'UPDATE ' || quote_ident(t) || ' SET a = 1'; END $$", "DO block with UPDATE without WHERE"),
            ("DO $$ BEGIN EXECUTE format('UPDATE %I SET a = 1', t); END $$", "DO block with UPDATE without WHERE"),
            ("DO $$ BEGIN EXECUTE 'TRUNCATE ' || t; END $$", "DO block with TRUNCATE"),
            ("DO $$ BEGIN EXECUTE 'ALTER TABLE ' || t || ' DROP COLUMN c'; END $$", "DO block with DROP COLUMN"),
            ("DO $$ BEGIN DELETE FROM _metadata.mappings_column WHERE pg_column = 'x'; END $$", "DO block with DELETE FROM _metadata"),
            ("DO $$ BEGIN IF true THEN UPDATE t SET a = 1; END IF; END $$", "DO block with UPDATE without WHERE"),
            ("DO $$ BEGIN FOR r IN SELECT 1 LOOP DELETE FROM t; END LOOP; END $$", "DO block with DELETE without WHERE"),
            ("DO $do$ BEGIN EXECUTE $q$DROP TABLE x$q$; END $do$", "DO block with DROP TABLE"),
            ("DO 'BEGIN DROP TABLE x; END'", "DO block with DROP TABLE"),
            ("DO LANGUAGE plpgsql $$ BEGIN TRUNCATE t; END $$", "DO block with TRUNCATE"),
        ])
    func code(sql: String, kind: String) {
        #expect(DestructiveStatement.kind(of: SQLStatement.split(sql)[0]) == kind)
    }

    @Test(
        "harmless statements are not flagged: a WHERE limits the rows, and words in strings or comments are not statements",
        arguments: [
            "ALTER TABLE t ADD COLUMN type text",
            "ALTER TABLE t ADD COLUMN \"drop\" text",
            "ALTER TYPE mood ADD VALUE 'meh'",
            "CREATE TABLE dropped (id int)",
            "CREATE TABLE t (a int, updated text, deleted boolean)",
            "DELETE FROM t WHERE id = 1",
            "DELETE FROM t USING u WHERE t.id = u.id",
            "WITH gone AS (DELETE FROM t WHERE id < 10 RETURNING id) SELECT count(*) FROM gone",
            "UPDATE t SET note = 'DROP TABLE x' WHERE id = 1",
            "UPDATE t SET a = 1 WHERE CURRENT OF c",
            "UPDATE _metadata.mappings_column SET label = 'E-mail' WHERE pg_column = 'email'",
            "INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET a = excluded.a",
            "INSERT INTO log (msg) VALUES ('UPDATE t SET a = 1'), ('DELETE FROM _metadata.x'), ('TRUNCATE t')",
            "SELECT * FROM t FOR UPDATE",
            "SELECT * FROM t FOR NO KEY UPDATE SKIP LOCKED",
            "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u ON DELETE CASCADE ON UPDATE SET NULL",
            "CREATE TRIGGER tr BEFORE UPDATE OR DELETE ON t FOR EACH ROW EXECUTE FUNCTION f()",
            "CREATE POLICY p ON t FOR DELETE USING (owner = current_user)",
            "GRANT DELETE, UPDATE ON t TO app",
            "REVOKE DELETE ON t FROM app",
            "COMMENT ON TABLE t IS 'never DELETE FROM this table; DROP it instead'",
            "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = s.a WHEN NOT MATCHED THEN DO NOTHING",
            "-- DROP TABLE x;\nSELECT 1",
            "SELECT 1 /* TRUNCATE t; DELETE FROM _metadata.x */",
            "SELECT $$DROP TABLE x$$, E'TRUNCATE \\' t'",
            "DO $$ BEGIN RAISE NOTICE 'nothing to drop or truncate here'; END $$",
            "DO $$ BEGIN\n  -- DROP TABLE x;\n  /* TRUNCATE t; */\n  UPDATE t SET a = 1 WHERE id = 2;\nEND $$",
            "DO $$ BEGIN EXECUTE format('DELETE FROM %I WHERE id = $1', t) USING 5; END $$",
            "DO $$ BEGIN EXECUTE 'UPDATE ' || quote_ident(t) || ' SET a = 1 WHERE id = ' || id; END $$",
            "CREATE FUNCTION f(x text DEFAULT 'drop') RETURNS text LANGUAGE sql AS $$ SELECT x $$",
            "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM t WHERE id = OLD.id; RETURN OLD; END $$",
            "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS 'SELECT ''we never drop tables'''",
        ])
    func harmless(sql: String) {
        #expect(DestructiveStatement.kind(of: SQLStatement.split(sql)[0]) == nil)
    }

    @Test("a destructive statement is reported with its file and line")
    func report() {
        let found = DestructiveStatement.find(in: SQLStatement.split("SELECT 1;\n\nALTER TABLE t\n  DROP COLUMN c;"), file: "/m/1002_x.sql")
        #expect(found.map(\.description) == ["1002_x.sql line 3: ALTER TABLE … DROP (ALTER TABLE t)"])
    }

    @Test("transaction control inside a migration is refused")
    func transactionControl() {
        let migration = MetadataMigration(version: 1001, name: "x", sql: "SELECT 1;\nCOMMIT;", file: "/m/1001_x.sql")
        #expect {
            try MigrationPlan.refuseTransactionControl(MigrationStep(migration, .up))
        } throws: { error in
            "\(error)".hasPrefix("/m/1001_x.sql line 2: COMMIT is not allowed in a migration")
        }
    }
}
