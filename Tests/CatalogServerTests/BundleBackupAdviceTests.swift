import CatalogCore
import Testing

@testable import CatalogServer

/// The API words the Bundle, Backup and Output remedies in its own terms: never a CLI flag or command.
@Suite struct BundleBackupAdviceTests {
    static let remedies: [CatalogError.Remedy] = [
        .giveABundle, .importUnderAnotherName("copy"), .nameTargetDatabase(example: "postgresql://user@host/copy_db"),
        .checkTargetServer, .createDatabase, .allowReplace, .chooseSharedVersion, .reviewImportPlanAgain,
        .registerRestoredProject("copy"), .dropOrIncludeUserMappings, .allowDifferentDatabase(project: "shop"), .giveRetentionRule,
        .listBackups(project: "shop"), .listBackups(project: nil), .pickAnotherBackup(project: "shop"), .terminateOtherSessions,
        .pruneSetAsideLater, .checkProjectDSN, .chooseAnotherOutput, .chooseAnotherOutputOrOverwrite, .chooseAnotherOutputOrRemove,
    ]

    @Test("an API client is never told to pass a flag or run a catalog command")
    func noFlags() {
        for remedy in Self.remedies {
            let words = APIAdvice.words(for: remedy)
            #expect(!words.isEmpty && !words.contains("--") && !words.contains("'catalog ") && !words.contains(" -o"), "\(remedy): \(words)")
        }
        let refusal = CatalogError(.refused, "database d already holds data; nothing was changed", remedy: .allowReplace)
        #expect(
            APIAdvice.message(for: refusal)
                == "database d already holds data; nothing was changed; import into a new or empty database, or let the import replace this one after a safety backup"
        )
    }
}
