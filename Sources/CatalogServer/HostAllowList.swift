import Foundation
import Hummingbird

/// The `Host` names this server answers to: the loopback names, `--host`, and each `--public-url`'s
/// host. A page on another name (DNS rebinding: `evil.example` re-pointed at 127.0.0.1) sends its
/// own name in `Host`, so its requests are refused before any route runs. Only the name is
/// compared: a browser can only send the port it actually connected to, so the port adds nothing.
struct HostAllowList: Sendable {
    /// Lower-case names, IPv6 literals in brackets (`[::1]`).
    let names: Set<String>

    init(host: String, publicURLs: [URL]) {
        var names: Set<String> = ["localhost", "127.0.0.1", "[::1]"]
        if !["0.0.0.0", "::", "[::]", ""].contains(host) { names.insert(Self.bracketed(host.lowercased())) }
        for url in publicURLs {
            if let name = url.host?.lowercased() { names.insert(Self.bracketed(name)) }
        }
        self.names = names
    }

    /// True when `authority` (the request's `Host`) names this server.
    func allows(_ authority: String?) -> Bool {
        guard let authority, let (name, _) = Self.split(authority) else { return false }
        return names.contains(name)
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

/// Refuses every request whose `Host` is not on the allow-list with 421, except `/healthz`, which
/// shows nothing and must answer probes that use the machine's own address.
struct HostCheckMiddleware: RouterMiddleware {
    typealias Context = CatalogRequestContext
    let allowList: HostAllowList

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path == "/healthz" || allowList.allows(request.head.authority) else {
            throw APIError(
                .misdirectedRequest, code: "unknown_host",
                message:
                    "this server does not answer to that Host name; open it as http://127.0.0.1:PORT, or start catalog serve with --public-url naming the address clients use"
            )
        }
        return try await next(request, context)
    }
}
