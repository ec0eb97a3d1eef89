import Foundation
import GRDB
import PostgresClient

extension PostgresStore {
    /// Runs the user's read-only query in SQLite's dialect, as on the SQLite store: the selected
    /// projects' rows of the documented relations (and their audit entries) are copied from the registry into an in-memory
    /// SQLite database (connection strings left out) and the statement runs there behind the same
    /// authorizer, so nothing else of the registry is reachable from it.
    public func federatedQuery(_ sql: String, projects: [String], timeout: Double?) throws -> SQLAnswer {
        let selected = PostgresArray.literal(projects.map { Optional($0) })
        let (projectRows, stateRows, tableRows, columnRows, auditRows) = try read { session in
            (
                try session.rows(
                    "SELECT id, name, status, server_version, created_at FROM project WHERE name = ANY($1::text[])", [selected]),
                try session.rows(
                    """
                    SELECT s.project_id, s.revision, s.metadata_version, s.fetched_at, s.incarnation, s.ctype
                    FROM index_state s JOIN project p ON p.id = s.project_id WHERE p.name = ANY($1::text[])
                    """, [selected]),
                try session.rows(
                    """
                    SELECT t.project_id, t.pg_schema, t.table_name, t.name_folded, t.relation_kind, t.graphql_type, t.label, t.description,
                           t.is_shared, t.shared_name, t.shared_version
                    FROM index_table t JOIN project p ON p.id = t.project_id WHERE p.name = ANY($1::text[])
                    """, [selected]),
                try session.rows(
                    """
                    SELECT c.project_id, c.pg_schema, c.table_name, c.relation_kind, c.pg_column, c.name_folded, c.pg_type, c.graphql_field,
                           c.label, c.description, c.is_nullable, c.validation_rules, c.position
                    FROM index_column c JOIN project p ON p.id = c.project_id WHERE p.name = ANY($1::text[])
                    """, [selected]),
                try session.rows(
                    "SELECT id, at, actor, action, target, result, detail, replica FROM audit_log WHERE target = ANY($1::text[])", [selected])
            )
        }
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue()
            try queue.write { db in
                for migration in Store.migrations { try db.execute(sql: migration.sql) }
                let project = try db.makeStatement(
                    sql: "INSERT INTO project (id, name, dsn, status, server_version, created_at) VALUES (?, ?, '', ?, ?, ?)")
                for row in projectRows {
                    try project.execute(arguments: [row.int64(0), row.string(1), row.string(2), row.optionalString(3), row.date(4)])
                }
                let state = try db.makeStatement(
                    sql: "INSERT INTO index_state (project_id, revision, metadata_version, fetched_at, incarnation, ctype) VALUES (?, ?, ?, ?, ?, ?)")
                for row in stateRows {
                    try state.execute(arguments: [row.int64(0), row.int64(1), row.int(2), row.date(3), row.optionalString(4), row.optionalString(5)])
                }
                let table = try db.makeStatement(
                    sql: """
                        INSERT INTO index_table (project_id, pg_schema, table_name, name_folded, relation_kind, graphql_type, label,
                            description, is_shared, shared_name, shared_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for row in tableRows {
                    try table.execute(arguments: [
                        row.int64(0), row.optionalString(1), row.string(2), row.string(3), row.optionalString(4), row.optionalString(5),
                        row.optionalString(6), row.optionalString(7), row.bool(8), row.optionalString(9), row.int(10),
                    ])
                }
                let column = try db.makeStatement(
                    sql: """
                        INSERT INTO index_column (project_id, pg_schema, table_name, relation_kind, pg_column, name_folded, pg_type,
                            graphql_field, label, description, is_nullable, validation_rules, position)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for row in columnRows {
                    try column.execute(arguments: [
                        row.int64(0), row.optionalString(1), row.string(2), row.optionalString(3), row.string(4), row.string(5),
                        row.optionalString(6), row.optionalString(7), row.optionalString(8), row.optionalString(9), row.bool(10),
                        row.optionalString(11), row.int(12),
                    ])
                }
                let audit = try db.makeStatement(
                    sql: "INSERT INTO audit_log (id, at, actor, action, target, result, detail, replica) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                for row in auditRows {
                    try audit.execute(arguments: [
                        row.int64(0), row.date(1), row.string(2), row.string(3), row.optionalString(4), row.string(5), row.optionalString(6),
                        row.optionalString(7),
                    ])
                }
            }
        } catch let error as DatabaseError {
            throw StoreError("cannot prepare the relations of catalog sql: \(error.message ?? "\(error.resultCode)")")
        }
        return try Store.federatedQuery(sql, projects: projects, timeout: timeout, on: queue)
    }
}
