import Foundation

/// The sample projects under `fixtures/projects/`, found from the package root.
public enum Fixtures {
    /// The sample projects, in the order the demo registers them.
    public static let projectNames = ["saas", "shop", "crm"]

    /// The package root: `CATALOG_ROOT`, else the nearest directory above this file or the
    /// working directory that holds `Package.swift`.
    public static var root: URL {
        if let root = ProcessInfo.processInfo.environment["CATALOG_ROOT"] { return URL(fileURLWithPath: root) }
        for start in [URL(fileURLWithPath: #filePath), URL(fileURLWithPath: FileManager.default.currentDirectoryPath)] {
            var directory = start
            while directory.path != "/" {
                if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) { return directory }
                directory.deleteLastPathComponent()
            }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// The SQL of one sample project.
    public static func projectSQL(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent("fixtures/projects/\(name).sql"), encoding: .utf8)
    }

    /// A file under `fixtures/`.
    public static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent("fixtures").appendingPathComponent(relativePath)
    }
}
