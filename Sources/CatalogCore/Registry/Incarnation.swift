import PostgresClient

/// One life of a project's database: its OID on its server together with its lineage id (`_metadata`'s
/// `lineage`, drawn at install). A restore, an import, a clone or a re-create gives a new incarnation
/// even where the lineage stays, so anything cached from one incarnation (the search index) is never
/// taken for another whose revision counter happens to read the same.
public struct Incarnation: Sendable, Hashable, CustomStringConvertible {
    /// `pg_database.oid` of the database.
    public var databaseOID: String
    /// The lineage id; nil when `_metadata` is missing or older than version 3.
    public var lineage: String?

    /// An incarnation as read from a server.
    public init(databaseOID: String, lineage: String?) {
        self.databaseOID = databaseOID
        self.lineage = lineage
    }

    /// `OID/lineage` (`OID/-` without a lineage), as the index stores it.
    public var description: String { "\(databaseOID)/\(lineage ?? "-")" }

    /// The columns a query on `_metadata.revision r` adds to read the incarnation in the same round trip.
    static let selectList = """
        (SELECT oid FROM pg_database WHERE datname = current_database())::text AS database_oid, to_jsonb(r) ->> 'lineage' AS lineage
        """

    /// Reads the incarnation from a row that holds `selectList`'s columns.
    init?(_ record: QueryResult.Record?) {
        guard let oid = record?["database_oid"] else { return nil }
        self.init(databaseOID: oid, lineage: record?["lineage"])
    }

    /// Reads the incarnation of the database `connection` is attached to; a database without `_metadata`
    /// has no lineage.
    static func read(on connection: Connection) throws -> Incarnation {
        let present = try connection.query("SELECT to_regclass('_metadata.revision') IS NOT NULL AS present").records.first?.bool("present") == true
        let sql =
            present
            ? "SELECT \(selectList) FROM _metadata.revision r"
            : "SELECT (SELECT oid FROM pg_database WHERE datname = current_database())::text AS database_oid, NULL::text AS lineage"
        guard let incarnation = Incarnation(try connection.query(sql).records.first) else {
            throw CatalogError(.failed, "database \"\(connection.databaseName)\" has no _metadata.revision row", remedy: .installMetadata(nil))
        }
        return incarnation
    }
}
