import Foundation
import Hummingbird
import Synchronization

/// The `Host` names this server answers to: the loopback names and `--host` on the port it listens
/// on, and each `--public-url`. A page on another name (DNS rebinding: `evil.example` re-pointed at
/// 127.0.0.1) sends its own name in `Host`, so its requests are refused before any route runs.
struct HostAllowList: Sendable {
    /// One accepted `Host` name and the port that must come with it.
    struct Entry: Sendable, Equatable {
        /// Lower-case, IPv6 literals in brackets (`[::1]`).
        var name: String
        /// nil: the port this server listens on. Otherwise the URL's port, or its scheme's default.
        var port: Int?
        /// True when `Host` may leave the port out (a public URL on its scheme's default port).
        var portMayBeOmitted: Bool
    }

    let entries: [Entry]
    /// The port bound, once the server is running (a configured port of 0 is only known then).
    let listening: ListeningPort

    init(host: String, publicURLs: [URL], listening: ListeningPort) {
        var entries = ["localhost", "127.0.0.1", "[::1]"].map { Entry(name: $0, port: nil, portMayBeOmitted: false) }
        if !["0.0.0.0", "::", "[::]", ""].contains(host) {
            let name = Self.bracketed(host.lowercased())
            if !entries.contains(where: { $0.name == name }) { entries.append(Entry(name: name, port: nil, portMayBeOmitted: false)) }
        }
        for url in publicURLs {
            guard let name = url.host?.lowercased() else { continue }
            let standard = url.scheme?.lowercased() == "https" ? 443 : 80
            entries.append(Entry(name: Self.bracketed(name), port: url.port ?? standard, portMayBeOmitted: (url.port ?? standard) == standard))
        }
        self.entries = entries
        self.listening = listening
    }

    /// True when `authority` (the request's `Host`) names this server.
    func allows(_ authority: String?) -> Bool {
        guard let authority, let (name, port) = Self.split(authority) else { return false }
        let listeningPort = listening.port
        return entries.contains { entry in
            guard entry.name == name else { return false }
            guard let expected = entry.port ?? listeningPort else { return true }
            if let port { return port == expected }
            return entry.portMayBeOmitted || (entry.port == nil && expected == 80)
        }
    }

    /// An example address to open, for the refusal message.
    var example: String {
        "http://127.0.0.1" + (listening.port.map { ":\($0)" } ?? "")
    }

    /// `name[:port]` split, the name lower-cased; nil when the port is not a number.
    static func split(_ authority: String) -> (String, Int?)? {
        let lowered = authority.lowercased()
        let name: Substring
        let rest: Substring
        if lowered.hasPrefix("[") {
            guard let close = lowered.firstIndex(of: "]") else { return nil }
            name = lowered[...close]
            rest = lowered[lowered.index(after: close)...]
        } else if let colon = lowered.firstIndex(of: ":") {
            name = lowered[..<colon]
            rest = lowered[colon...]
        } else {
            return (lowered, nil)
        }
        if rest.isEmpty { return (String(name), nil) }
        guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (0...65535).contains(port) else { return nil }
        return (String(name), port)
    }

    /// IPv6 literals as they appear in `Host`: in brackets.
    static func bracketed(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }
}

/// The port the server listens on: the configured one, or the one the system picked for port 0.
final class ListeningPort: Sendable {
    private let value: Mutex<Int?>

    init(configured: Int) {
        value = Mutex(configured == 0 ? nil : configured)
    }

    /// nil until a server configured with port 0 is running.
    var port: Int? { value.withLock { $0 } }

    /// Records the bound port once the socket is open.
    func bound(_ port: Int?) {
        guard let port else { return }
        value.withLock { $0 = port }
    }
}

/// Refuses every request whose `Host` is not on the allow-list with 421, except `/healthz`, which
/// shows nothing and must answer probes that use the machine's own address.
struct HostCheckMiddleware: RouterMiddleware {
    typealias Context = CatalogRequestContext
    let allowList: HostAllowList

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path == "/healthz" || allowList.allows(request.head.authority) else {
            throw APIError(
                .misdirectedRequest, code: "unknown_host",
                message: "this server does not answer to that Host name; open it as \(allowList.example), or start catalog serve with --public-url naming the address clients use")
        }
        return try await next(request, context)
    }
}
