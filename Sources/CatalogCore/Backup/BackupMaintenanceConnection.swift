import PostgresClient

/// A connection to the same server as a project but to another database, for the statements a
/// session connected to the project's database cannot run (renaming or dropping it).
enum BackupMaintenanceConnection {
    /// Connects to `postgres`, or to `template1` on servers without a `postgres` database.
    static func open(_ project: ConnectionString, connectTimeout: Int) throws -> Connection {
        do {
            return try Connection(project.replacing("dbname", with: "postgres"), connectTimeout: connectTimeout)
        } catch let error as PostgresError where error.sqlState == SQLState.invalidCatalogName || error.message.contains("does not exist") {
            return try Connection(project.replacing("dbname", with: "template1"), connectTimeout: connectTimeout)
        }
    }

    /// The sessions other than this one connected to `database`.
    static func otherSessions(on connection: Connection, database: String) throws -> Int {
        try connection.query(
            "SELECT count(*) AS sessions FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            [database]
        ).records.first?.int("sessions") ?? 0
    }

    /// The other sessions connected to `database`, counted by `application_name`, busiest first.
    static func otherSessionsByApplication(on connection: Connection, database: String) throws -> [(application: String, sessions: Int)] {
        try connection.query(
            """
            SELECT coalesce(application_name, '') AS application, count(*) AS sessions FROM pg_stat_activity
            WHERE datname = $1 AND pid <> pg_backend_pid() GROUP BY 1 ORDER BY 2 DESC, 1
            """,
            [database]
        ).records.map { ($0["application"] ?? "", $0.int("sessions") ?? 0) }
    }
}
