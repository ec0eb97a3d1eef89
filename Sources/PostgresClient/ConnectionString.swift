import CLibPQ
import Foundation

/// A libpq connection string, URI or key/value, validated by libpq itself (`PQconninfoParse`).
///
/// Everything libpq accepts is accepted: `passfile`, `service` and the `PG*` environment variables
/// are left to libpq. The password is kept for connecting and never printed: `masked` replaces it.
public struct ConnectionString: Sendable, Hashable, CustomStringConvertible {
    /// The string exactly as the user gave it. Never print this.
    public let raw: String
    /// The options the user set, in libpq's keyword order.
    public let options: [(key: String, value: String)]

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.raw == rhs.raw }
    public func hash(into hasher: inout Hasher) { hasher.combine(raw) }

    /// Parses `raw` with libpq; throws a one-line error, without the password, if libpq refuses it.
    /// libpq quotes the part it could not parse, so the message is masked by `ConnectionStringSecrets`.
    public init(_ raw: String) throws {
        let trimmed = Self.trimmingSpaces(raw)
        guard !trimmed.isEmpty else {
            throw PostgresError(
                kind: .connection,
                message:
                    "the connection string is empty; give a URI such as 'postgresql://user@host:5432/dbname' or key/value pairs such as 'host=... dbname=...'"
            )
        }
        try LibPQLoading.ensureLoaded()
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(trimmed, &errorMessage) else {
            let reason = errorMessage.map { String(cString: $0).trimmedLine } ?? "out of memory"
            if let errorMessage { PQfreemem(errorMessage) }
            let message = ConnectionStringSecrets.mask("invalid connection string: \(reason)", raw: trimmed)
            throw PostgresError(kind: .connection, message: message)
        }
        // PQconninfoParse returns an array terminated by a NULL keyword; free it with PQconninfoFree.
        defer { PQconninfoFree(parsed) }
        var options: [(key: String, value: String)] = []
        var cursor = parsed
        while let keyword = cursor.pointee.keyword {
            if let value = cursor.pointee.val {
                options.append((String(cString: keyword), String(cString: value)))
            }
            cursor += 1
        }
        self.raw = trimmed
        self.options = options
        do {
            try validate()
        } catch let error as PostgresError {
            throw PostgresError(
                kind: error.kind, message: ConnectionStringSecrets.mask(error.message, raw: trimmed, parsedPassword: self["password"]))
        }
    }

    /// `raw.trimmingCharacters(in: .whitespaces)` without Foundation's character sets, which cost
    /// 4 % of a fresh search: it parses every project's DSN. The set is Foundation's on Linux, read
    /// off `CharacterSet.whitespaces` scalar by scalar: tab, the space separators (Zs) and U+200B.
    static func trimmingSpaces(_ raw: String) -> String {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
            default: false
            }
        }
        let scalars = raw.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return raw }
        return String(scalars[first...last])
    }

    /// libpq checks some values only when connecting; check them now so a bad DSN is refused at once.
    private func validate() throws {
        if let ports = self["port"] {
            for port in ports.split(separator: ",", omittingEmptySubsequences: false) {
                guard let number = Int(port), (1...65535).contains(number) else {
                    throw PostgresError(kind: .connection, message: "invalid connection string: invalid port number \"\(port)\"")
                }
            }
        }
        if let sslmode = self["sslmode"], !["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(sslmode) {
            throw PostgresError(
                kind: .connection,
                message:
                    "invalid connection string: invalid sslmode value \"\(sslmode)\"; use disable, allow, prefer, require, verify-ca or verify-full")
        }
        if let timeout = self["connect_timeout"], Int(timeout) == nil {
            throw PostgresError(kind: .connection, message: "invalid connection string: invalid connect_timeout value \"\(timeout)\"")
        }
    }

    /// The value of one option the user set, such as `host` or `dbname`.
    public subscript(key: String) -> String? {
        options.first { $0.key == key }?.value
    }

    /// True if the user wrote a URI (`postgresql://…`) rather than key/value pairs.
    public var isURI: Bool { raw.hasPrefix("postgresql://") || raw.hasPrefix("postgres://") }

    /// The string with any password replaced by `****`, in the form the user wrote it.
    public var masked: String {
        isURI ? maskedURI : maskedKeyValue
    }

    /// A short `user@host:port/dbname` label for tables; never includes the password.
    public var server: String {
        let host = self["host"] ?? self["hostaddr"] ?? (self["service"].map { "service=\($0)" } ?? "local")
        let port = self["port"].map { ":\($0)" } ?? ""
        let user = self["user"].map { "\($0)@" } ?? ""
        let database = self["dbname"].map { "/\($0)" } ?? ""
        return "\(user)\(host)\(port)\(database)"
    }

    public var description: String { masked }

    /// The database name the string selects, if it names one.
    public var databaseName: String? { self["dbname"] }

    /// The same connection pointed at another database on the same server (for maintenance work).
    public func replacing(_ key: String, with value: String) -> ConnectionString {
        var copy = options.filter { $0.key != key }
        copy.append((key, value))
        return ConnectionString(options: copy)
    }

    /// Builds a key/value connection string from options; values are quoted as libpq expects.
    public init(options: [(key: String, value: String)]) {
        self.options = options
        self.raw = options.map { "\($0.key)=\(Self.quoteValue($0.value))" }.joined(separator: " ")
    }

    private var maskedKeyValue: String {
        options.map { option in
            let value = option.key == "password" ? "****" : Self.quoteValue(option.value)
            return "\(option.key)=\(value)"
        }.joined(separator: " ")
    }

    private var maskedURI: String {
        var authority = ""
        if let user = self["user"] { authority += percentEncode(user) }
        if self["password"] != nil { authority += ":****" }
        if !authority.isEmpty { authority += "@" }
        let hosts = (self["host"] ?? "").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let ports = (self["port"] ?? "").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let hostList = hosts.enumerated().map { index, host -> String in
            let shownHost = host.hasPrefix("/") ? percentEncode(host) : (host.contains(":") ? "[\(host)]" : host)
            let port = index < ports.count ? ports[index] : (ports.count == 1 ? ports[0] : "")
            return port.isEmpty ? shownHost : "\(shownHost):\(port)"
        }.joined(separator: ",")
        var uri = "postgresql://\(authority)\(hostList)"
        if let database = self["dbname"] { uri += "/\(percentEncode(database))" }
        let rest = options.filter { !["user", "password", "host", "port", "dbname"].contains($0.key) }
        if !rest.isEmpty {
            uri += "?" + rest.map { "\($0.key)=\(percentEncode($0.value, keeping: "/:,"))" }.joined(separator: "&")
        }
        return uri
    }

    private func percentEncode(_ text: String, keeping extra: String = "") -> String {
        var out = ""
        for byte in text.utf8 {
            let scalar = Character(Unicode.Scalar(byte))
            if byte < 0x80, scalar.isLetter || scalar.isNumber || ("-._~" + extra).contains(scalar) {
                out.append(scalar)
            } else {
                out += "%" + String(format: "%02X", byte)
            }
        }
        return out
    }

    static func quoteValue(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "'" || $0 == "\\" || $0 == "=" }
        guard needsQuotes else { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        return "'\(escaped)'"
    }
}
