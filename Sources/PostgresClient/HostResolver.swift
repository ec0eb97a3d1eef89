import Foundation

/// Resolves host names before `PQconnectStartParams`, which would otherwise block on DNS:
/// the fan-out passes the address as `hostaddr` and keeps `host` for TLS and passfile lookup.
struct HostResolver {
    private var cache: [String: Result<[String], PostgresError>] = [:]

    /// Every address of the host, in the resolver's order (libpq tries them all, and so do we), or
    /// nil when libpq needs no help (socket paths, IP literals, several hosts, `service` files, or
    /// `hostaddr` already set).
    mutating func addresses(for connection: ConnectionString) -> Result<[String]?, PostgresError> {
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

    private static func resolve(_ host: String) -> Result<[String], PostgresError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let list else {
            let reason = String(cString: gai_strerror(status))
            return .failure(PostgresError(kind: .connection, message: "could not translate host name \"\(host)\" to address: \(reason)"))
        }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = list
        while let entry = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !addresses.contains(text) { addresses.append(text) }
            }
            cursor = entry.pointee.ai_next
        }
        guard !addresses.isEmpty else {
            return .failure(PostgresError(kind: .connection, message: "could not translate host name \"\(host)\" to address"))
        }
        return .success(addresses)
    }
}
