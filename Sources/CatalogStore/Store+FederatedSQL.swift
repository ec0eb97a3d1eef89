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
    /// The relations `catalog sql` offers, restricted to the selected projects. Each documented view
    /// reads a private one named with this query's `tag` (see ``FederatedSQLAuthorizer``). The
    /// selected projects are copied into a small temp table first; the index views join it on
    /// columns that are not row ids, so SQLite always sees a column read from each index table.
    static func federatedViews(tag: String) -> String {
        """
        CREATE TEMP TABLE "\(tag)_projects" (
            id INTEGER NOT NULL PRIMARY KEY, project TEXT NOT NULL, status TEXT, server_version TEXT,
            metadata_version INTEGER, revision INTEGER, fetched_at TEXT) WITHOUT ROWID;
        INSERT INTO temp."\(tag)_projects"
            SELECT p.id, p.name, p.status, p.server_version, s.metadata_version, s.revision, s.fetched_at
            FROM main.project p LEFT JOIN main.index_state s ON s.project_id = p.id
            WHERE p.name IN (SELECT value FROM json_each(?));
        CREATE TEMP VIEW "\(tag)_tables" AS
            SELECT p.project, t.pg_schema, t.table_name, t.relation_kind, t.graphql_type, t.label, t.description,
                   t.is_shared, t.shared_name, t.shared_version
            FROM main.index_table t JOIN temp."\(tag)_projects" p ON p.id = t.project_id;
        CREATE TEMP VIEW "\(tag)_columns" AS
            SELECT p.project, c.pg_schema, c.table_name, c.relation_kind, c.pg_column, c.pg_type, c.graphql_field,
                   c.label, c.description, c.is_nullable, c.validation_rules, c.position
            FROM main.index_column c JOIN temp."\(tag)_projects" p ON p.id = c.project_id;
        CREATE TEMP VIEW "\(tag)_audit" AS
            SELECT a.at, a.actor, a.action, a.target, a.result, a.detail, a.replica
            FROM main.audit_log a JOIN temp."\(tag)_projects" p ON p.project = a.target;
        CREATE TEMP VIEW projects AS
            SELECT project, status, server_version, metadata_version, revision, fetched_at FROM temp."\(tag)_projects";
        CREATE TEMP VIEW tables AS SELECT * FROM temp."\(tag)_tables";
        CREATE TEMP VIEW columns AS SELECT * FROM temp."\(tag)_columns";
        CREATE TEMP VIEW audit AS SELECT * FROM temp."\(tag)_audit";
        CREATE TEMP VIEW shared_tables AS
            SELECT * FROM temp.tables WHERE is_shared;
        CREATE TEMP VIEW shared_columns AS
            SELECT c.*, t.shared_name, t.shared_version FROM temp.columns c
            JOIN temp.shared_tables t ON t.project = c.project AND t.pg_schema IS c.pg_schema AND t.table_name = c.table_name;
        SELECT count(*) FROM json_tree('[]');
        """
    }

    /// Runs one read-only statement over the federated relations on a read-only connection.
    /// Anything that is not a read is refused before it runs; with a `timeout`, a statement still
    /// running after that many seconds is interrupted.
    public func federatedQuery(_ sql: String, projects: [String], timeout: Double?) throws -> SQLAnswer {
        let queue: DatabaseQueue
        do {
            queue = try Store.readOnlyQueue(location.path)
        } catch let error as DatabaseError {
            throw Store.describe(error, path: location.path)
        }
        return try Store.federatedQuery(sql, projects: projects, timeout: timeout, on: queue)
    }

    /// Runs one read-only statement over the federated relations of a connection that holds the
    /// store's tables (the store file, or the in-memory copy a PostgreSQL store makes).
    static func federatedQuery(_ sql: String, projects: [String], timeout: Double?, on queue: DatabaseQueue) throws -> SQLAnswer {
        // An infinite or absurd limit means none; DispatchTime traps on values it cannot hold.
        let interruption = timeout.flatMap { $0.isFinite && $0 > 0 && $0 < 1e7 ? $0 : nil }.map { seconds in
            let item = DispatchWorkItem { queue.interrupt() }
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: item)
            return item
        }
        defer { interruption?.cancel() }
        do {
            return try answer(sql, projects: projects, on: queue)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
            throw StoreError(
                .timedOut, "the SQL ran longer than \(String(format: "%g", timeout ?? 0)) s and was stopped; narrow it with a WHERE or a LIMIT")
        }
    }

    private static func answer(_ sql: String, projects: [String], on queue: DatabaseQueue) throws -> SQLAnswer {
        let tag = "catalog_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return try queue.inDatabase { db in
            // json_each and json_tree are set up here, before the authorizer: their first use
            // on a connection writes their schema entry, which a statement may not do.
            try db.execute(sql: Store.federatedViews(tag: tag), arguments: [try Store.jsonArray(projects)])
            let names = try String.fetchAll(db, sql: "SELECT lower(name) FROM main.sqlite_master UNION SELECT lower(name) FROM temp.sqlite_master")
            let authorizer = FederatedSQLAuthorizer(
                tag: tag, schemaNames: Set(names + ["sqlite_master", "sqlite_schema", "sqlite_temp_master", "sqlite_temp_schema"]))
            return try withExtendedLifetime(authorizer) {
                authorizer.install(on: db)
                defer { authorizer.uninstall(from: db) }
                return try Store.run(sql, on: db, refusal: { authorizer.refusal })
            }
        }
    }

    /// Compiles `sql` under the installed authorizer, refuses anything but a query, and fetches its rows.
    private static func run(_ sql: String, on db: Database, refusal: () -> String?) throws -> SQLAnswer {
        let relations = "the relations are projects, tables, columns, shared_tables, shared_columns and audit"
        let statement: Statement
        do {
            statement = try db.makeStatement(sql: sql)
        } catch let error as DatabaseError {
            throw StoreError(.refused, "the SQL was refused: \(refusal() ?? error.message ?? "\(error.resultCode)"); \(relations)")
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
