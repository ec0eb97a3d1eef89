import CatalogCore
import CatalogTestSupport
import Foundation
import Testing

/// `catalog schedule`, `catalog alert` and `catalog backup status` through the real binary.
@Suite("The command line: schedules and alerts")
struct ScheduleCLITests {
    func fleet() throws -> (store: String, cluster: TemporaryCluster) {
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("c.sqlite").path
        let cluster = try TestWorkspace.cluster()
        let database = try TestWorkspace.database(fixture: "shop")
        let added = try CLIRun.run(["project", "add", "shop", "--dsn", database.url, "--tag", "prod"], store: store)
        #expect(added.status == 0, "\(added.output)")
        return (store, cluster)
    }

    @Test func badInputIsOneLineAndChangesNothing() throws {
        let (store, _) = try fleet()
        let cases: [([String], Int32, String)] = [
            (["--all", "--cron", "0 3 * *"], 64, "cron expression"),
            (["--all", "--cron", "0 3 * * *", "--timezone", "Nowhere/Land"], 64, "time zone"),
            (["--all", "--every", "5x"], 64, "duration"),
            (["--all", "--every", "1h", "--keep-last", "0"], 64, "keep no backup"),
            (["--project", "ghost", "--every", "1h"], 2, "ghost"),
            (["--tag", "ghost", "--every", "1h"], 2, "ghost"),
        ]
        for (arguments, status, words) in cases {
            let run = try CLIRun.run(["schedule", "add", "backup"] + arguments, store: store)
            #expect(run.status == status, "\(arguments): \(run.output)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains(words), "\(arguments): \(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
        let list = try CLIRun.run(["schedule", "list", "--format", "json"], store: store)
        #expect(list.stdout == "[]\n")
    }

    @Test func addListRunStatusAndRemove() throws {
        let (store, _) = try fleet()
        let backupDirectory = try TestWorkspace.temporaryDirectory().appendingPathComponent("backups").path
        let add = try CLIRun.run(
            ["schedule", "add", "backup", "--tag", "prod", "--every", "6h", "--keep-last", "10", "--name", "prod-6h"], store: store)
        #expect(add.status == 0, "\(add.output)")
        #expect(add.stdout.contains("prod-6h"))
        let cron = try CLIRun.run(
            ["schedule", "add", "drift", "--all", "--cron", "30 2 * * *", "--timezone", "Europe/Berlin"], store: store)
        #expect(cron.status == 0, "\(cron.output)")
        #expect(try CLIRun.run(["schedule", "add", "scan", "--all", "--cron", "0 3 * * *", "--name", "utc"], store: store).status == 0)
        let list = try CLIRun.run(["schedule", "list"], store: store)
        #expect(list.stdout.contains("cron 0 3 * * * "))
        #expect(!list.stdout.contains("GMT"))
        #expect(list.stdout.contains("every 6h"))
        #expect(list.stdout.contains("cron 30 2 * * * Europe/Berlin"))
        #expect(list.stdout.contains("never"))
        let run = try CLIRun.run(["schedule", "run", "prod-6h", "--backup-dir", backupDirectory], store: store)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.stdout.contains("shop"))
        let after = try CLIRun.run(["schedule", "list", "--format", "json"], store: store)
        #expect(after.stdout.contains("\"last_outcome\" : \"ok\""))
        let status = try CLIRun.run(["backup", "status"], store: store)
        #expect(status.status == 0)
        #expect(status.stdout.contains("✅ ok"))
        let remove = try CLIRun.run(["schedule", "remove", "prod-6h"], store: store)
        #expect(remove.status == 0)
        let again = try CLIRun.run(["schedule", "remove", "prod-6h"], store: store)
        #expect(again.status == 2)
        #expect(again.stderr.split(separator: "\n").count == 1)
    }

    @Test func alertsAreMaskedTestedAndBounded() throws {
        let (store, _) = try fleet()
        let hook = try WebhookListener()
        let add = try CLIRun.run(["alert", "add", "--webhook", hook.url, "--on", "failure,stale"], store: store)
        #expect(add.status == 0, "\(add.output)")
        #expect(!add.output.contains("SECRET"))
        let list = try CLIRun.run(["alert", "list"], store: store)
        #expect(list.stdout.contains("http://127.0.0.1:\(hook.port)/****"))
        #expect(!list.output.contains("SECRET"))
        let test = try CLIRun.run(["alert", "test", "1"], store: store)
        #expect(test.status == 0, "\(test.output)")
        #expect(hook.payloads.first?["kind"] as? String == "test")

        let badKind = try CLIRun.run(["alert", "add", "--webhook", hook.url, "--on", "failure,nope"], store: store)
        #expect(badKind.status == 64)
        #expect(badKind.stderr.split(separator: "\n").count == 1)

        // Nothing listens on this port: one line, no URL path.
        let closedPort = try TemporaryCluster.freePort()
        _ = try CLIRun.run(["alert", "add", "--webhook", "http://127.0.0.1:\(closedPort)/hooks/SECRETPATH"], store: store)
        let unreachable = try CLIRun.run(["alert", "test", "2"], store: store)
        #expect(unreachable.status == 2)
        #expect(unreachable.stderr.split(separator: "\n").count == 1)
        #expect(!unreachable.output.contains("SECRET"))

        // A webhook that accepts and never answers: bounded by --timeout.
        let silent = try SilentServer()
        _ = try CLIRun.run(["alert", "add", "--webhook", "http://127.0.0.1:\(silent.port)/hooks/SECRETPATH"], store: store)
        let clock = ContinuousClock()
        let start = clock.now
        let hanging = try CLIRun.run(["alert", "test", "3", "--timeout", "1"], store: store)
        #expect(clock.now - start < .seconds(8))
        #expect(hanging.status == 2)
        #expect(hanging.stderr.split(separator: "\n").count == 1)
        #expect(!hanging.output.contains("SECRET"))
        let removed = try CLIRun.run(["alert", "remove", "3"], store: store)
        #expect(removed.status == 0)
    }
}
