import CatalogCore
import Testing

@testable import CatalogCLI

/// The CLI words the Bundle, Backup and Output remedies as the advice those errors carried before.
@Suite struct BundleBackupErrorAdviceTests {
    @Test("the CLI names the flags and commands that carry out a remedy")
    func lines() {
        let cases: [(CatalogError, String)] = [
            (
                CatalogError(.alreadyExists, "project \"copy\" is already registered; nothing was changed", remedy: .importUnderAnotherName("copy")),
                "error: project \"copy\" is already registered; nothing was changed; import under another name with --as NAME, or run 'catalog project remove copy' first"
            ),
            (
                CatalogError(.refused, "database d does not exist; nothing was changed", remedy: .createDatabase),
                "error: database d does not exist; nothing was changed; pass --create-database to create it"
            ),
            (
                CatalogError(.conflict, "1 other session(s) are connected", remedy: .terminateOtherSessions),
                "error: 1 other session(s) are connected; close the others, or pass --terminate-connections"
            ),
            (
                CatalogError(.notFound, "there is no backup with id 9", remedy: .listBackups(project: nil)),
                "error: there is no backup with id 9; run 'catalog backup list' to see the ids"
            ),
            (
                CatalogError(.alreadyExists, "/tmp/x already exists", remedy: .chooseAnotherOutputOrOverwrite),
                "error: /tmp/x already exists; choose another -o, or pass --overwrite to replace an earlier bundle"
            ),
        ]
        for (error, line) in cases { #expect(ErrorAdvice.line(for: error) == line) }
    }
}
