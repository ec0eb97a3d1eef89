import AsyncHTTPClient
import CatalogStore
import Foundation
import NIOCore
import NIOHTTP1

/// Sends one JSON POST to a webhook and waits, at most `timeout` seconds, for a 2xx answer. Runs
/// on the caller's thread (a thread of catalog's own, never Swift's cooperative pool, nor one of
/// the HTTP client's event loops). Errors name the webhook only masked.
///
/// AsyncHTTPClient (SwiftNIO, TLS through its own BoringSSL) rather than `URLSession`: linking
/// FoundationNetworking loaded libcurl and about 20 shared libraries at every start of `catalog`.
enum WebhookDelivery {
    static func post(_ body: String, to url: String, timeout: Double) throws {
        let masked = AlertHookRecord.mask(url)
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? "") else {
            throw CatalogError.usage("webhook \(masked) is not an http or https URL")
        }
        let status: UInt
        do {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "User-Agent", value: "catalog")
            let request = try HTTPClient.Request(url: url, method: .POST, headers: headers, body: .bytes(Array(body.utf8)))
            let deadline = NIODeadline.now() + .milliseconds(Int64((timeout * 1000).rounded(.up)))
            status = try HTTPClient.shared.execute(request: request, deadline: deadline).wait().status.code
        } catch let error as HTTPClientError where [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(error) {
            throw CatalogError(.timedOut, "webhook \(masked) did not answer within \(String(format: "%g", timeout)) s")
        } catch {
            let reason = Self.reason(error).replacingOccurrences(of: url, with: masked)
            throw CatalogError(.unreachable, "webhook \(masked) could not be reached: \(reason)")
        }
        guard (200..<300).contains(status) else {
            throw CatalogError(.unreachable, "webhook \(masked) answered HTTP \(status); check the URL")
        }
    }

    /// A short reason: the HTTP client's own wording for its errors, the system's for the rest
    /// (such as a refused connection).
    private static func reason(_ error: Error) -> String {
        if let error = error as? HTTPClientError { return error.shortDescription }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        return String(describing: error)
    }
}

/// Sends alerts on threads of its own: a slow or failing webhook never holds up a job. Each
/// delivery tries `attempts` times, `attemptTimeout` seconds each, waiting 1 s, 2 s, 4 s… between.
public final class AlertDispatcher: @unchecked Sendable {
    /// The web page's address, for the link in each alert.
    public let link: String?
    let attempts: Int
    let attemptTimeout: Double
    let backoff: Double
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var counts: (sent: Int, failed: Int) = (0, 0)
    private let log: (@Sendable (String) -> Void)?

    /// `publicURL` is `serve --public-url`; `log` hears one masked line per failed delivery.
    public init(
        publicURL: String?, attempts: Int = 3, attemptTimeout: Double = 5, backoff: Double = 1, log: (@Sendable (String) -> Void)? = nil
    ) {
        link = publicURL.map { $0.hasSuffix("/") ? "\($0)#operations" : "\($0)/#operations" }
        self.attempts = attempts
        self.attemptTimeout = attemptTimeout
        self.backoff = backoff
        self.log = log
    }

    /// Alerts delivered and given up on since start.
    public var delivered: (sent: Int, failed: Int) { lock.withLock { counts } }

    /// Sends each notice to every hook that hears its kind, in the background.
    public func send(_ notices: [IncidentNotice], hooks: [AlertHookRecord]) {
        for hook in hooks {
            let kinds = hook.kinds.compactMap(AlertKind.init(rawValue:))
            let bodies = notices.filter { notice in kinds.contains { $0.covers(notice.incident.kind) } }
                .map { AlertPayload.body($0, link: link).rendered }
            guard !bodies.isEmpty else { continue }
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                for body in bodies { deliver(body, to: hook) }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func deliver(_ body: String, to hook: AlertHookRecord) {
        var wait = backoff
        for attempt in 1...max(1, attempts) {
            do {
                try WebhookDelivery.post(body, to: hook.url, timeout: attemptTimeout)
                lock.withLock { counts.sent += 1 }
                return
            } catch {
                if attempt == attempts {
                    lock.withLock { counts.failed += 1 }
                    log?("alert \(hook.id ?? 0) not delivered after \(attempts) attempts: \(CatalogError.wrap(error).message)")
                    return
                }
                Thread.sleep(forTimeInterval: wait)
                wait *= 2
            }
        }
    }

    /// Waits for the deliveries under way, at most `seconds`; true when all ended.
    @discardableResult
    public func wait(seconds: Double) -> Bool {
        group.wait(timeout: .now() + seconds) == .success
    }
}

extension Catalog {
    /// Records a webhook for the given kinds. The URL must be http(s) with a host; it is never shown whole again.
    @discardableResult
    public func addAlert(webhook url: String, on kinds: [AlertKind], now: Date = Date()) throws -> AlertHookRecord {
        guard let parts = URLComponents(string: url), ["http", "https"].contains(parts.scheme?.lowercased() ?? ""), parts.host?.isEmpty == false
        else {
            throw CatalogError.usage("a webhook must be an http or https URL with a host, such as https://hooks.slack.com/services/T0/B0/X")
        }
        let entry = AuditEntry(
            action: "alert.add", target: nil, result: "ok", detail: "\(AlertHookRecord.mask(url)) on \(kinds.map(\.rawValue).joined(separator: ","))")
        return try wrapped { try store.insertAlertHook(AlertHookRecord(url: url, kinds: kinds.map(\.rawValue), createdAt: now), audit: entry) }
    }

    /// Every webhook; show them through `maskedURL`.
    public func alerts() throws -> [AlertHookRecord] {
        try wrapped { try store.alertHooks() }
    }

    /// Forgets a webhook.
    public func removeAlert(id: Int64) throws {
        let entry = AuditEntry(action: "alert.remove", target: "alert \(id)", result: "ok")
        guard try wrapped({ try store.deleteAlertHook(id: id, audit: entry) }) else {
            throw CatalogError(.notFound, "no alert has the id \(id); 'catalog alert list' shows them")
        }
    }

    /// Sends a test alert to one webhook once, bounded by `timeout`; an unreachable or failing hook throws one line.
    public func testAlert(id: Int64, publicURL: String? = nil, timeout: Double = 5) throws {
        guard let hook = try alerts().first(where: { $0.id == id }) else {
            throw CatalogError(.notFound, "no alert has the id \(id); 'catalog alert list' shows them")
        }
        let link = AlertDispatcher(publicURL: publicURL).link
        try WebhookDelivery.post(AlertPayload.test(link: link).rendered, to: hook.url, timeout: timeout)
    }

    /// The open incidents (or all, newest first).
    public func incidents(openOnly: Bool = true, limit: Int = 200) throws -> [IncidentRecord] {
        try wrapped { try store.incidents(openOnly: openOnly, limit: limit) }
    }
}
