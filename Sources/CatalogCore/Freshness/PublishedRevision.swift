import PostgresClient

/// A project's revision as its `_metadata` trigger publishes it in `pg_db_role_setting`:
/// `catalog.revision = '<database OID>/<lineage>:<revision>'` (migration 0004).
///
/// The value is trusted only where its OID is the OID the database has now: a copy made by a
/// restore, a bundle import, `pg_dump --create` or a drop-and-create carries the settings of the
/// database it came from, whose OID differs, so it never reads as unchanged.
public struct PublishedRevision: Sendable, Equatable {
    /// The setting's name.
    public static let setting = "catalog.revision"

    public var incarnation: Incarnation
    public var revision: Int64

    /// Parses a published value; nil when it is not in the published form.
    public init?(_ value: String) {
        guard let colon = value.lastIndex(of: ":"), let revision = Int64(value[value.index(after: colon)...]), revision >= 0 else {
            return nil
        }
        let incarnation = value[..<colon]
        guard let slash = incarnation.firstIndex(of: "/") else { return nil }
        let oid = String(incarnation[..<slash])
        let lineage = String(incarnation[incarnation.index(after: slash)...])
        guard !oid.isEmpty, oid.allSatisfy(\.isASCII), UInt32(oid) != nil, !lineage.isEmpty, lineage != "-" else { return nil }
        self.incarnation = Incarnation(databaseOID: oid, lineage: lineage)
        self.revision = revision
    }

    /// Publishes the current revision of a database catalog has just made (a restore), so it takes
    /// the fast path before its next write. Best effort: one that may not publish, or has an older
    /// `_metadata`, stays on the per-project read.
    static func republish(_ connectionString: ConnectionString, connectTimeout: Int) {
        guard let connection = try? Connection(connectionString, connectTimeout: connectTimeout) else { return }
        republish(on: connection)
    }

    /// The same on an open connection (`metadata install`, so a clone made from a template publishes
    /// before its first write).
    static func republish(on connection: Connection) {
        _ = try? connection.query("SELECT _metadata.publish_revision() FROM (SELECT FROM _metadata.revision FOR UPDATE) AS locked")
    }

    /// The published form.
    public var description: String { "\(incarnation):\(revision)" }
}
