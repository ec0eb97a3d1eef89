@testable import CatalogCore
import Testing

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
        #expect(statements[2].dollarBodies.first?.contains("RETURN 1;") == true)
        #expect(statements[3].tokens == ["SELECT", "\"odd;name\"", ",", "$", "1", "FROM", "A"])
    }

    @Test("SQL-standard routine bodies (BEGIN ATOMIC … END) stay one statement, as in psql")
    func routineBodies() {
        let statements = SQLStatement.split("""
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

    @Test("DROP, TRUNCATE, ALTER … DROP and ALTER … TYPE are destructive; adding a column named type is not", arguments: [
        ("DROP TABLE _metadata.legacy", "DROP TABLE"),
        ("drop index if exists x", "DROP INDEX"),
        ("TRUNCATE _metadata.mappings_column", "TRUNCATE"),
        ("ALTER TABLE t DROP COLUMN c", "ALTER TABLE … DROP"),
        ("ALTER TABLE t ALTER COLUMN c DROP DEFAULT", "ALTER TABLE … DROP"),
        ("ALTER TABLE t ALTER COLUMN c TYPE varchar(10)", "ALTER TABLE … TYPE"),
        ("ALTER TABLE t ALTER c SET DATA TYPE bigint", "ALTER TABLE … TYPE"),
        ("ALTER TABLE t ALTER \"Odd\" TYPE bigint", "ALTER TABLE … TYPE"),
        ("DO $$ BEGIN EXECUTE 'DROP TABLE x'; END $$", "DO block with DROP"),
        ("DO $$ BEGIN ALTER TABLE t ALTER COLUMN c TYPE text; END $$", "DO block with ALTER TABLE … TYPE"),
    ])
    func destructive(sql: String, kind: String) {
        #expect(DestructiveStatement.kind(of: SQLStatement.split(sql)[0]) == kind)
    }

    @Test("harmless statements are not flagged", arguments: [
        "ALTER TABLE t ADD COLUMN type text",
        "ALTER TABLE t ADD COLUMN \"drop\" text",
        "ALTER TYPE mood ADD VALUE 'meh'",
        "CREATE TABLE dropped (id int)",
        "UPDATE t SET note = 'DROP TABLE x'",
        "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DROP TABLE x; END $$",
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
