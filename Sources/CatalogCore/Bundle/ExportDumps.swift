import CatalogSupport
import PostgresClient

/// The `pg_dump` runs of an export, both on the exported snapshot, each writing straight to a file so a
/// large database never passes through memory. The password travels in the child's environment only.
struct ExportDumps {
    let tools: PgTools
    let connection: BackupToolConnection
    let snapshot: String
    let project: String

    /// `pg_dump --schema-only` as plain SQL, for people and for comparing a restored copy.
    func schema(to path: String) throws {
        try run(["--schema-only"], to: path)
    }

    /// `pg_dump -Fc`: the whole database, without the data of the schemas in `excludingDataOf` (every
    /// schema but `_metadata` under `--metadata-only`).
    func database(to path: String, excludingDataOf schemas: [String]) throws {
        try run(["--format=custom"] + schemas.map { "--exclude-table-data=\(Self.pattern(schema: $0)).*" }, to: path)
    }

    private func run(_ options: [String], to path: String) throws {
        let outcome = try ChildProcess(
            tools.pgDump,
            options + [
                "--no-password", "--snapshot=\(snapshot)", "--file=\(path)", connection.dbnameArgument,
            ], environment: connection.environment
        ).run()
        guard outcome.status == 0 else {
            let advice =
                PgTools.isOutOfSpace(outcome.stderr) ? "; free some space, or write the bundle elsewhere" : PgTools.advice(for: outcome.stderr)
            throw CatalogError("project \"\(project)\": pg_dump failed: \(PgTools.summary(outcome.stderr))\(advice); no bundle was written")
        }
    }

    /// A `pg_dump` pattern matching exactly this schema name: double quotes make every character literal.
    static func pattern(schema: String) -> String {
        "\"" + schema.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
