import Foundation
import Testing

/// The library states what happened and carries what to do next as a `Remedy`; the CLI and the API
/// word it (`ErrorAdvice`, `APIAdvice`). So no string in CatalogCore names a command-line flag.
@Suite struct LibraryWordingTests {
    /// The flags of `pg_dump` and `pg_restore` that CatalogCore passes to them or shows in a plan (the
    /// command it runs), by file under `Sources/CatalogCore`: these are the tools' flags, not catalog's.
    static let toolFlags: [String: Set<String>] = [
        "Bundle/ImportPlan.swift": ["--single-transaction", "--exit-on-error", "--no-owner", "--no-acl", "--dbname"],
        "Bundle/ExportDumps.swift": ["--schema-only", "--format", "--exclude-table-data", "--no-password", "--snapshot", "--file"],
        "Bundle/ImportRestore.swift": ["--no-password"],
        "Bundle/Export.swift": ["--schema-only"],
        "Backup/BackupRestorePlan.swift": ["--single-transaction", "--exit-on-error", "--dbname"],
        "Backup/BackupCreate.swift": ["--format", "--no-password", "--lock-wait-timeout", "--file"],
        "Backup/BackupRestore.swift": ["--single-transaction", "--exit-on-error", "--no-password"],
        "Backup/BackupToolConnection.swift": ["--dbname"],
        "Backup/BackupVerify.swift": ["--list"],
        "Lifecycle/ProjectUnarchive.swift": ["--single-transaction", "--exit-on-error", "--no-password"],
        "Lifecycle/ClonePlan.swift": ["--exclude-table-data", "--format", "--snapshot", "--single-transaction", "--exit-on-error"],
        "Lifecycle/ProjectArchive.swift": ["--single-transaction", "--exit-on-error", "--no-password"],
        "Lifecycle/ProjectClone.swift": ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--no-password"],
        "Backup/BackupVersionCheck.swift": ["--version"],
    ]

    static var sources: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/CatalogCore")
    }

    /// Every `--flag` inside a string literal of a Swift file, with its line number; comments are skipped.
    static func flagsInLiterals(_ text: String) -> [(line: Int, flag: String)] {
        let literal = try! NSRegularExpression(pattern: #""(?:[^"\\]|\\.)*""#)
        let flag = try! NSRegularExpression(pattern: #"(?<![A-Za-z0-9-])--[a-z][a-z0-9-]*"#)
        func flags(in string: String) -> [String] {
            flag.matches(in: string, range: NSRange(string.startIndex..., in: string)).map { String(string[Range($0.range, in: string)!]) }
        }
        var found: [(Int, String)] = []
        var inMultiline = false
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("//") { continue }
            if line.components(separatedBy: "\"\"\"").count % 2 == 0 {
                inMultiline.toggle()
                continue
            }
            if inMultiline {
                found += flags(in: line).map { (index + 1, $0) }
                continue
            }
            for match in literal.matches(in: line, range: NSRange(line.startIndex..., in: line)) {
                found += flags(in: String(line[Range(match.range, in: line)!])).map { (index + 1, $0) }
            }
        }
        return found
    }

    @Test("the scan finds a flag in a string literal, and ignores comments and the tools' own flags")
    func scanFindsFlags() {
        let sample = """
            // raise --timeout in a comment is fine
            let message = "no answer; raise --timeout"
            let arguments = ["--no-password", "x"]
            """
        #expect(Self.flagsInLiterals(sample).map(\.flag) == ["--timeout", "--no-password"])
        #expect(Self.flagsInLiterals("let sql = \"SELECT 1 -- a comment\"").isEmpty)
    }

    @Test("no string in CatalogCore names a CLI flag: front ends word the remedies")
    func noFlagsInCatalogCore() throws {
        let enumerator = try #require(FileManager.default.enumerator(atPath: Self.sources.path))
        var files = 0
        var offenders: [String] = []
        for case let relative as String in enumerator where relative.hasSuffix(".swift") {
            files += 1
            let text = try String(contentsOf: Self.sources.appendingPathComponent(relative), encoding: .utf8)
            let allowed = Self.toolFlags[relative] ?? []
            for (line, flag) in Self.flagsInLiterals(text) where !allowed.contains(flag) {
                offenders.append("Sources/CatalogCore/\(relative):\(line): \(flag)")
            }
        }
        #expect(files > 50, "read \(files) files under \(Self.sources.path)")
        #expect(offenders.isEmpty, "\(offenders.joined(separator: "\n"))")
    }
}
