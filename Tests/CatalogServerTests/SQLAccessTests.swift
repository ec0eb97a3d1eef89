import CatalogCore
import CatalogServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /api/v1/sql` reads the documented relations only, like `catalog sql` (issue 12, item 7).
@Suite struct SQLAccessTests {
    @Test func theStoreBehindTheRelationsAnswers400AndNoSecret() async throws {
        let fleet = try ServerFleet.make(["saas"])
        _ = try fleet.catalog.addProject(name: "vault", dsn: "postgresql://owner:s3cret-pw@127.0.0.1:1/vault")
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
            }
            let legit = try await client.send(.post, "/api/v1/sql", json: #"{"sql": "select count(*) as n from projects", "cached": true}"#)
            #expect(legit.status == .ok)
        }
    }
}
