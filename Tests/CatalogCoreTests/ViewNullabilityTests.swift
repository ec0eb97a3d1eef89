import CatalogCore
import CatalogStore
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@Suite("metadata scan: NOT NULL view columns")
struct ViewNullabilityTests {
    static let script = #"""
        CREATE TABLE parent (id bigint PRIMARY KEY, name text NOT NULL, note text);
        CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parent, label text NOT NULL);
        CREATE VIEW plain AS SELECT id, name AS renamed, note, upper(name) AS shout, 1 AS one FROM parent WHERE id > 0;
        CREATE VIEW inner_join AS SELECT c.id, p.name, c.label FROM child c JOIN parent p ON p.id = c.parent_id;
        CREATE VIEW using_join AS SELECT id, name FROM parent JOIN (SELECT id FROM child) k USING (id);
        CREATE VIEW left_join AS SELECT c.id, p.name FROM child c LEFT JOIN parent p ON p.id = c.parent_id;
        CREATE VIEW set_operation AS SELECT name FROM parent UNION ALL SELECT NULL;
        CREATE VIEW rolled_up AS SELECT name, count(*) AS rows FROM parent GROUP BY ROLLUP (name);
        CREATE VIEW grouped AS SELECT name, count(*) AS rows, max(note) AS last_note FROM parent GROUP BY name;
        CREATE VIEW from_subquery AS SELECT s.name FROM (SELECT name FROM parent ORDER BY name LIMIT 5) s;
        CREATE VIEW outer_subquery AS SELECT s.name FROM (SELECT p.name FROM child c LEFT JOIN parent p ON p.id = c.parent_id) s;
        CREATE VIEW of_view AS SELECT renamed, note FROM plain;
        CREATE MATERIALIZED VIEW materialized AS SELECT c.label, p.note FROM child c JOIN parent p ON p.id = c.parent_id;
        CREATE VIEW "odd ""name""" AS SELECT name AS ":resname (x)" FROM parent;
        """#

    /// Each mapped view column and whether `_metadata` says it is nullable.
    static func nullability(_ connection: Connection) throws -> [String: Bool] {
        let rows = try connection.query(
            """
            SELECT t.table_name || '.' || c.pg_column AS name, c.is_nullable
            FROM _metadata.mappings_column c JOIN _metadata.mappings_table t ON t.id = c.table_id
            WHERE t.relation_kind IN ('view', 'materialized_view')
            """
        ).records
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["name"]!, $0.bool("is_nullable")!) })
    }

    @Test("a plain reference to a NOT NULL column is NOT NULL; expressions, outer joins, set operations and grouping sets stay nullable")
    func inferred() throws {
        let database = try TestWorkspace.database(script: Self.script)
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("catalog.sqlite").path
        let catalog = try Catalog(location: StoreLocation(path: store, isExplicit: true))
        try catalog.addProject(name: "views", dsn: database.url)
        #expect(try catalog.installMetadata(.everything).allSatisfy { $0.outcome == .ok })
        #expect(try catalog.scanMetadata(.everything).allSatisfy { $0.outcome == .ok })
        let connection = try TestWorkspace.cluster().connect(database: database.name)
        let notNull = try Self.nullability(connection).filter { !$0.value }.keys.sorted()
        #expect(
            notNull
                == [
                    "grouped.name", "inner_join.id", "inner_join.label", "inner_join.name", "materialized.label", "odd \"name\".:resname (x)",
                    "of_view.renamed", "plain.id", "plain.renamed", "from_subquery.name", "using_join.id", "using_join.name",
                ].sorted())
        // Everything else is nullable, as PostgreSQL says.
        #expect(try Self.nullability(connection).count == 25)
        // Drift reads the catalog the same way, so the inferred NOT NULL is not drift, and a rescan changes nothing.
        #expect(try !catalog.drift().hasDrift)
        let again = try #require(catalog.scanMetadata(.everything).first)
        #expect(again.columnsChanged == 0)
        // A change behind the view shows on the next scan.
        try connection.execute(script: "ALTER TABLE parent ALTER COLUMN name DROP NOT NULL")
        #expect(try catalog.drift().items.contains { $0.kind == "nullability_mismatch" && $0.object == "public.inner_join.name" })
        _ = try catalog.scanMetadata(.everything)
        let after = try Self.nullability(connection)
        #expect(after["inner_join.name"] == true && after["of_view.renamed"] == true && after["inner_join.label"] == false)
    }
}
