import CatalogCore
import CatalogStore
import CatalogTestSupport
import Foundation
import Testing

@Suite("catalog history")
struct HistoryCLITests {
    @Test("history shows what the commands changed, filtered by project and time, on both stores", arguments: ["SQLite", "PostgreSQL"])
    func history(_ kind: String) throws {
        let directory = try TestWorkspace.temporaryDirectory()
        let store = kind == "SQLite" ? directory.appendingPathComponent("catalog.sqlite").path : try TestWorkspace.database(prefix: "registry").url
        let environment = ["XDG_DATA_HOME": directory.appendingPathComponent("data").path, "USER": "ann"]
        for arguments in [
            ["project", "add", "billing", "--dsn", "host=127.0.0.1 port=1 dbname=billing"],
            ["project", "add", "shop", "--dsn", "host=127.0.0.1 port=1 dbname=shop"],
            ["project", "update", "billing", "--tag", "prod"],
        ] {
            let run = try CLIRun.run(arguments, store: store, environment: environment)
            #expect(run.status == 0, "\(run.output)")
        }
        let all = try CLIRun.run(["history", "--format", "csv"], store: store, environment: environment)
        #expect(all.status == 0, "\(all.output)")
        let lines = all.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(lines.first == ["at", "actor", "replica", "action", "target", "result", "detail"])
        #expect(lines.dropFirst().map { $0[4] } == ["billing", "shop", "billing"])
        #expect(lines.dropFirst().allSatisfy { $0[1] == "ann" })
        // The CLI's replica is the host it ran on.
        #expect(lines.dropFirst().allSatisfy { $0[2] == ProcessInfo.processInfo.hostName })

        let billing = try CLIRun.run(
            ["history", "--project", "billing", "--since", "1h", "--format", "json"], store: store, environment: environment)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(billing.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 2)
        #expect(entries.allSatisfy { $0["target"] as? String == "billing" })
        let future = try CLIRun.run(["history", "--since", "2999-01-01", "--format", "csv"], store: store, environment: environment)
        #expect(future.stdout == "at,actor,replica,action,target,result,detail\n")

        let bad = try CLIRun.run(["history", "--since", "yesterday"], store: store, environment: environment)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--since takes an ISO 8601 date"))
    }
}
