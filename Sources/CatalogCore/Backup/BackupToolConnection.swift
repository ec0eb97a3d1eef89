import PostgresClient

/// How `pg_dump` and `pg_restore` reach a database with no password on their command line: the
/// connection string goes in `--dbname` without it, and the password goes in the child's `PGPASSWORD`.
struct BackupToolConnection: Sendable {
    /// `--dbname=…`, safe to show: it never holds the password.
    var dbnameArgument: String
    var environment: [String: String]

    init(_ connection: ConnectionString, connectTimeout: Int) {
        var options = connection.options.filter { $0.key != "password" }
        if connection["connect_timeout"] == nil { options.append(("connect_timeout", String(connectTimeout))) }
        dbnameArgument = "--dbname=" + ConnectionString(options: options).raw
        environment = connection["password"].map { ["PGPASSWORD": $0] } ?? [:]
    }
}
