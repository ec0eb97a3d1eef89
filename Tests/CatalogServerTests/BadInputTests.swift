import CatalogCore
import CatalogServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Each "bad input" of issue 8 answers with the right status and a JSON reason, and changes nothing.
@Suite struct BadInputTests {
    @Test func anOversizedBodyIs413() async throws {
        let fleet = try ServerFleet.make([])
        let app = try fleet.application { $0.maxBodyBytes = 1024 }
        let big = "{\"name\": \"big\", \"dsn\": \"postgresql://u@h/\(String(repeating: "x", count: 2000))\"}"
        try await app.application.test(.router) { client in
            let response = try await client.send(.post, "/api/v1/projects", json: big)
            #expect(response.status == .contentTooLarge)
            #expect(response.errorCode == "body_too_large")
            let sql = try await client.send(.post, "/api/v1/sql", json: "{\"sql\": \"select '\(String(repeating: "y", count: 4000))'\"}")
            #expect(sql.status == .contentTooLarge)
            let small = try await client.send(.post, "/api/v1/sql", json: #"{"sql": "select 1 as one", "cached": true}"#)
            #expect(small.status == .ok)
        }
        #expect(try fleet.catalog.listProjects().isEmpty)
    }

    @Test func aChunkedBodyOverTheLimitIs413() async throws {
        let fleet = try ServerFleet.make([])
        let app = try fleet.application { $0.maxBodyBytes = 512 }
        try await app.application.test(.live) { client in
            let body = "{\"sql\": \"select '\(String(repeating: "z", count: 5000))'\"}"
            let response = try await client.execute(
                uri: "/api/v1/sql", method: .post,
                headers: [.authorization: "Bearer \(ServerFleet.token)", .transferEncoding: "chunked", .contentType: "application/json"],
                body: ByteBuffer(string: body))
            #expect(response.status == .contentTooLarge)

            // The same body as real chunks on the wire, with no Content-Length to refuse up front.
            let port = try #require(client.port)
            let chunk = String(body.utf8.count, radix: 16)
            let connection = try RawConnection(port: port)
            connection.send(
                """
                POST /api/v1/sql HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(ServerFleet.token)\r\nConnection: close\r\n\
                Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n\(chunk)\r\n\(body)\r\n0\r\n\r\n
                """)
            let raw = await connection.readUntilClosed(within: 10).text
            #expect(raw.hasPrefix("HTTP/1.1 413"), "\(raw)")
            #expect(raw.contains("body_too_large"))
        }
    }

    @Test func anInvalidRegexIs400WithTheReason() async throws {
        let fleet = try ServerFleet.make(["saas"])
        try await fleet.application().application.test(.router) { client in
            for target in ["columns", "tables"] {
                let response = try await client.get("/api/v1/search/\(target)?name=%5Bemail&match=regex")
                #expect(response.status == .badRequest)
                #expect(response.errorCode == "invalid_regex")
                #expect(response.errorMessage?.contains("'[email' is not a valid regular expression") == true)
            }
        }
    }

    @Test func aRegexTheIndexCannotEvaluateIs400ForCachedOnly() async throws {
        let fleet = try ServerFleet.make(["saas"])
        try await fleet.application().application.test(.router) { client in
            let cached = try await client.get("/api/v1/search/columns?name=(e)%5C1&match=regex&ignore_case=true&cached=true")
            #expect(cached.status == .badRequest)
            #expect(cached.errorCode == "invalid_regex")
            #expect(cached.errorMessage?.contains("search live, without cached=true") == true)
            let live = try await client.get("/api/v1/search/columns?name=(e)%5C1&match=regex&ignore_case=true")
            #expect(live.status == .ok)
        }
    }

    @Test func anUnknownProjectIs404() async throws {
        let fleet = try ServerFleet.make(["saas"])
        try await fleet.application().application.test(.router) { client in
            let requests: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/api/v1/projects/nope", nil),
                (.delete, "/api/v1/projects/nope", nil),
                (.post, "/api/v1/projects/nope/release", nil),
                (.get, "/api/v1/search/columns?name=email&project=saas&project=nope", nil),
                (.get, "/api/v1/search/tables?name=users&project=nope", nil),
                (.get, "/api/v1/drift?project=nope", nil),
                (.get, "/api/v1/backups?project=nope", nil),
                (.post, "/api/v1/sql", #"{"sql": "select 1", "project": ["nope"]}"#),
                (.post, "/api/v1/backups", #"{"projects": ["nope"]}"#),
                (.post, "/api/v1/projects/nope/export", nil),
                (.get, "/api/v1/sync/plan?project=nope", nil),
                (.post, "/api/v1/sync", #"{"plan": "x", "project": ["nope"]}"#),
            ]
            for (method, uri, body) in requests {
                let response = try await client.send(method, uri, json: body)
                #expect(response.status == .notFound, "\(method) \(uri)")
                #expect(response.errorCode == "not_found", "\(method) \(uri)")
                #expect(response.errorMessage?.contains("\"nope\" is not registered") == true, "\(method) \(uri)")
                #expect(response.errorMessage?.contains("'catalog ") == false, "\(method) \(uri)")
                #expect(response.errorMessage?.contains("\n") == false, "\(method) \(uri)")
            }
        }
        #expect(try fleet.catalog.listProjects().map(\.name) == ["saas"])
    }

    @Test func sqlThatWritesIs400() async throws {
        let fleet = try ServerFleet.make(["saas"])
        try await fleet.application().application.test(.router) { client in
            for sql in [
                "delete from projects", "insert into projects(project) values ('x')", "drop view columns",
                "attach database '/tmp/x.sqlite' as x", "pragma writable_schema = 1", "update columns set label = 'x'",
            ] {
                let body = String(decoding: try JSONSerialization.data(withJSONObject: ["sql": sql, "cached": true]), as: UTF8.self)
                let response = try await client.send(.post, "/api/v1/sql", json: body)
                #expect(response.status == .badRequest, "\(sql)")
                #expect(response.errorCode == "invalid_sql", "\(sql)")
            }
        }
        #expect(try fleet.catalog.listProjects().map(\.name) == ["saas"])
    }

    @Test func sqlThatRunsPastTheQueryTimeoutIs504AndIsStopped() async throws {
        let fleet = try ServerFleet.make(["saas"])
        let app = try fleet.application {
            $0.queryTimeout = 1
            $0.maxConcurrentFanOuts = 1
        }
        try await app.application.test(.router) { client in
            let endless = #"{"sql": "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"}"#
            let response = try await client.send(.post, "/api/v1/sql", json: endless)
            #expect(response.status == .gatewayTimeout)
            #expect(response.errorCode == "timeout")
            // The statement was stopped, so the only fan-out slot is free again for the next request.
            let next = try await client.get("/api/v1/search/columns?name=email")
            #expect(next.status == .ok)
        }
    }

    @Test func malformedParametersAre400() async throws {
        let fleet = try ServerFleet.make(["saas"])
        try await fleet.application().application.test(.router) { client in
            let cases: [(String, String)] = [
                ("/api/v1/search/columns", "'name' parameter is required"),
                ("/api/v1/search/columns?name=", "'name' parameter is required"),
                ("/api/v1/search/columns?name=email&match=fuzzy", "'match' parameter must be one of exact, contains, prefix, regex"),
                ("/api/v1/search/columns?name=email&cached=maybe", "'cached' parameter must be true or false"),
                ("/api/v1/search/tables?name=users&ignore_case=2", "'ignore_case' parameter must be true or false"),
                ("/api/v1/projects?check=perhaps", "'check' parameter must be true or false"),
            ]
            for (uri, reason) in cases {
                let response = try await client.get(uri)
                #expect(response.status == .badRequest, "\(uri)")
                #expect(response.errorMessage?.contains(reason) == true, "\(uri): \(response.text)")
            }
            let notJSON = try await client.send(.post, "/api/v1/projects", json: "name=x")
            #expect(notJSON.status == .badRequest)
            #expect(notJSON.errorCode == "bad_request")
            let missingField = try await client.send(.post, "/api/v1/sql", json: #"{"cached": true}"#)
            #expect(missingField.status == .badRequest)
            let badHold = try await client.send(.post, "/api/v1/projects/saas/release?hold_seconds=-1")
            #expect(badHold.status == .badRequest)
            let noSelection = try await client.send(.post, "/api/v1/backups", json: "{}")
            #expect(noSelection.status == .badRequest)
            let emptyTag = try await client.send(.post, "/api/v1/backups", json: #"{"tag": [""]}"#)
            #expect(emptyTag.status == .badRequest)
        }
    }

    @Test func addingABadProjectIs400And409WithoutEchoingThePassword() async throws {
        let fleet = try ServerFleet.make(["saas"])
        try await fleet.application().application.test(.router) { client in
            let malformed = try await client.send(.post, "/api/v1/projects", json: #"{"name": "bad", "dsn": "host=h passwordhunter2 dbname=x"}"#)
            #expect(malformed.status == .badRequest)
            #expect(!malformed.text.contains("hunter2"))
            let badName = try await client.send(
                .post, "/api/v1/projects", json: "{\"name\": \"no spaces allowed\", \"dsn\": \"\(fleet.cluster.url())\"}")
            #expect(badName.status == .badRequest)
            let taken = try await client.send(.post, "/api/v1/projects", json: #"{"name": "saas", "dsn": "postgresql://u:topsecret@h/db"}"#)
            #expect(taken.status == .conflict)
            #expect(!taken.text.contains("topsecret"))
        }
        #expect(try fleet.catalog.listProjects().map(\.name) == ["saas"])
        #expect(!fleet.logs.text.contains("hunter2"))
        #expect(!fleet.logs.text.contains("topsecret"))
    }

    @Test func unknownRoutesAre404AndWrongMethods405() async throws {
        let fleet = try ServerFleet.make([])
        try await fleet.application().application.test(.router) { client in
            let missing = try await client.get("/api/v1/nothing-here")
            #expect(missing.status == .notFound)
            #expect(missing.errorCode == "not_found")
            let wrongMethod = try await client.send(.patch, "/api/v1/projects")
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.headers[.allow] == "GET, POST")
        }
    }
}
