import CatalogCore
import Testing

@testable import CatalogServer

/// The API words the library's remedies for an API client: routes and fields, and for a timeout the
/// operator's `catalog serve --query-timeout`, never the CLI's `--timeout`.
@Suite struct APIRemedyWordingTests {
    static let remedies: [CatalogError.Remedy] = [
        .endSessionOrRaiseTimeout, .checkServerOrRaiseTimeout, .syncProject("p"), .settleConflictsOrForceSync(project: "p"),
        .readLiveOnce, .giveSearchName, .nameProjectsOrTag, .giveSourceTable(example: "billing:public.users"), .giveRollbackTarget,
        .upgradeOrGiveMigrationsDirectory, .giveMigrationsDirectoryOrRenumber(migration: "0005_x"), .giveMigrationsDirectoryItCameFrom,
        .makeBackupDirectoryWritable, .freeBackupSpace, .useAnotherBackupDirectory, .installMetadata("p"), .installMetadata(nil),
        .installAndScanMetadata("p"), .upgradeMetadata("p"), .scanMetadata("p"), .followRenames(fields: ["label"], to: "e_mail"),
        .pruneMappings, .store(.retryWhenStoreIsBack),
    ]

    @Test("a timed-out project tells an API client about serve's --query-timeout, not the CLI's --timeout")
    func timeoutNamesServesFlag() throws {
        let reason = try #require(ProjectOutcome.timedOut(2).reason)
        #expect(reason == "no answer within 2 s; check that the server is up, or ask the operator to raise catalog serve's --query-timeout")
        #expect(!reason.contains("raise --timeout"))
        let locked = try #require(ProjectOutcome.timedOut(2, detail: "waiting for a lock").reason)
        #expect(locked.contains("end that session") && locked.contains("catalog serve's --query-timeout"))
    }

    @Test("the API's words name no CLI flag or command (serve's own --query-timeout aside)")
    func noCLIFlags() {
        for remedy in Self.remedies {
            let words = APIAdvice.words(for: remedy).replacingOccurrences(of: "catalog serve's --query-timeout", with: "")
            #expect(!words.isEmpty && !words.contains("--") && !words.contains("'catalog "), "\(remedy): \(words)")
        }
    }
}
