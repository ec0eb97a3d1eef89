import CatalogCore
import Foundation
import PostgresClient

/// Which database servers the API may register projects on, checked before anything connects.
///
/// A token holder must not turn `catalog serve` into a probe or a proxy: registering a DSN for an
/// arbitrary host, a unix socket, or the serve host's own credentials (`passfile`, `service`) and
/// then exporting it would dump any database the serve host can reach. So the API accepts only
/// servers named by `--allow-hosts`, or those that already hold a registered project (same host and
/// port); local DSNs need `--allow-local-dsn`. The CLI is not restricted.
struct ProjectServerPolicy: Sendable {
    /// One `--allow-hosts` entry: a host, with a port or any port.
    struct Server: Sendable, Equatable, CustomStringConvertible {
        /// Lower-case, IPv6 literals without brackets.
        var host: String
        /// nil: any port on the host.
        var port: Int?

        /// Parses `HOST[:PORT]` (`[::1]:5432` for IPv6); nil when it is not one.
        init?(_ text: String) {
            guard let (name, port) = HostAllowList.split(text.trimmingCharacters(in: .whitespaces)), !name.isEmpty,
                !name.hasPrefix("/"), port.map({ $0 >= 1 }) ?? true
            else { return nil }
            host = Self.unbracketed(name)
            self.port = port
        }

        init(host: String, port: Int?) {
            self.host = Self.unbracketed(host.lowercased())
            self.port = port
        }

        var description: String {
            let shown = host.contains(":") ? "[\(host)]" : host
            return port.map { "\(shown):\($0)" } ?? shown
        }

        static func unbracketed(_ host: String) -> String {
            host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        }
    }

    /// The servers `--allow-hosts` names.
    var allowed: [Server]
    /// `--allow-local-dsn`: unix sockets, `passfile` and `service` are accepted too.
    var allowLocal: Bool

    /// Throws 403 unless a project with `dsn` may be registered through the API, given the DSNs of
    /// the projects already registered. Only parses; never connects.
    func check(_ dsn: String, registered: [String]) throws {
        let connection: ConnectionString
        do {
            connection = try ConnectionString(dsn)
        } catch {
            throw APIError.badRequest(SecretScrubber.scrub(CatalogError.wrap(error).message, dsn: dsn))
        }
        if !allowLocal, let problem = Self.localProblem(connection) {
            throw APIError(
                .forbidden, code: "server_not_allowed",
                message: "\(problem), which the API does not accept; use host=NAME port=PORT, or start catalog serve with --allow-local-dsn")
        }
        let known = registered.compactMap { try? ConnectionString($0) }.flatMap(Self.endpoints)
        for endpoint in Self.endpoints(connection) {
            let permitted =
                known.contains(endpoint)
                || allowed.contains { $0.host == endpoint.host && ($0.port == nil || $0.port == endpoint.port) }
            guard permitted else {
                throw APIError(
                    .forbidden, code: "server_not_allowed",
                    message:
                        "the API may register projects only on servers that already hold one, or on those named by catalog serve --allow-hosts; \(endpoint) is neither (the CLI's 'catalog project add' is not restricted)"
                )
            }
        }
    }

    /// Why the DSN would use the serve host's own sockets or credential files, or nil.
    static func localProblem(_ connection: ConnectionString) -> String? {
        if connection["service"] != nil { return "the DSN names a service from the serve host's service file" }
        if connection["passfile"] != nil { return "the DSN names a password file on the serve host" }
        let hosts = list(connection["host"])
        let addresses = list(connection["hostaddr"])
        if hosts.isEmpty && addresses.isEmpty { return "the DSN names no host, so it would use a unix socket on the serve host" }
        for (index, host) in hosts.enumerated() where host.hasPrefix("/") || host.hasPrefix("@") || host.isEmpty {
            if index < addresses.count, !addresses[index].isEmpty { continue }
            return "the DSN names a unix socket on the serve host"
        }
        return nil
    }

    /// Every TCP host and port the connection may reach: each `host` and `hostaddr` entry with its
    /// port (libpq's rules: one port for all, or one per host; 5432 when none). Sockets are left to
    /// `localProblem`.
    static func endpoints(_ connection: ConnectionString) -> [Server] {
        let hosts = list(connection["host"])
        let addresses = list(connection["hostaddr"])
        let ports = list(connection["port"]).map { Int($0) }
        let count = max(hosts.count, addresses.count)
        return (0..<count).flatMap { index -> [Server] in
            let port = (ports.count == 1 ? ports[0] : (index < ports.count ? ports[index] : nil)) ?? 5432
            return [index < hosts.count ? hosts[index] : "", index < addresses.count ? addresses[index] : ""]
                .filter { !$0.isEmpty && !$0.hasPrefix("/") && !$0.hasPrefix("@") }
                .map { Server(host: $0, port: port) }
        }
    }

    private static func list(_ value: String?) -> [String] {
        guard let value, !value.isEmpty else { return [] }
        return value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
