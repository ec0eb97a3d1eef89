import CatalogTestSupport
import Foundation
import PostgresClient

/// Creates the demo's project databases on a server, loading each fixture only when the database is new.
enum DemoDatabases {
    static func create(_ database: String, on serverURL: String, script: String) throws {
        let admin = try Connection(ConnectionString(serverURL))
        let exists = try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]).rows.isEmpty == false
        guard !exists else { return }
        try admin.execute(script: "CREATE DATABASE \(try admin.quoteIdentifier(database))")
        let connection = try Connection(ConnectionString(serverURL).replacing("dbname", with: database))
        try connection.execute(script: script)
    }

    /// The server URL pointed at another database, keeping any query options such as passfile.
    static func url(_ serverURL: String, database: String) -> String {
        guard serverURL.hasPrefix("postgres"), var components = URLComponents(string: serverURL) else {
            return serverURL + " dbname=\(database)"
        }
        components.path = "/" + database
        return components.string ?? serverURL
    }
}
