import CatalogTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Three real `catalog serve` replicas on one PostgreSQL registry: writes through one are read
/// through another at once, sessions and sign-outs reach every replica, the leader of a lease can
/// be killed without a job running twice, and a registry that stops and starts costs only the writes
/// made while it is down. The figures are printed (`REPLICAS …` lines) for bench/README.md.
@Suite("Replicas: three catalog serve processes on one registry", .serialized)
struct ReplicaTests {
    /// Starts three replicas with one project `p` registered (on the shared project cluster).
    static func started(leaseSeconds: Double = 2, extra: [String] = []) async throws -> ReplicaSet {
        let replicas = try ReplicaSet(leaseSeconds: leaseSeconds)
        let project = try TestWorkspace.database(fixture: "shop")
        // A registry keeps no passwords: the replicas read it from PGPASSWORD.
        let dsn = "postgresql://postgres@127.0.0.1:\(try TestWorkspace.cluster().port)/\(project.name)"
        let added = try CLIRun.run(["project", "add", "p", "--dsn", dsn], store: replicas.store, environment: replicas.environment)
        #expect(added.status == 0, "\(added.output)")
        for index in replicas.ports.indices { try await replicas.start(index, extra: extra) }
        return replicas
    }

    @Test("1,000 write-then-read pairs on random replicas: no read staler than 1 s")
    func writeThenRead() async throws {
        let replicas = try await Self.started(extra: ["--no-schedules"])
        var generator = SystemRandomNumberGenerator()
        var staleFirstReads = 0
        var staleOverOneSecond = 0
        var worst = 0.0
        let started = Date()
        let pairs = Int(ProcessInfo.processInfo.environment["CATALOG_REPLICA_PAIRS"] ?? "") ?? 1000
        for pair in 0..<pairs {
            let writer = Int.random(in: 0..<3, using: &generator)
            let reader = Int.random(in: 0..<3, using: &generator)
            let tag = "v\(pair)"
            let previous = pair == 0 ? "[]" : "[\"v\(pair - 1)\"]"
            let write = try await replicas.request(
                writer, "PATCH", "/api/v1/projects/p", json: #"{"add_tags": ["\#(tag)"], "remove_tags": \#(previous)}"#)
            try #require(write.status == 200, "write \(pair) via \(replicas.name(writer)): \(write.status) \(write.body)")
            let written = Date()
            var fresh = false
            var first = true
            while !fresh {
                let read = try await replicas.request(reader, "GET", "/api/v1/projects/p")
                fresh = (read.body["tags"] as? [String])?.contains(tag) == true
                if !fresh {
                    if first { staleFirstReads += 1 }
                    if Date().timeIntervalSince(written) > 1 {
                        staleOverOneSecond += 1
                        break
                    }
                    try await Task.sleep(for: .milliseconds(10))
                }
                first = false
            }
            worst = max(worst, Date().timeIntervalSince(written))
        }
        let seconds = Date().timeIntervalSince(started)
        print(
            "REPLICAS write-then-read pairs=\(pairs) stale_over_1s=\(staleOverOneSecond) stale_first_reads=\(staleFirstReads) "
                + "slowest_fresh_read_ms=\(Int(worst * 1000)) total_s=\(String(format: "%.1f", seconds))")
        #expect(staleOverOneSecond == 0)

        // Every write's audit entry names the token's name and the replica it went through.
        let history = try await replicas.request(0, "GET", "/api/v1/history?project=p&limit=10000")
        let entries = history.body["entries"] as? [[String: Any]] ?? []
        let updates = entries.filter { $0["action"] as? String == "project.update" }
        #expect(updates.count == pairs)
        #expect(updates.allSatisfy { $0["actor"] as? String == "ci-bot" })
        #expect(Set(updates.compactMap { $0["replica"] as? String }) == ["r0", "r1", "r2"])
    }

    @Test("a session opened on one replica works on the others; a sign-out on any ends it everywhere within 1 s")
    func sessionsReachEveryReplica() async throws {
        let replicas = try await Self.started(extra: ["--no-schedules"])
        let signIn = try await replicas.request(
            0, "POST", "/api/v1/session", json: #"{"token": "\#(ReplicaSet.token)", "name": "ann"}"#, bearer: false)
        #expect(signIn.status == 200)
        let setCookie = signIn.headers["Set-Cookie"] as? String ?? ""
        let cookie = try #require(setCookie.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last.map(String.init))
        for index in 0..<3 { #expect(try await replicas.request(index, "GET", "/api/v1/projects", cookie: cookie).status == 200) }

        // A change through the session is audited under the session's name, with the replica's.
        #expect(try await replicas.request(2, "PATCH", "/api/v1/projects/p", json: #"{"add_tags": ["by-ann"]}"#, cookie: cookie).status == 200)
        let history = try await replicas.request(1, "GET", "/api/v1/history?project=p", cookie: cookie)
        let newest = (history.body["entries"] as? [[String: Any]])?.first
        #expect(newest?["actor"] as? String == "ann")
        #expect(newest?["replica"] as? String == "r2")
        // The registry keeps only the identifier's hash.
        let kept = try replicas.rows("SELECT id_hash, name FROM catalog.web_session")
        #expect(kept.count == 1 && kept[0][1] == "ann")
        #expect(kept.first?[0] != cookie)

        #expect(try await replicas.request(1, "DELETE", "/api/v1/session", cookie: cookie, bearer: false).status == 204)
        try await Task.sleep(for: .milliseconds(1100))
        for index in 0..<3 { #expect(try await replicas.request(index, "GET", "/api/v1/projects", cookie: cookie).status == 401) }
    }

    @Test(
        "the leader killed with SIGKILL 20 times: another replica takes over within the lease + 1 s, and no scheduled job runs twice",
        .enabled(if: ProcessInfo.processInfo.environment["CATALOG_REPLICA_TESTS"] == "1"))
    func leaderKilled() async throws {
        let lease = 2.0
        let replicas = try await Self.started(leaseSeconds: lease)
        let added = try CLIRun.run(
            ["schedule", "add", "drift", "--project", "p", "--every", "1s", "--name", "fast"], store: replicas.store,
            environment: replicas.environment)
        #expect(added.status == 0, "\(added.output)")
        var takeovers: [Double] = []
        var indexTakeovers: [Double] = []
        let kills = Int(ProcessInfo.processInfo.environment["CATALOG_REPLICA_KILLS"] ?? "") ?? 20
        for _ in 0..<kills {
            // Let the schedule run a little under the current leader.
            try await Task.sleep(for: .milliseconds(1500))
            let leader = try #require(try replicas.leader(of: "scheduler"))
            let before = try #require(try replicas.lease("scheduler")).epoch
            let indexLeader = try replicas.leader(of: "index-refresh")
            let indexBefore = try replicas.lease("index-refresh")?.epoch
            replicas.kill9(leader)
            let killed = Date()
            var schedulerDone: Double?
            var indexDone: Double? = indexLeader == leader ? nil : 0
            while schedulerDone == nil || indexDone == nil, Date().timeIntervalSince(killed) < lease + 5 {
                if schedulerDone == nil, let now = try replicas.lease("scheduler"), now.epoch > before {
                    schedulerDone = Date().timeIntervalSince(killed)
                }
                if indexDone == nil, let now = try replicas.lease("index-refresh"), now.epoch > (indexBefore ?? 0) {
                    indexDone = Date().timeIntervalSince(killed)
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            takeovers.append(try #require(schedulerDone, "no replica took the scheduler lease over"))
            if indexLeader == leader { indexTakeovers.append(try #require(indexDone, "no replica took the index-refresh lease over")) }
            try await replicas.start(leader)
        }
        try await Task.sleep(for: .milliseconds(1500))
        let twice = try replicas.rows(
            "SELECT schedule_id, slot, count(*) FROM catalog.schedule_run WHERE slot IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1")
        let runs = try replicas.rows("SELECT count(*), count(DISTINCT epoch) FROM catalog.schedule_run")[0]
        func median(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.sorted()[values.count / 2] }
        print(
            "REPLICAS leader-kill kills=\(kills) lease_s=\(lease) runs=\(runs[0] ?? "?") epochs=\(runs[1] ?? "?") runs_twice=\(twice.count) "
                + "takeover_median_ms=\(Int(median(takeovers) * 1000)) takeover_max_ms=\(Int((takeovers.max() ?? 0) * 1000)) "
                + "index_refresh_takeovers=\(indexTakeovers.count) index_takeover_max_ms=\(Int((indexTakeovers.max() ?? 0) * 1000))")
        #expect(twice.isEmpty, "slots run twice: \(twice)")
        #expect(Int(runs[0] ?? "") ?? 0 >= kills, "the schedule kept running")
        #expect(takeovers.allSatisfy { $0 <= lease + 1 }, "\(takeovers)")
        #expect(indexTakeovers.allSatisfy { $0 <= lease + 1 }, "\(indexTakeovers)")
    }

    @Test("the registry stopped and started: no replica crashes, writes get 503 while it is down, all back within 5 s")
    func registryDown() async throws {
        let replicas = try await Self.started(extra: ["--no-schedules"])
        for index in 0..<3 { #expect(try await replicas.request(index, "PATCH", "/api/v1/projects/p", json: #"{"add_tags": ["up"]}"#).status == 200) }

        try replicas.registry.pause()
        for index in 0..<3 {
            let write = try await replicas.request(index, "PATCH", "/api/v1/projects/p", json: #"{"add_tags": ["down\#(index)"]}"#)
            #expect(write.status == 503)
            let error = write.body["error"] as? [String: Any]
            #expect(error?["code"] as? String == "registry_unavailable")
            let message = error?["message"] as? String ?? ""
            #expect(message.contains("the registry is unreachable") && message.contains("try again") && !message.contains("\n"), "\(message)")
            #expect(!message.contains(replicas.registry.password))
            #expect(try await replicas.request(index, "POST", "/api/v1/projects", json: #"{"name": "q", "dsn": "dbname=q"}"#).status == 503)
        }
        for index in 0..<3 { #expect(replicas.isRunning(index), "replica \(index) crashed") }

        try replicas.registry.resume()
        let resumed = Date()
        var back = Set<Int>()
        while back.count < 3, Date().timeIntervalSince(resumed) < 10 {
            for index in 0..<3 where !back.contains(index) {
                if try await replicas.request(index, "PATCH", "/api/v1/projects/p", json: #"{"add_tags": ["back\#(index)"]}"#).status == 200 {
                    back.insert(index)
                }
            }
            if back.count < 3 { try await Task.sleep(for: .milliseconds(50)) }
        }
        let recovery = Date().timeIntervalSince(resumed)
        print("REPLICAS registry-restart replicas_back=\(back.count) recovery_ms=\(Int(recovery * 1000))")
        #expect(back.count == 3)
        #expect(recovery <= 5)
        for index in 0..<3 { #expect(replicas.isRunning(index), "replica \(index) crashed") }
        // Nothing written while the registry was down.
        let tags = try replicas.rows("SELECT tag FROM catalog.project_tag ORDER BY tag").map { $0[0] ?? "" }
        #expect(tags == ["back0", "back1", "back2", "up"])
    }
}
