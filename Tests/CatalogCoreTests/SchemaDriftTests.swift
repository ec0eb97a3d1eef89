import CatalogCore
import CatalogTestSupport
import Foundation
import Testing

@Suite("drift: _metadata against the real catalog")
struct SchemaDriftTests {
    @Test("nullability, position and relation-kind mismatches are drift, each with what both sides say, until a rescan")
    func scanOwnedFacts() throws {
        let fleet = try FixtureFleet.make(["shop"])
        #expect(try !fleet.catalog.drift().hasDrift)
        try fleet.connect("shop").execute(
            script: """
                ALTER TABLE users ALTER COLUMN full_name DROP NOT NULL;
                ALTER TABLE payments ALTER COLUMN paid_at SET NOT NULL;
                DROP VIEW order_totals;
                CREATE MATERIALIZED VIEW order_totals AS
                    SELECT o.customer_email, o.id AS order_id, sum(i.quantity * i.price_cents) AS total_cents
                    FROM orders o JOIN order_items i ON i.order_id = o.id
                    GROUP BY o.id, o.customer_email;
                """)
        let drift = try fleet.catalog.drift()
        #expect(drift.hasDrift)
        let found = drift.items.map { "\($0.kind) \($0.object): \($0.detail)" }
        #expect(drift.items.allSatisfy { $0.remedy == .scanMetadata("shop") })
        #expect(
            found == [
                "kind_mismatch public.order_totals: _metadata says view, the database has a materialized_view",
                "position_mismatch public.order_totals.customer_email: _metadata says position 2, the table has 1",
                "position_mismatch public.order_totals.order_id: _metadata says position 1, the table has 2",
                "nullability_mismatch public.payments.paid_at: _metadata says nullable, the table has NOT NULL; change the table with ALTER TABLE if _metadata is right, or record what it has",
                "nullability_mismatch public.users.full_name: _metadata says NOT NULL, the table has nullable; change the table with ALTER TABLE if _metadata is right, or record what it has",
            ])
        _ = try fleet.catalog.scanMetadata(.everything)
        #expect(try !fleet.catalog.drift().hasDrift)
    }
}
