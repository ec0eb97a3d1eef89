/// A value that can be bound to a query parameter, sent in PostgreSQL's text format.
public protocol PostgresBindable: Sendable {
    /// The text PostgreSQL parses for this value.
    var postgresText: String { get }
}

extension String: PostgresBindable { public var postgresText: String { self } }
extension Int: PostgresBindable { public var postgresText: String { String(self) } }
extension Int64: PostgresBindable { public var postgresText: String { String(self) } }
extension Int32: PostgresBindable { public var postgresText: String { String(self) } }
extension Double: PostgresBindable { public var postgresText: String { String(self) } }
extension Bool: PostgresBindable { public var postgresText: String { self ? "true" : "false" } }

/// One SQL statement and the values bound to its `$n` parameters. Values are never pasted into SQL.
public struct Query: Sendable, CustomStringConvertible {
    public var sql: String
    public var parameters: [String?]

    public init(_ sql: String, _ parameters: [(any PostgresBindable)?] = []) {
        self.sql = sql
        self.parameters = parameters.map { $0?.postgresText }
    }

    /// The SQL only: bound values print as `****`, as postgres-nio does, so logs never carry them.
    public var description: String {
        parameters.isEmpty ? sql : "\(sql) -- \(parameters.count) bound value(s): " + parameters.map { _ in "****" }.joined(separator: ", ")
    }
}

extension Array where Element == String? {
    /// Calls `body` with a C array of NUL-terminated copies of the strings (NULL for nil), valid only inside `body`.
    func withCStringArray<R>(_ body: ([UnsafePointer<CChar>?]) throws -> R) rethrows -> R {
        let copies: [UnsafeMutablePointer<CChar>?] = map { value in value.map { strdup($0)! } }
        defer { copies.forEach { free($0) } }
        return try body(copies.map { $0.map { UnsafePointer($0) } })
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
