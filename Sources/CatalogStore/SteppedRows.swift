import GRDB
import GRDBSQLite

/// A prepared statement stepped by hand, each row's values read straight from SQLite's own buffers:
/// no `Row`, no `DatabaseValue`, no C-string scan. For the reads that go over thousands of index
/// rows (a fleet's search matches, a lint's columns), where GRDB's per-value conversions cost more
/// than SQLite's work.
struct SteppedRows {
    /// Binds `arguments`, steps `statement` to its end calling `body` for each row, and resets it.
    /// A failed step throws the database's own error.
    static func forEach(
        _ statement: Statement, arguments: StatementArguments = [], in db: Database, _ body: (SteppedRow) throws -> Void
    ) throws {
        try statement.setArguments(arguments)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        while true {
            let status = sqlite3_step(handle)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: status), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            try body(SteppedRow(handle: handle))
        }
    }
}

/// The current row of a ``SteppedRows`` statement; valid only inside its `body`.
struct SteppedRow {
    let handle: OpaquePointer

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// The integer, or nil for NULL.
    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : sqlite3_column_int64(handle, column) }

    /// The integer, or nil for NULL.
    func optionalInt(_ column: Int32) -> Int? { optionalInt64(column).map(Int.init) }

    /// The value as a boolean (non-zero is true), or nil for NULL.
    func optionalBool(_ column: Int32) -> Bool? { isNull(column) ? nil : sqlite3_column_int64(handle, column) != 0 }

    /// The value's text as SQLite holds it, or nil for NULL; the bytes are SQLite's until the next step.
    func bytes(_ column: Int32) -> UnsafeRawBufferPointer? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        return UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(handle, column)))
    }

    /// The value as text, or nil for NULL. Malformed UTF-8 is repaired, as `String(cString:)` does.
    func text(_ column: Int32) -> String? {
        bytes(column).map { String(decoding: $0, as: UTF8.self) }
    }
}
