import CLibPQ

/// One row of a result read in place: each value is libpq's own text-format bytes, valid only
/// while the `forEachRawRow` call that handed out the row runs. For a caller that moves many rows
/// straight into another C library without making a Swift string of every value.
public struct RawRow {
    let pointer: OpaquePointer
    let row: Int32
    /// How many values the row has.
    public let count: Int

    /// The bytes of value `column` (not NUL-terminated in the count, but followed by a NUL), or
    /// nil for NULL.
    public func value(_ column: Int) -> UnsafeBufferPointer<CChar>? {
        guard PQgetisnull(pointer, row, Int32(column)) == 0, let start = PQgetvalue(pointer, row, Int32(column)) else { return nil }
        return UnsafeBufferPointer(start: start, count: Int(PQgetlength(pointer, row, Int32(column))))
    }
}

extension Connection {
    /// Runs one statement with bound parameters and hands each row of its answer to `body` in
    /// place, in order; returns how many rows there were. Nothing of a row may outlive `body`.
    @discardableResult
    public func forEachRawRow(_ query: Query, _ body: (RawRow) throws -> Void) throws -> Int {
        let raw = query.parameters.withCStringArray { values in
            PQexecParams(handle, query.sql, Int32(values.count), nil, values, nil, nil, 0)
        }
        guard let raw else { throw PostgresError(connection: handle, kind: .query) }
        let result = ResultHandle(raw)
        guard result.status == PGRES_TUPLES_OK else { throw PostgresError(result: result.pointer) }
        return try withExtendedLifetime(result) {
            let rows = PQntuples(result.pointer)
            let count = Int(PQnfields(result.pointer))
            for row in 0..<rows { try body(RawRow(pointer: result.pointer, row: row, count: count)) }
            return Int(rows)
        }
    }
}
