import Foundation

/// Resolves host names before `PQconnectStartParams`, which would otherwise block on DNS:
/// the fan-out passes the address as `hostaddr` and keeps `host` for TLS and passfile lookup.
struct HostResolver {
    private var cache: [String: Result<String, PostgresError>] = [:]

    /// The address to pass as `hostaddr`, or nil when libpq needs no help (socket paths, IP
    /// literals, several hosts, `service` files, or `hostaddr` already set).
    mutating func address(for connection: ConnectionString) -> Result<String?, PostgresError> {
        guard connection["hostaddr"] == nil, let host = connection["host"], !host.isEmpty,
              !host.hasPrefix("/"), !host.hasPrefix("@"), !host.contains(","), !Self.isLiteralAddress(host)
        else { return .success(nil) }
        if let cached = cache[host] { return cached.map { $0 } }
        let resolved = Self.resolve(host)
        cache[host] = resolved
        return resolved.map { $0 }
    }

    static func isLiteralAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    private static func resolve(_ host: String) -> Result<String, PostgresError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            let reason = String(cString: gai_strerror(status))
            return .failure(PostgresError(kind: .connection, message: "could not translate host name \"\(host)\" to address: \(reason)"))
        }
        defer { freeaddrinfo(list) }
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let ok = getnameinfo(first.pointee.ai_addr, first.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST)
        guard ok == 0 else {
            return .failure(PostgresError(kind: .connection, message: "could not translate host name \"\(host)\" to address"))
        }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return .success(String(decoding: bytes, as: UTF8.self))
    }
}
