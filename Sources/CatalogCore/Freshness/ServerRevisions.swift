import CatalogStore
import Foundation
import PostgresClient

/// Every database's published revision on one server, read in one statement from the shared catalog
/// `pg_db_role_setting` (any role that can connect to one database of the server may read it).
struct ServerRevisions: Sendable {
    /// One database's row: its OID now, and its published value, if any.
    struct Database: Sendable, Equatable {
        var oid: String
        var published: String?
    }

    /// Databases without a `pg_db_role_setting` row publish nothing and are absent.
    var databases: [String: Database]

    /// The one query per server.
    static let query = Query(
        """
        SELECT d.datname, d.oid::text AS database_oid,
               (SELECT substr(c, \(PublishedRevision.setting.count + 2)) FROM unnest(s.setconfig) AS c
                WHERE c LIKE '\(PublishedRevision.setting)=%' LIMIT 1) AS published
        FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
        WHERE s.setrole = 0
        """)

    init(_ result: QueryResult) {
        var databases: [String: Database] = [:]
        for record in result.records {
            guard let name = record["datname"], let oid = record["database_oid"] else { continue }
            databases[name] = Database(oid: oid, published: record["published"])
        }
        self.databases = databases
    }

    /// Which server a connection string reaches: projects that share it share `pg_db_role_setting`.
    /// Host, host address, port and service name decide; the database, user and password do not.
    static func serverKey(_ connection: ConnectionString) -> String {
        ["host", "hostaddr", "port", "service"].map { "\($0)=\(connection[$0] ?? "")" }.joined(separator: " ")
    }
}
