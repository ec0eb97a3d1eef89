import CatalogSupport
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@Suite("The libpq client")
struct PostgresClientTests {
    @Test("values come back in text form, NULL as nil, with types PostgreSQL chose")
    func typesAndNulls() throws {
        let connection = try TestWorkspace.cluster().connect()
        let result = try connection.query(
            "SELECT $1::int AS n, $2::text AS t, $3::bool AS b, NULL::text AS missing, $4::jsonb AS j, $5::float8 AS f",
            [42, "héllo 'quoted'", true, "{\"a\": [1, 2]}", 2.5])
        let row = try #require(result.records.first)
        #expect(row.int("n") == 42)
        #expect(row["t"] == "héllo 'quoted'")
        #expect(row.bool("b") == true)
        #expect(row["missing"] == nil)
        #expect(row["j"] == "{\"a\": [1, 2]}")
        #expect(row.double("f") == 2.5)
        #expect(row["no_such_column"] == nil)
        #expect(result.columns == ["n", "t", "b", "missing", "j", "f"])
    }

    @Test("a bound NULL parameter is NULL, not the string 'nil'")
    func boundNull() throws {
        let connection = try TestWorkspace.cluster().connect()
        let result = try connection.query("SELECT $1::text IS NULL AS is_null", [nil])
        #expect(result.records.first?.bool("is_null") == true)
    }

    @Test("server errors carry SQLSTATE, message, detail and hint")
    func errorFields() throws {
        let connection = try TestWorkspace.cluster().connect()
        try connection.execute(script: "CREATE TEMP TABLE t (id int PRIMARY KEY)")
        try connection.query("INSERT INTO t VALUES (1)")
        #expect {
            try connection.query("INSERT INTO t VALUES (1)")
        } throws: { error in
            guard let error = error as? PostgresError else { return false }
            return error.sqlState == "23505" && error.message.contains("duplicate key") && error.detail?.contains("(id)=(1)") == true
        }
        #expect {
            try connection.query("SELECT * FROM no_such_table")
        } throws: { error in
            (error as? PostgresError)?.sqlState == "42P01"
        }
        #expect {
            try connection.query("SELECT pg_sleep('x')")
        } throws: { error in
            (error as? PostgresError)?.sqlState == "22P02"
        }
        #expect {
            try connection.execute(script: "DO $$ BEGIN RAISE EXCEPTION 'boom' USING HINT = 'try again'; END $$")
        } throws: { error in
            (error as? PostgresError)?.hint == "try again"
        }
    }

    @Test(
        "identifiers and literals are escaped by libpq",
        arguments: [
            "plain", "Mixed Case", "quote\"inside", "apostrophe's", "ünïcødé 表", "semi;colon--",
        ])
    func escaping(_ text: String) throws {
        let cluster = try TestWorkspace.cluster()
        let connection = try cluster.connect()
        let identifier = try connection.quoteIdentifier(text)
        let literal = try connection.quoteLiteral(text)
        try connection.execute(script: "CREATE TEMP TABLE \(identifier) (\(identifier) text)")
        try connection.execute(script: "INSERT INTO \(identifier) VALUES (\(literal))")
        let result = try connection.query("SELECT \(identifier) AS v FROM \(identifier)")
        #expect(result.records.first?["v"] == text)
    }

    @Test("a wrong password, a missing database and a refused connection are distinct errors")
    func connectionErrors() throws {
        let cluster = try TestWorkspace.cluster()
        #expect {
            try Connection(ConnectionString(cluster.url(password: "wrong-password")))
        } throws: { error in
            let text = "\(error)"
            return text.contains("password authentication failed") && !text.contains("wrong-password")
        }
        #expect {
            try Connection(ConnectionString(cluster.url(database: "no_such_db")))
        } throws: { error in
            "\(error)".contains("does not exist")
        }
        let closedPort = try TemporaryCluster.freePort()
        #expect {
            try Connection(ConnectionString("postgresql://postgres@127.0.0.1:\(closedPort)/x"))
        } throws: { error in
            "\(error)".contains("refused")
        }
    }

    @Test("a paused cluster refuses connections and comes back on the same port")
    func pauseAndResume() throws {
        let cluster = try TemporaryCluster()
        defer { cluster.stop() }
        try cluster.pause()
        #expect(throws: PostgresError.self) { try cluster.connect() }
        try cluster.resume()
        #expect(try cluster.connect().query("SELECT 1 AS one").records.first?.int("one") == 1)
    }

    @Test("a transaction rolls back everything when its body throws")
    func transactionRollsBack() throws {
        let connection = try TestWorkspace.cluster().connect()
        try connection.execute(script: "CREATE TEMP TABLE r (v int)")
        #expect(throws: PostgresError.self) {
            try connection.transaction {
                try connection.query("INSERT INTO r VALUES (1)")
                try connection.query("INSERT INTO r VALUES ('x')")
            }
        }
        #expect(try connection.query("SELECT count(*) AS n FROM r").records.first?.int("n") == 0)
    }
}

@Suite("The fan-out engine")
struct FanOutTests {
    @Test("runs a conversation on many databases and keeps the tasks' order")
    func runsConversations() async throws {
        let cluster = try TestWorkspace.cluster()
        let tasks = (0..<12).map { index in
            FanOutTask(key: "p\(index)", connection: cluster.connectionString()) { results in
                switch results.count {
                case 0: Query("SELECT $1::int AS n", [index])
                case 1: Query("SELECT $1::int * 2 AS doubled", [Int(results[0].records[0]["n"]!)!])
                default: nil
                }
            }
        }
        let results = await FanOut(concurrency: 4, timeout: 10).run(tasks)
        #expect(results.map(\.key) == tasks.map(\.key))
        for (index, result) in results.enumerated() {
            guard case .ok(let answers) = result.outcome else {
                Issue.record("task \(index) did not succeed: \(result.outcome)")
                continue
            }
            #expect(answers.count == 2)
            #expect(answers[1].records.first?.int("doubled") == index * 2)
        }
    }

    @Test("a step's statements travel together, in one transaction, and the first error skips the rest")
    func stepsArePipelined() async throws {
        let cluster = try TestWorkspace.cluster()
        let together = FanOutTask(key: "together", connection: cluster.connectionString()) { results in
            results.isEmpty ? [Query("SELECT txid_current() AS id, $1::text AS word", ["one"]), Query("SELECT txid_current() AS id")] : []
        }
        let broken = FanOutTask(key: "broken", connection: cluster.connectionString()) { results in
            results.isEmpty ? [Query("SELECT 1"), Query("SELECT * FROM nowhere"), Query("SELECT 3")] : []
        }
        let results = await FanOut(concurrency: 2, timeout: 10).run([together, broken])
        guard case .ok(let answers) = results[0].outcome else {
            Issue.record("\(results[0].outcome)")
            return
        }
        #expect(answers.count == 2)
        #expect(answers[0].records.first?["word"] == "one")
        #expect(answers[0].records.first?["id"] == answers[1].records.first?["id"])
        guard case .failed(let error) = results[1].outcome else {
            Issue.record("\(results[1].outcome)")
            return
        }
        #expect(error.sqlState == "42P01")
    }

    @Test("a hanging server times out while the others answer")
    func timesOut() async throws {
        let cluster = try TestWorkspace.cluster()
        let silent = try SilentServer()
        let tasks = [
            FanOutTask(key: "good", connection: cluster.connectionString(), query: Query("SELECT 1")),
            FanOutTask(key: "hangs", connection: try ConnectionString("postgresql://u@127.0.0.1:\(silent.port)/x"), query: Query("SELECT 1")),
            FanOutTask(key: "sleeps", connection: cluster.connectionString(), query: Query("SELECT pg_sleep(600)")),
        ]
        // Timed on the engine's own thread: under a loaded full run, resuming this test on the
        // cooperative pool once took longer than the bound (156 s), though the engine was done.
        let (results, elapsed) = try await OwnThread.run { () -> ([FanOutResult], Double) in
            let started = Date()
            let results = FanOut(concurrency: 8, timeout: 1).runBlocking(tasks)
            return (results, Date().timeIntervalSince(started))
        }
        // Not a speed check: the sleeping query would take ten minutes without the timeout.
        #expect(elapsed < 120)
        guard case .ok = results[0].outcome else {
            Issue.record("good should succeed")
            return
        }
        guard case .timedOut = results[1].outcome else {
            Issue.record("hangs should time out: \(results[1].outcome)")
            return
        }
        guard case .timedOut = results[2].outcome else {
            Issue.record("sleeps should time out: \(results[2].outcome)")
            return
        }
    }

    @Test("a statement that runs past the timeout is cancelled on the server, not left running")
    func timeoutCancels() async throws {
        let cluster = try TestWorkspace.cluster()
        let marker = "cancel_\(UUID().uuidString.prefix(8).lowercased())"
        let results = await FanOut(timeout: 1).run([
            FanOutTask(key: "sleeps", connection: cluster.connectionString(), query: Query("SELECT pg_sleep(120) AS \(marker)"))
        ])
        guard case .timedOut = results[0].outcome else {
            Issue.record("expected a timeout: \(results[0].outcome)")
            return
        }
        let connection = try cluster.connect()
        let gone = try TestWorkspace.wait(upTo: 10, every: 0.1) {
            try connection.query(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()",
                ["%\(marker)%"]
            ).records.first?.int("n") == 0
        }
        #expect(gone, "the sleeping statement is still in pg_stat_activity")
    }

    @Test("a failed query and a refused connection fail alone")
    func failuresAreIsolated() async throws {
        let cluster = try TestWorkspace.cluster()
        let closedPort = try TemporaryCluster.freePort()
        let results = await FanOut(concurrency: 2, timeout: 5).run([
            FanOutTask(key: "bad-sql", connection: cluster.connectionString(), query: Query("SELECT * FROM nowhere")),
            FanOutTask(key: "refused", connection: try ConnectionString("postgresql://u@127.0.0.1:\(closedPort)/x"), query: Query("SELECT 1")),
            FanOutTask(key: "fine", connection: cluster.connectionString(), query: Query("SELECT 1 AS one")),
        ])
        guard case .failed(let sqlError) = results[0].outcome else {
            Issue.record("expected failure")
            return
        }
        #expect(sqlError.sqlState == "42P01")
        guard case .failed(let refused) = results[1].outcome else {
            Issue.record("expected failure")
            return
        }
        #expect(refused.message.contains("refused"))
        guard case .ok(let answers) = results[2].outcome else {
            Issue.record("expected ok")
            return
        }
        #expect(answers.first?.records.first?.int("one") == 1)
    }

    @Test("a host name is resolved before connecting")
    func resolvesHostNames() async throws {
        let cluster = try TestWorkspace.cluster()
        let byName = try ConnectionString("host=localhost port=\(cluster.port) user=postgres password=\(cluster.password) dbname=postgres")
        let results = await FanOut(concurrency: 1, timeout: 5).run([FanOutTask(key: "named", connection: byName, query: Query("SELECT 1"))])
        guard case .ok = results[0].outcome else {
            Issue.record("expected ok, got \(results[0].outcome)")
            return
        }
    }
}
