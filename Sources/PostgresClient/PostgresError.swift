import CLibPQ
import Foundation

/// The one error type of the PostgreSQL client: what failed, with the server's SQLSTATE, detail and hint.
///
/// Its description never contains a password: connection errors come from libpq, which does not
/// echo passwords, and bound values are never included.
public struct PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the failure happened.
    public enum Kind: String, Sendable {
        case connection
        case query
        case timeout
        /// libpq itself could not be loaded: nothing to do with any server or connection string.
        case clientLibrary
    }

    public var kind: Kind
    /// The five-character SQLSTATE, when the server sent one.
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?

    public init(kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
    }

    /// One line: the message, then detail and hint when present.
    public var description: String {
        var parts = [message]
        if let detail, !detail.isEmpty { parts.append("detail: \(detail)") }
        if let hint, !hint.isEmpty { parts.append("hint: \(hint)") }
        return parts.joined(separator: "; ")
    }

    /// True when the server says the relation or schema does not exist (SQLSTATE 42P01 / 3F000).
    public var isUndefinedObject: Bool { [SQLState.undefinedTable, SQLState.invalidSchemaName, SQLState.undefinedColumn].contains(sqlState) }

    /// True when the server could not be reached, refused us, or dropped the connection: the
    /// failures that say a project is down. An error in a statement the server ran (a bad regular
    /// expression, a missing table) says nothing about reachability.
    public var isReachabilityFailure: Bool {
        guard kind == .query, let sqlState else { return true }
        // 08: connection exception; 28: invalid authorization; 57P01–57P05: the server shut the session down.
        return sqlState.hasPrefix("08") || sqlState.hasPrefix("28") || sqlState.hasPrefix("57P")
    }

    /// Builds an error from a failed result's diagnostic fields.
    init(result: OpaquePointer) {
        func field(_ code: Int32) -> String? {
            guard let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        let primary =
            field(Int32(UInt8(ascii: "M")))
            ?? String(cString: PQresultErrorMessage(result)).trimmedLine
        self.init(
            kind: .query,
            sqlState: field(Int32(UInt8(ascii: "C"))),
            message: primary,
            detail: field(Int32(UInt8(ascii: "D"))),
            hint: field(Int32(UInt8(ascii: "H")))
        )
    }

    /// Builds an error from a connection's last libpq message.
    init(connection: OpaquePointer?, kind: Kind = .connection) {
        let raw = connection.flatMap { PQerrorMessage($0) }.map { String(cString: $0) } ?? "out of memory"
        self.init(kind: kind, message: raw.trimmedLine)
    }
}

extension String {
    /// libpq messages end in a newline and sometimes span lines; callers want one line.
    var trimmedLine: String {
        split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}
