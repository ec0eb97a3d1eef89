import Foundation
import GRDB
import GRDBSQLite
import PostgresClient

extension PostgresStore {
    /// Runs the user's read-only query in SQLite's dialect, as on the SQLite store: the selected
    /// projects' rows of the documented relations the statement names (and their audit entries) are
    /// copied from the registry into an in-memory SQLite database (connection strings left out) and
    /// the statement runs there behind the same authorizer, so nothing else of the registry is
    /// reachable from it. The index rows go straight from libpq's buffers into one prepared insert
    /// per table, in one transaction, without a Swift value per field.
    public func federatedQuery(_ sql: String, projects: [String], timeout: Double?) throws -> SQLAnswer {
        let selected = PostgresArray.literal(projects.map { Optional($0) })
        let named = FederatedRelations(naming: sql)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue()
            try queue.write { db in
                for migration in Store.migrations { try db.execute(sql: migration.sql) }
                // No documented relation shows name_folded: its indexes would only slow the copy down.
                try db.execute(sql: "DROP INDEX index_table_by_folded; DROP INDEX index_column_by_folded")
                try read { session in
                    try Self.copyProjects(selected, from: session, into: db)
                    if named.tables {
                        try Self.copyRows(
                            """
                            SELECT t.project_id, t.pg_schema, t.table_name, t.relation_kind, t.graphql_type, t.label, t.description,
                                   t.is_shared, t.shared_name, t.shared_version
                            FROM index_table t JOIN project p ON p.id = t.project_id WHERE p.name = ANY($1::text[])
                            """, selected, from: session,
                            into: """
                                INSERT INTO index_table (project_id, pg_schema, table_name, relation_kind, graphql_type, label,
                                    description, is_shared, shared_name, shared_version, name_folded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')
                                """, booleans: [7], on: db)
                    }
                    if named.columns {
                        try Self.copyRows(
                            """
                            SELECT c.project_id, c.pg_schema, c.table_name, c.relation_kind, c.pg_column, c.pg_type, c.graphql_field,
                                   c.label, c.description, c.is_nullable, c.validation_rules, c.position
                            FROM index_column c JOIN project p ON p.id = c.project_id WHERE p.name = ANY($1::text[])
                            """, selected, from: session,
                            into: """
                                INSERT INTO index_column (project_id, pg_schema, table_name, relation_kind, pg_column, pg_type,
                                    graphql_field, label, description, is_nullable, validation_rules, position, name_folded)
                                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')
                                """, booleans: [9], on: db)
                    }
                    if named.audit { try Self.copyAudit(selected, from: session, into: db) }
                }
            }
        } catch let error as DatabaseError {
            throw StoreError("cannot prepare the relations of catalog sql: \(error.message ?? "\(error.resultCode)")")
        }
        return try Store.federatedQuery(sql, projects: projects, timeout: timeout, on: queue)
    }

    /// The selected projects and their index states (no connection strings): every relation reads them.
    private static func copyProjects(_ selected: String, from session: RegistrySession, into db: Database) throws {
        let project = try db.makeStatement(
            sql: "INSERT INTO project (id, name, dsn, status, server_version, created_at) VALUES (?, ?, '', ?, ?, ?)")
        for row in try session.rows("SELECT id, name, status, server_version, created_at FROM project WHERE name = ANY($1::text[])", [selected]) {
            try project.execute(arguments: [row.int64(0), row.string(1), row.string(2), row.optionalString(3), row.date(4)])
        }
        let state = try db.makeStatement(
            sql: "INSERT INTO index_state (project_id, revision, metadata_version, fetched_at, incarnation, ctype) VALUES (?, ?, ?, ?, ?, ?)")
        let states = try session.rows(
            """
            SELECT s.project_id, s.revision, s.metadata_version, s.fetched_at, s.incarnation, s.ctype
            FROM index_state s JOIN project p ON p.id = s.project_id WHERE p.name = ANY($1::text[])
            """, [selected])
        for row in states {
            try state.execute(arguments: [row.int64(0), row.int64(1), row.int(2), row.date(3), row.optionalString(4), row.optionalString(5)])
        }
    }

    /// The audit entries whose target is a selected project.
    private static func copyAudit(_ selected: String, from session: RegistrySession, into db: Database) throws {
        let audit = try db.makeStatement(sql: "INSERT INTO audit_log (id, at, actor, action, target, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?)")
        for row in try session.rows("SELECT id, at, actor, action, target, result, detail FROM audit_log WHERE target = ANY($1::text[])", [selected]) {
            try audit.execute(arguments: [
                row.int64(0), row.date(1), row.string(2), row.string(3), row.optionalString(4), row.string(5), row.optionalString(6),
            ])
        }
    }

    /// Moves every row of `query` into SQLite through the prepared `insert`, binding libpq's text
    /// bytes as they are (the table's INTEGER affinity makes integers of integer texts), and the
    /// values at `booleans` (PostgreSQL's `t`/`f`) as 1 and 0.
    private static func copyRows(
        _ query: String, _ selected: String, from session: RegistrySession, into insert: String, booleans: Set<Int>, on db: Database
    ) throws {
        let connection = db.sqliteConnection
        var prepared: OpaquePointer?
        guard sqlite3_prepare_v2(connection, insert, -1, &prepared, nil) == SQLITE_OK, let statement = prepared else {
            throw DatabaseError(resultCode: ResultCode(rawValue: sqlite3_errcode(connection)), message: String(cString: sqlite3_errmsg(connection)))
        }
        defer { sqlite3_finalize(statement) }
        try session.connection.forEachRawRow(Query(query, [selected])) { row in
            for column in 0..<row.count {
                let position = Int32(column + 1)
                guard let value = row.value(column) else {
                    sqlite3_bind_null(statement, position)
                    continue
                }
                if booleans.contains(column) {
                    sqlite3_bind_int64(statement, position, value.first == CChar(UInt8(ascii: "t")) ? 1 : 0)
                } else {
                    // SQLITE_STATIC: the bytes stay where they are until the step below has run.
                    sqlite3_bind_text(statement, position, value.baseAddress, Int32(value.count), nil)
                }
            }
            let code = sqlite3_step(statement)
            sqlite3_reset(statement)
            guard code == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
            }
        }
    }
}

/// Which of the store's tables a `catalog sql` statement can read, judged from its text: a
/// relation is loaded when its name occurs anywhere in the statement with ASCII letters folded (as
/// SQLite folds identifiers), so a name in a string or a comment loads more than needed, never less.
/// `projects` (the selected projects and their index states) is always loaded.
struct FederatedRelations: Equatable {
    var tables: Bool
    var columns: Bool
    var audit: Bool

    init(naming sql: String) {
        let folded = sql.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }
        func names(_ name: String) -> Bool {
            let pattern = Array(name.utf8)
            guard folded.count >= pattern.count else { return false }
            return (0...(folded.count - pattern.count)).contains { start in folded[start..<(start + pattern.count)].elementsEqual(pattern) }
        }
        // shared_tables and shared_columns read the index's tables too.
        columns = names("columns")
        tables = names("tables") || names("shared_columns")
        audit = names("audit")
    }
}
