import Foundation
import GRDB

extension Store {
    /// Every row of every table, read in one snapshot.
    public func contents() throws -> StoreContents {
        try read { db in
            StoreContents(
                tables: try StoreTable.all.map { table in
                    let columns = table.columns.map(\.name).joined(separator: ", ")
                    let rows = try Row.fetchAll(db, sql: "SELECT \(columns) FROM \(table.name) ORDER BY rowid")
                    return (table, try rows.map { row in try Store.values(row, table) })
                })
        }
    }

    /// Loads every row into this store in one transaction; refuses a store that holds any row.
    public func load(_ contents: StoreContents) throws {
        try write { db in
            let counts = try Store.rowCounts(db)
            guard counts.values.allSatisfy({ $0 == 0 }) else { throw StoreError.targetNotEmpty(location.label, counts: counts) }
            for (table, rows) in contents.tables where !rows.isEmpty {
                let columns = table.columns.map(\.name)
                let statement = try db.makeStatement(
                    sql: "INSERT INTO \(table.name) (\(columns.joined(separator: ", "))) VALUES (\(databaseQuestionMarks(count: columns.count)))")
                for row in rows {
                    try statement.execute(arguments: StatementArguments(row.map(Store.databaseValue)))
                }
            }
        }
    }

    /// How many rows each table holds, by table name.
    public func rowCounts() throws -> [String: Int] {
        try read { db in try Store.rowCounts(db) }
    }

    static func rowCounts(_ db: Database) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in StoreTable.all {
            counts[table.name] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.name)") ?? 0
        }
        return counts
    }

    static func values(_ row: Row, _ table: StoreTable) throws -> [StoreValue] {
        var values: [StoreValue] = []
        values.reserveCapacity(table.columns.count)
        for (index, column) in table.columns.enumerated() {
            guard let value = storeValue(row[index], column.kind) else {
                throw StoreError("a value in \(table.name).\(column.name) is not a \(column.kind)")
            }
            values.append(value)
        }
        return values
    }

    /// One stored value as a `StoreValue` of `kind`; nil when it is not one.
    static func storeValue(_ value: DatabaseValue, _ kind: StoreTable.Kind) -> StoreValue? {
        if value.isNull { return .null }
        switch kind {
        case .integer:
            if let number = Int64.fromDatabaseValue(value) { return .integer(number) }
        case .real:
            if let number = Double.fromDatabaseValue(value) { return .real(number) }
        case .text:
            if let text = String.fromDatabaseValue(value) { return .text(text) }
        case .date:
            if let date = Date.fromDatabaseValue(value) { return .date(date) }
        case .bool:
            if let flag = Bool.fromDatabaseValue(value) { return .bool(flag) }
        }
        return nil
    }

    static func databaseValue(_ value: StoreValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .integer(let number): number.databaseValue
        case .real(let number): number.databaseValue
        case .text(let text): text.databaseValue
        case .date(let date): date.databaseValue
        case .bool(let flag): flag.databaseValue
        }
    }
}
