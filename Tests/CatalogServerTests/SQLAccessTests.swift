import CatalogCore
import CatalogServer
import CatalogTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /api/v1/sql` reads the documented relations only, like `catalog sql` (issue 12, item 7).
@Suite struct SQLAccessTests {
    /// On a PostgreSQL store the registry's own connection string holds the cluster's password, and a
    /// project's cannot hold one: neither may come out.
    @Test(arguments: StoreKind.allCases) func theStoreBehindTheRelationsAnswers400AndNoSecret(_ store: StoreKind) async throws {
        let fleet = try ServerFleet.make(["saas"], store: store)
        let vault = store == .sqlite ? "postgresql://owner:s3cret-pw@127.0.0.1:1/vault" : "postgresql://owner@127.0.0.1:1/vault"
        _ = try fleet.catalog.addProject(name: "vault", dsn: vault)
        try await fleet.application().application.test(.router) { client in
            for sql in [
                "select name, dsn from main.project", "select sql from sqlite_master", "select fts3_tokenizer('simple')",
                "select * from pragma_table_info('project')",
            ] {
                let body = String(decoding: try JSONSerialization.data(withJSONObject: ["sql": sql, "cached": true]), as: UTF8.self)
                let response = try await client.send(.post, "/api/v1/sql", json: body)
                #expect(response.status == .badRequest, "\(sql)")
                #expect(response.errorCode == "invalid_sql", "\(sql)")
                #expect(!String(buffer: response.body).contains("s3cret"), "\(sql)")
                #expect(!String(buffer: response.body).contains(fleet.cluster.password), "\(sql)")
            }
            let legit = try await client.send(.post, "/api/v1/sql", json: #"{"sql": "select count(*) as n from projects", "cached": true}"#)
            #expect(legit.status == .ok)
            // The same rows as the CLI's on the same store (which exits 1: the projects have no index copy; the remedies are worded apart).
            let cli = try fleet.sample.run(["sql", "select count(*) as n from projects", "--cached", "--format", "json"])
            #expect(cli.status == 1, "\(cli.output)")
            let rows = try JSON.parse(legit.text)["rows"]
            let cliRows = try JSON.parse(cli.stdout)["rows"]
            #expect(rows != nil && rows == cliRows, "\(legit.text) \(cli.stdout)")
        }
    }
}
