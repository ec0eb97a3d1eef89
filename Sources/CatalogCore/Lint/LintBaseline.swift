import CatalogStore
import Foundation

/// The findings a team has accepted, by fingerprint: `--write-baseline` writes one, `--baseline`
/// hides what it lists. The file names its format and version; a file of another tool or of a
/// newer version is refused rather than half-read.
public struct LintBaseline: Sendable, Equatable {
    public static let format = "catalog-lint-baseline"
    public static let version = 1

    public var fingerprints: Set<String>

    public init(fingerprints: Set<String>) { self.fingerprints = fingerprints }

    /// The file's contents for these findings: format, version and one entry per finding.
    public static func document(_ findings: [LintFinding]) -> OrderedJSON {
        let entries = findings.sorted { $0.fingerprint < $1.fingerprint }.map { finding in
            OrderedJSON.object([
                ("fingerprint", .string(finding.fingerprint)), ("rule", .string(finding.rule)), ("subject", .string(finding.subject)),
            ])
        }
        return .object([("findings", .array(entries)), ("format", .string(format)), ("version", .int(version))])
    }

    /// Parses a baseline file's text.
    public static func parse(_ data: Data, file: String) throws -> LintBaseline {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CatalogError(.badInput, "\(file) is not a catalog lint baseline (not a JSON object)", remedy: .writeLintBaseline)
        }
        guard object["format"] as? String == format else {
            throw CatalogError(
                .badInput, "\(file) is not a catalog lint baseline (its format is not \"\(format)\")", remedy: .writeLintBaseline)
        }
        guard let fileVersion = object["version"] as? Int else {
            throw CatalogError(.badInput, "\(file) has no baseline version", remedy: .writeLintBaseline)
        }
        guard fileVersion <= version else {
            throw CatalogError(
                .badInput,
                "\(file) is a version \(fileVersion) baseline, newer than this catalog reads (\(version)); upgrade catalog or write the baseline again"
            )
        }
        guard let entries = object["findings"] as? [[String: Any]] else {
            throw CatalogError(.badInput, "\(file) has no list of findings", remedy: .writeLintBaseline)
        }
        return LintBaseline(fingerprints: Set(entries.compactMap { $0["fingerprint"] as? String }))
    }

    /// Reads a baseline file.
    public static func read(path: String) throws -> LintBaseline {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CatalogError(.badInput, "cannot read the baseline \(path); check the path", remedy: .writeLintBaseline)
        }
        return try parse(data, file: path)
    }

    /// Writes a baseline atomically. An existing file is replaced only when it is a baseline itself,
    /// and never when it is the store or one of its files.
    public static func write(_ findings: [LintFinding], path: String, store: StoreLocation) throws {
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], object["format"] as? String == format
            else {
                throw CatalogError(.refused, "\(path) exists and is not a catalog lint baseline, so it will not be replaced; choose another path")
            }
        }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let directory = try OutputTarget.directory(url.deletingLastPathComponent().path, store: store, flag: "baseline path")
        try directory.write(Data(document(findings).rendered.utf8), named: url.lastPathComponent)
    }
}
