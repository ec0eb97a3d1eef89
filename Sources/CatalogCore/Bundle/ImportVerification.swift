/// The restored copy compared with the manifest: every table's row count, and the `_metadata` rows line by line.
public struct ImportVerification: Sendable, Equatable {
    /// One comparison.
    public struct Check: Sendable, Equatable {
        /// `rows` for a table's row count, `metadata` for a `_metadata` table's rows.
        public var kind: String
        /// `schema.table`.
        public var object: String
        /// What the manifest or the bundle's rows say.
        public var expected: Int
        /// nil when the table is missing from the copy.
        public var actual: Int?
        /// True when the copy matches (or only the revision counter moved).
        public var isOK: Bool
        /// Why it failed, or a note such as the revision counter moving.
        public var note: String?
    }

    /// Every comparison, tables first.
    public var checks: [Check]

    /// True when every check passed.
    public var isOK: Bool { checks.allSatisfy(\.isOK) }

    /// The failed checks in one line, for an error message.
    public var problems: String {
        checks.filter { !$0.isOK }.map { "\($0.object): \($0.note ?? "differs")" }.joined(separator: "; ")
    }

    /// Compares what the copy holds with the manifest and the bundled `_metadata` rows. Under
    /// `--metadata-only` only `_metadata`'s row counts are compared: the other tables came without data.
    static func compare(
        manifest: BundleManifest, bundledRows: [String: [String]], tables: [BundleManifest.TableRows],
        metadataRows: [String: [String]]
    ) -> ImportVerification {
        let counts = Dictionary(tables.map { ($0.qualifiedName, $0.rows) }, uniquingKeysWith: { first, _ in first })
        var checks = manifest.tables.filter { !manifest.metadataOnly || $0.schema == "_metadata" }.map { table in
            let actual = counts[table.qualifiedName]
            let note = actual.map { $0 == table.rows ? nil : "has \($0) rows, the manifest says \(table.rows)" } ?? "is missing"
            return Check(kind: "rows", object: table.qualifiedName, expected: table.rows, actual: actual, isOK: actual == table.rows, note: note)
        }
        for table in Set(bundledRows.keys).union(metadataRows.keys).sorted() {
            let expected = bundledRows[table] ?? []
            let actual = metadataRows[table]
            var check = Check(
                kind: "metadata", object: "_metadata.\(table)", expected: expected.count, actual: actual?.count,
                isOK: actual == expected, note: nil)
            if table == BundleMetadataRows.revisionTable {
                // Its triggers may fire during a restore: reported, never a failure.
                check.isOK = actual != nil
                check.note = actual == expected ? nil : (actual == nil ? "is missing" : "the revision counter moved during the restore")
            } else if let actual, actual != expected {
                let differing = Set(expected).symmetricDifference(actual).count
                check.note = "\(differing) row(s) differ from the bundle"
            } else if actual == nil {
                check.note = "is missing"
            }
            checks.append(check)
        }
        return ImportVerification(checks: checks)
    }
}
