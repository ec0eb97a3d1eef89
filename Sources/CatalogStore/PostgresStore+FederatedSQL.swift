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
        // Compiled once over empty relations: the index tables and columns it reads; by name if it does not compile.
        let reads = FederatedSQLReads.of(sql)
        let named = FederatedRelations(naming: sql)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue()
            try queue.write { db in
                for migration in Store.migrations { try db.execute(sql: migration.sql) }
                // The index tables' indexes are built once after the load, which is cheaper than row by row, and
                // the same as the store file's, so statements get the same plans; no relation shows name_folded.
                let indexes = try Row.fetchAll(
                    db,
                    sql:
                        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('index_table', 'index_column') AND sql IS NOT NULL"
                )
                for index in indexes { try db.execute(sql: "DROP INDEX \"\(index["name"] as String)\"") }
                try read { session in
                    try Self.copyProjects(selected, from: session, into: db)
                    if reads?.uses("index_table") ?? named.tables {
                        try Self.copyIndex(
                            "index_table", columns: Self.indexTableColumns.filter { reads?.columns(of: "tables")?.contains($0) ?? true },
                            selected, from: session, into: db)
                    }
                    if reads?.uses("index_column") ?? named.columns {
                        try Self.copyIndex(
                            "index_column", columns: Self.indexColumnColumns.filter { reads?.columns(of: "columns")?.contains($0) ?? true },
                            selected, from: session, into: db)
                    }
                    if reads?.uses("audit_log") ?? named.audit { try Self.copyAudit(selected, from: session, into: db) }
                }
                for index in indexes where !(index["name"] as String).hasSuffix("_by_folded") { try db.execute(sql: index["sql"] as String) }
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
        let audit = try db.makeStatement(
            sql: "INSERT INTO audit_log (id, at, actor, action, target, result, detail, replica) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        let rows = try session.rows(
            "SELECT id, at, actor, action, target, result, detail, replica FROM audit_log WHERE target = ANY($1::text[])", [selected])
        for row in rows {
            try audit.execute(arguments: [
                row.int64(0), row.date(1), row.string(2), row.string(3), row.optionalString(4), row.string(5), row.optionalString(6),
                row.optionalString(7),
            ])
        }
    }

    /// The columns of the index tables the documented relations show (project_id is always copied).
    static let indexTableColumns = [
        "pg_schema", "table_name", "relation_kind", "graphql_type", "label", "description", "is_shared", "shared_name", "shared_version",
    ]
    static let indexColumnColumns = [
        "pg_schema", "table_name", "relation_kind", "pg_column", "pg_type", "graphql_field", "label", "description", "is_nullable",
        "validation_rules", "position",
    ]

    /// Copies the selected projects' rows of the index table `table`, with only `columns` (fixed
    /// names, never the statement's text) besides project_id; a NOT NULL column left out is ''.
    private static func copyIndex(_ table: String, columns: [String], _ selected: String, from session: RegistrySession, into db: Database) throws {
        let copied = ["project_id"] + columns
        let blank = ["table_name", "pg_column", "name_folded"].filter { !copied.contains($0) && (table == "index_column" || $0 != "pg_column") }
        let query = """
            SELECT \(copied.map { "x.\($0)" }.joined(separator: ", "))
            FROM \(table) x JOIN project p ON p.id = x.project_id WHERE p.name = ANY($1::text[])
            """
        let insert = """
            INSERT INTO \(table) (\((copied + blank).joined(separator: ", ")))
            VALUES (\((copied.map { _ in "?" } + blank.map { _ in "''" }).joined(separator: ", ")))
            """
        let booleans = Set(copied.indices.filter { ["is_nullable", "is_shared"].contains(copied[$0]) })
        try copyRows(query, selected, from: session, into: insert, booleans: booleans, on: db)
    }

    /// Moves every row of `query` into SQLite through the prepared `insert`, binding libpq's text
    /// bytes as they are (the table's INTEGER affinity makes integers of integer texts), and the
    /// values at the positions in `booleans` (PostgreSQL's `t`/`f`) as 1 and 0.
    private static func copyRows(
        _ query: String, _ selected: String, from session: RegistrySession, into insert: String, booleans: Set<Int>, on db: Database
    ) throws {
        let connection = db.sqliteConnection
        var prepared: OpaquePointer?
        guard sqlite3_prepare_v2(connection, insert, -1, &prepared, nil) == SQLITE_OK, let statement = prepared else {
            throw DatabaseError(resultCode: ResultCode(rawValue: sqlite3_errcode(connection)), message: String(cString: sqlite3_errmsg(connection)))
        }
        defer { sqlite3_finalize(statement) }
        var isBoolean: [Bool] = []
        try session.connection.forEachRawRow(Query(query, [selected])) { row in
            if isBoolean.isEmpty { isBoolean = (0..<row.count).map(booleans.contains) }
            for column in 0..<row.count {
                let position = Int32(column + 1)
                guard let value = row.value(column) else {
                    sqlite3_bind_null(statement, position)
                    continue
                }
                if isBoolean[column] {
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

/// Which of the store's tables a `catalog sql` statement can read, judged from its text (when it
/// does not compile, so ``FederatedSQLReads`` cannot say): a
/// relation is loaded when its name occurs anywhere in the statement with ASCII letters folded (as
/// SQLite folds identifiers), so a name in a string or a comment loads more than needed, never less.
/// `projects` (the selected projects and their index states) is always loaded.
struct FederatedRelations: Equatable {
    var tables: Bool
    var columns: Bool
    var audit: Bool

    init(naming sql: String) {
        func names(_ name: String) -> Bool { Self.mentions(name, in: sql) }
        // shared_tables and shared_columns read the index's tables too.
        columns = names("columns")
        tables = names("tables") || names("shared_columns")
        audit = names("audit")
    }

    /// True when `word` (lowercase ASCII) occurs anywhere in `sql` with its ASCII letters folded.
    static func mentions(_ word: String, in sql: String) -> Bool {
        let folded = sql.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }
        let pattern = Array(word.utf8)
        guard folded.count >= pattern.count else { return false }
        return (0...(folded.count - pattern.count)).contains { start in folded[start..<(start + pattern.count)].elementsEqual(pattern) }
    }
}
