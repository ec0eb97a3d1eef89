import Foundation
import PostgresClient

extension PostgresStore {
    /// Every row of every table, read in one snapshot.
    public func contents() throws -> StoreContents {
        try read { session in
            StoreContents(
                tables: try StoreTable.all.map { table in
                    let columns = table.columns.map(\.name).joined(separator: ", ")
                    let rows = try session.rows("SELECT \(columns) FROM \(table.name) ORDER BY 1")
                    return (table, try rows.map { row in try Self.values(row, table) })
                })
        }
    }

    /// Loads every row into this registry in one transaction (a table's rows a few thousand at a time,
    /// bound as arrays), then moves each id sequence past the copied ids; refuses a registry that holds any row.
    public func load(_ contents: StoreContents) throws {
        for (table, rows) in contents.tables where ["project", "lifecycle_pending"].contains(table.name) {
            guard let dsn = table.columns.firstIndex(where: { $0.name == "dsn" }),
                let name = table.columns.firstIndex(where: { $0.name == (table.name == "project" ? "name" : "project") })
            else { continue }
            for row in rows {
                guard case .text(let connection) = row[dsn], case .text(let project) = row[name] else { continue }
                try Self.refusePassword(connection, project: project)
            }
        }
        try write { session in
            let counts = try Self.rowCounts(session)
            guard counts.values.allSatisfy({ $0 == 0 }) else { throw StoreError.targetNotEmpty(location.label, counts: counts) }
            for (table, rows) in contents.tables where !rows.isEmpty {
                let names = table.columns.map(\.name).joined(separator: ", ")
                let arrays = table.columns.enumerated().map { index, column in "$\(index + 1)::\(Self.arrayType(column.kind))" }
                let sql = "INSERT INTO \(table.name) (\(names)) SELECT * FROM unnest(\(arrays.joined(separator: ", ")))"
                var start = 0
                while start < rows.count {
                    let chunk = rows[start..<min(start + 2000, rows.count)]
                    let parameters: [(any PostgresBindable)?] = table.columns.indices.map { index in
                        PostgresArray.literal(chunk.map { Self.text($0[index]) })
                    }
                    try session.execute(sql, parameters)
                    start += chunk.count
                }
            }
            for table in contents.tables.map(\.table) where table.hasIdentity {
                try session.execute(
                    "SELECT setval(pg_get_serial_sequence($1, 'id'), (SELECT coalesce(max(id), 0) + 1 FROM \(table.name)), false)",
                    ["\(Self.schema).\(table.name)"])
            }
        }
    }

    /// How many rows each table holds, by table name.
    public func rowCounts() throws -> [String: Int] {
        try read { session in try Self.rowCounts(session) }
    }

    static func rowCounts(_ session: RegistrySession) throws -> [String: Int] {
        let counts = StoreTable.all.map { "(SELECT count(*) FROM \($0.name))" }.joined(separator: ", ")
        let row = try session.row("SELECT \(counts)")
        var result: [String: Int] = [:]
        for (index, table) in StoreTable.all.enumerated() { result[table.name] = row?.int(index) ?? 0 }
        return result
    }

    static func arrayType(_ kind: StoreTable.Kind) -> String {
        switch kind {
        case .integer: "bigint[]"
        case .real: "float8[]"
        case .text: "text[]"
        case .date: "timestamptz[]"
        case .bool: "boolean[]"
        }
    }

    /// A value in PostgreSQL's text format.
    static func text(_ value: StoreValue) -> String? {
        switch value {
        case .null: nil
        case .integer(let number): String(number)
        case .real(let number): String(number)
        case .text(let text): text
        case .date(let date): RegistryDate(date).postgresText
        case .bool(let flag): flag ? "t" : "f"
        }
    }

    static func values(_ row: RegistryRow, _ table: StoreTable) throws -> [StoreValue] {
        var values: [StoreValue] = []
        values.reserveCapacity(table.columns.count)
        for (index, column) in table.columns.enumerated() {
            guard let value = storeValue(row, index, column.kind) else {
                throw StoreError("a value in \(table.name).\(column.name) is not a \(column.kind)")
            }
            values.append(value)
        }
        return values
    }

    /// One column of a row as a `StoreValue` of `kind`; nil when it is not one.
    static func storeValue(_ row: RegistryRow, _ index: Int, _ kind: StoreTable.Kind) -> StoreValue? {
        guard let text = row.optionalString(index) else { return .null }
        switch kind {
        case .integer:
            if let number = Int64(text) { return .integer(number) }
        case .real:
            if let number = Double(text) { return .real(number) }
        case .text:
            return .text(text)
        case .date:
            if let date = RegistryDate.parse(text) { return .date(date) }
        case .bool:
            if let flag = row.bool(index) { return .bool(flag) }
        }
        return nil
    }
}
