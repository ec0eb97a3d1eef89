import CatalogTestSupport
import Foundation
import Testing

/// Compares text with a file under `fixtures/golden/`. Run with `UPDATE_GOLDEN=1` to rewrite the files.
enum Golden {
    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = Fixtures.url("golden/\(name)")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "output differs from fixtures/golden/\(name); if the change is intended, rerun with UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
    }
}
