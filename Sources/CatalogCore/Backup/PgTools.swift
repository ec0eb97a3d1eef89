import Foundation

/// Where `pg_dump` and `pg_restore` live. A `pg_dump` cannot dump a server newer than itself, so the
/// newest installed PostgreSQL wins: `$PG_BINDIR`, else the newest `/usr/lib/postgresql/*/bin`, else `PATH`.
public struct PgTools: Sendable, Equatable {
    /// The `pg_dump` executable.
    public var pgDump: String
    /// The `pg_restore` executable.
    public var pgRestore: String

    /// Tools at explicit paths.
    public init(pgDump: String, pgRestore: String) {
        self.pgDump = pgDump
        self.pgRestore = pgRestore
    }

    /// Both tools from one directory.
    public init(binDirectory: String) {
        self.init(pgDump: binDirectory + "/pg_dump", pgRestore: binDirectory + "/pg_restore")
    }

    /// Finds both tools, or explains how to install them.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        installRoot: String = "/usr/lib/postgresql"
    ) throws -> PgTools {
        let candidates: [String]
        if let forced = environment["PG_BINDIR"], !forced.isEmpty {
            candidates = [forced]
        } else {
            candidates = newestFirst(installRoot) + (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        }
        guard let directory = candidates.first(where: { hasBoth($0) }) else {
            let looked = environment["PG_BINDIR"].flatMap { $0.isEmpty ? nil : "PG_BINDIR=\($0)" } ?? "\(installRoot)/*/bin and PATH"
            throw CatalogError(
                "pg_dump and pg_restore were not found (looked in \(looked)); install them with 'apt-get install -y postgresql-client' (at least as new as your servers), or set PG_BINDIR to the directory that holds them"
            )
        }
        return PgTools(binDirectory: directory)
    }

    private static func newestFirst(_ root: String) -> [String] {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root))?.compactMap(Int.init) ?? []
        return versions.sorted(by: >).map { "\(root)/\($0)/bin" }
    }

    private static func hasBoth(_ directory: String) -> Bool {
        ["pg_dump", "pg_restore"].allSatisfy { FileManager.default.isExecutableFile(atPath: "\(directory)/\($0)") }
    }

    /// A tool's error output as one line: its last few messages, without the banner noise.
    static func summary(_ output: String) -> String {
        let lines = output.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("pg_restore: warning: errors ignored") }
        let text = lines.suffix(3).joined(separator: "; ")
        return text.isEmpty ? "no error message" : String(text.prefix(600))
    }

    /// Adds what to do next to a tool's failure output.
    static func advice(for output: String) -> String {
        let lowered = output.lowercased()
        if lowered.contains("server version mismatch") {
            return "; install a client at least as new as the server ('apt-get install -y postgresql-client-NN') or set PG_BINDIR"
        }
        return ""
    }

    /// True when a tool's failure output says the disk is full.
    static func isOutOfSpace(_ output: String) -> Bool { output.lowercased().contains("no space left on device") }
}
