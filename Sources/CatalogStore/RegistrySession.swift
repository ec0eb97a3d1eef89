import Foundation
import PostgresClient

/// One transaction on the registry: statements with bound values, and rows read by position.
struct RegistrySession {
    let connection: Connection

    /// Runs one statement with bound values; returns its rows.
    @discardableResult
    func execute(_ sql: String, _ parameters: [(any PostgresBindable)?] = []) throws -> QueryResult {
        try connection.query(sql, parameters)
    }

    /// Runs one statement and returns how many rows it changed (from its command tag, such as `UPDATE 3`).
    func changes(_ sql: String, _ parameters: [(any PostgresBindable)?] = []) throws -> Int {
        let tag = try execute(sql, parameters).commandTag
        return tag.split(separator: " ").last.flatMap { Int($0) } ?? 0
    }

    /// The rows of one query.
    func rows(_ sql: String, _ parameters: [(any PostgresBindable)?] = []) throws -> [RegistryRow] {
        try execute(sql, parameters).rows.map(RegistryRow.init)
    }

    /// The first row of one query, or nil.
    func row(_ sql: String, _ parameters: [(any PostgresBindable)?] = []) throws -> RegistryRow? {
        try rows(sql, parameters).first
    }

    /// Runs a script without parameters, such as a migration file.
    func script(_ sql: String) throws {
        try connection.execute(script: sql)
    }

    /// True when the registry's schema exists.
    func schemaExists() throws -> Bool {
        try row("SELECT to_regnamespace($1) IS NOT NULL", [PostgresStore.schema])?.bool(0) ?? false
    }

    /// The applied migrations, oldest first; nil when the registry has no ledger yet.
    func appliedMigrations() throws -> [String]? {
        let ledger = "\(PostgresStore.schema).\(PostgresStore.migrationsTable)"
        guard try row("SELECT to_regclass($1) IS NOT NULL", [ledger])?.bool(0) == true else { return nil }
        return try rows("SELECT identifier FROM \(PostgresStore.migrationsTable) ORDER BY identifier").map { $0.string(0) }
    }
}

/// One row of a registry query, in PostgreSQL's text format, read by position.
struct RegistryRow {
    let values: [String?]

    func optionalString(_ index: Int) -> String? { values[index] }
    func string(_ index: Int) -> String { values[index] ?? "" }
    func int64(_ index: Int) -> Int64? { values[index].flatMap { Int64($0) } }
    func int(_ index: Int) -> Int? { values[index].flatMap { Int($0) } }
    func double(_ index: Int) -> Double? { values[index].flatMap { Double($0) } }
    func bool(_ index: Int) -> Bool? {
        switch values[index] {
        case "t", "true": true
        case "f", "false": false
        default: nil
        }
    }
    func date(_ index: Int) -> Date? { values[index].flatMap(RegistryDate.parse) }
}
