import Foundation
import GRDB

/// One value of a `catalog sql` answer.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

/// The columns and rows a read-only statement returned.
public struct SQLAnswer: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[SQLValue]]
}

extension Store {
    /// The relations `catalog sql` offers, as views over the index restricted to the selected projects.
    static let federatedViews = """
        CREATE TEMP VIEW projects AS
            SELECT p.name AS project, p.status AS status, p.server_version, s.metadata_version, s.revision, s.fetched_at
            FROM main.project p JOIN temp.selected_project sp ON sp.id = p.id
            LEFT JOIN main.index_state s ON s.project_id = p.id;
        CREATE TEMP VIEW tables AS
            SELECT p.name AS project, t.pg_schema, t.table_name, t.relation_kind, t.graphql_type, t.label, t.description,
                   t.is_shared, t.shared_name, t.shared_version
            FROM main.index_table t JOIN main.project p ON p.id = t.project_id JOIN temp.selected_project sp ON sp.id = p.id;
        CREATE TEMP VIEW columns AS
            SELECT p.name AS project, c.pg_schema, c.table_name, c.relation_kind, c.pg_column, c.pg_type, c.graphql_field,
                   c.label, c.description, c.is_nullable, c.validation_rules, c.position
            FROM main.index_column c JOIN main.project p ON p.id = c.project_id JOIN temp.selected_project sp ON sp.id = p.id;
        CREATE TEMP VIEW shared_tables AS
            SELECT * FROM temp.tables WHERE is_shared;
        CREATE TEMP VIEW shared_columns AS
            SELECT c.*, t.shared_name, t.shared_version FROM temp.columns c
            JOIN temp.shared_tables t ON t.project = c.project AND t.pg_schema IS c.pg_schema AND t.table_name = c.table_name;
        """

    /// Runs one read-only statement over the federated relations on a read-only connection.
    /// Anything that is not a read is refused before it runs; with a `timeout`, a statement still
    /// running after that many seconds is interrupted.
    public func federatedQuery(_ sql: String, projects: [String], timeout: Double? = nil) throws -> SQLAnswer {
        var configuration = Configuration()
        configuration.readonly = true
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: location.path, configuration: configuration)
        } catch let error as DatabaseError {
            throw Store.describe(error, path: location.path)
        }
        let interruption = timeout.map { seconds in
            let item = DispatchWorkItem { queue.interrupt() }
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: item)
            return item
        }
        defer { interruption?.cancel() }
        do {
            return try answer(sql, projects: projects, on: queue)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
            throw StoreError(.timedOut, "the SQL ran longer than \(String(format: "%g", timeout ?? 0)) s and was stopped; narrow it with a WHERE or a LIMIT")
        }
    }

    private func answer(_ sql: String, projects: [String], on queue: DatabaseQueue) throws -> SQLAnswer {
        try queue.inDatabase { db in
            try db.execute(sql: "CREATE TEMP TABLE selected_project (id INTEGER PRIMARY KEY)")
            try db.execute(sql: "INSERT INTO temp.selected_project SELECT id FROM main.project WHERE name IN (SELECT value FROM json_each(?))",
                           arguments: [try Store.jsonArray(projects)])
            try db.execute(sql: Store.federatedViews)
            let statement: Statement
            do {
                statement = try db.makeStatement(sql: sql)
            } catch let error as DatabaseError {
                throw StoreError(.refused, "the SQL was refused: \(error.message ?? "\(error.resultCode)"); the relations are projects, tables, columns, shared_tables and shared_columns")
            }
            // sqlite3_stmt_readonly is true for ATTACH, DETACH and BEGIN too, so also require a query keyword.
            let keyword = sql.drop { $0.isWhitespace || $0 == "(" }.prefix { $0.isLetter }.uppercased()
            guard statement.isReadonly, ["SELECT", "WITH", "VALUES", "EXPLAIN"].contains(keyword) else {
                throw StoreError(.refused, "catalog sql runs reads only (SELECT, WITH … SELECT); this statement would write or change settings")
            }
            let columns = statement.columnNames
            let rows = try Row.fetchAll(statement).map { row in
                Array(row.databaseValues).map { value -> SQLValue in
                    switch value.storage {
                    case .null: .null
                    case .int64(let number): .integer(number)
                    case .double(let number): .real(number)
                    case .string(let text): .text(text)
                    case .blob(let data): .text(data.map { String(format: "%02x", $0) }.joined())
                    }
                }
            }
            return SQLAnswer(columns: columns, rows: rows)
        }
    }
}
