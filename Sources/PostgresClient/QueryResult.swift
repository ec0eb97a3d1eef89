import CLibPQ

/// The rows a statement returned, copied out of libpq in text format so the `PGresult` can be freed at once.
public struct QueryResult: Sendable {
    public let columns: [String]
    public let rows: [[String?]]
    /// The command tag, such as `INSERT 0 3` or `SELECT 12`.
    public let commandTag: String
    private let index: [String: Int]

    public init(columns: [String], rows: [[String?]], commandTag: String = "") {
        self.columns = columns
        self.rows = rows
        self.commandTag = commandTag
        var index: [String: Int] = [:]
        for (position, name) in columns.enumerated() where index[name] == nil { index[name] = position }
        self.index = index
    }

    /// Copies every value out of a successful result.
    init(_ result: ResultHandle) {
        let pointer = result.pointer
        let columnCount = Int(PQnfields(pointer))
        let rowCount = Int(PQntuples(pointer))
        let columns = (0..<columnCount).map { String(cString: PQfname(pointer, Int32($0))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(pointer, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(pointer, Int32(row), Int32(column))))
                }
            }
            rows.append(values)
        }
        self.init(columns: columns, rows: rows, commandTag: String(cString: PQcmdStatus(pointer)))
    }

    /// The rows as named-value accessors.
    public var records: [Record] { rows.map { Record(values: $0, result: self) } }

    /// The position of a column, by name.
    public func columnIndex(_ name: String) -> Int? { index[name] }

    /// One row, with typed accessors by column name. NULL and a missing column both read as nil.
    public struct Record: Sendable {
        public let values: [String?]
        let result: QueryResult

        public subscript(_ column: String) -> String? {
            guard let position = result.columnIndex(column) else { return nil }
            return values[position]
        }

        public func int(_ column: String) -> Int? { self[column].flatMap { Int($0) } }

        /// PostgreSQL prints booleans as `t` and `f` in text format.
        public func bool(_ column: String) -> Bool? {
            switch self[column] {
            case "t", "true": true
            case "f", "false": false
            default: nil
            }
        }

        public func double(_ column: String) -> Double? { self[column].flatMap { Double($0) } }
    }
}

/// Owns one `PGresult*` and clears it when released; a result is never shared after it is copied out.
final class ResultHandle {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { PQclear(pointer) }

    var status: ExecStatusType { PQresultStatus(pointer) }

    /// Copies the rows out, or throws the server's error with its SQLSTATE, detail and hint.
    func checked() throws -> QueryResult {
        switch status {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return QueryResult(self)
        default:
            throw PostgresError(result: pointer)
        }
    }
}
