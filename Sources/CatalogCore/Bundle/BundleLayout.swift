/// Where each part of a project lives inside a bundle (a ZIP archive).
enum BundleLayout {
    /// The table of contents, with every other file's size and SHA-256.
    static let manifest = "manifest.json"
    /// `pg_dump --schema-only`, plain SQL, for people and diffs.
    static let schema = "schema.sql"
    /// `pg_dump -Fc`: what `pg_restore` restores (with only `_metadata`'s data under `--metadata-only`).
    static let database = "database.dump"
    /// The `_metadata` rows, one JSON line per row, sorted, to compare after a restore.
    static let metadataRows = "metadata.jsonl"

    /// The canonical JSON of one shared definition version.
    static func sharedVersion(_ name: String, _ version: Int) -> String {
        "shared/\(name)/\(version).json"
    }
}
