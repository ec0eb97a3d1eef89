import CatalogCore
import CatalogTestSupport
import Foundation
import Testing

@testable import CatalogCLI

/// The CLI words a project's timeout in its own flag (`--timeout`); the API words the same outcome
/// with serve's `--query-timeout` (`CatalogServerTests.APIRemedyWordingTests`).
@Suite struct CLIRemedyWordingTests {
    @Test("a timed-out project tells a CLI user to raise --timeout, and nothing about serve")
    func timeoutNamesTheCLIFlag() {
        #expect(ProjectOutcome.timedOut(2).reason == "no answer within 2 s; check that the server is up, or raise --timeout")
        #expect(
            ProjectOutcome.timedOut(1.5, detail: "waiting for a lock").reason
                == "timed out after 1.5 s: waiting for a lock; end that session, or raise --timeout")
        #expect(
            ProjectOutcome.skipped("not in the local index yet", remedy: .readLiveOnce).reason
                == "not in the local index yet; run the same command without --cached once")
    }

    @Test("find-column over a hanging server: the warning names --timeout, not serve's flag")
    func hangingServerNamesTimeout() throws {
        let silent = try SilentServer()
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("c.sqlite").path
        _ = try CLIRun.run(["project", "add", "hangs", "--dsn", "postgresql://postgres@127.0.0.1:\(silent.port)/x"], store: store)
        let run = try CLIRun.run(["find-column", "email", "--timeout", "1"], store: store)
        #expect(run.stderr.contains("raise --timeout"), "\(run.stderr)")
        #expect(!run.stderr.contains("query-timeout"), "\(run.stderr)")
    }

    @Test("every library remedy has CLI words")
    func everyRemedyHasWords() {
        let remedies: [CatalogError.Remedy] = [
            .endSessionOrRaiseTimeout, .checkServerOrRaiseTimeout, .syncProject("p"), .settleConflictsOrForceSync(project: "p"),
            .readLiveOnce, .giveSearchName, .nameProjectsOrTag, .giveSourceTable(example: "billing:public.users"), .giveRollbackTarget,
            .upgradeOrGiveMigrationsDirectory, .giveMigrationsDirectoryOrRenumber(migration: "0005_x"), .giveMigrationsDirectoryItCameFrom,
            .makeBackupDirectoryWritable, .freeBackupSpace, .useAnotherBackupDirectory, .installMetadata("p"), .installMetadata(nil),
            .installAndScanMetadata("p"), .upgradeMetadata("p"), .scanMetadata("p"), .followRenames(fields: ["label"], to: "e_mail"),
            .pruneMappings,
        ]
        for remedy in remedies { #expect(!ErrorAdvice.words(for: remedy).isEmpty) }
        #expect(ErrorAdvice.words(for: .giveSourceTable(example: "billing:public.users")).hasPrefix("--from takes PROJECT:SCHEMA.TABLE"))
    }
}
