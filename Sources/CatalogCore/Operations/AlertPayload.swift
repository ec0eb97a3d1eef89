import CatalogStore
import Foundation

/// An incident that opened or cleared: what an alert reports.
public struct IncidentNotice: Sendable, Equatable {
    public var incident: IncidentRecord
    /// True when the incident cleared.
    public var resolved: Bool
}

/// The kinds of incident an alert can be sent for.
public enum AlertKind: String, Sendable, CaseIterable {
    case failure, stale
    case sizeChange = "size-change"
    case drift
    case diskSpace = "disk-space"

    /// Parses `--on failure,stale,size-change,drift`; an unknown kind is `bad_input`.
    public static func parseList(_ text: String) throws -> [AlertKind] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw CatalogError.usage("an alert needs at least one kind: \(allCases.map(\.rawValue).joined(separator: ","))") }
        return try names.map { name in
            guard let kind = AlertKind(rawValue: name) else {
                throw CatalogError.usage("unknown alert kind \"\(name)\"; use \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return kind
        }
    }

    /// Which hook kinds hear about an incident kind: disk-space is a failure to whoever hears failures.
    func covers(_ incidentKind: String) -> Bool {
        rawValue == incidentKind || (self == .failure && incidentKind == "disk-space")
    }
}

/// The JSON body of one alert: `text`, which a Slack incoming webhook shows as is, and the same
/// facts as fields. Built only from the incident, so it holds no DSN, password or webhook URL.
public enum AlertPayload {
    /// The body for a notice; `link` is the web page's Operations view when `serve --public-url` is set.
    public static func body(_ notice: IncidentNotice, link: String?) -> OrderedJSON {
        let incident = notice.incident
        let state = notice.resolved ? "resolved" : "open"
        let when = notice.resolved ? (incident.resolvedAt ?? incident.openedAt) : incident.openedAt
        let mark = notice.resolved ? "✅ resolved" : "❌"
        var text = "\(mark) catalog: \(incident.kind) on project \(incident.project)"
        if !incident.schedule.isEmpty { text += " (schedule \(incident.schedule))" }
        text += notice.resolved ? "" : ": \(incident.what)"
        if let link { text += " <\(link)>" }
        return .object([
            ("text", .string(text)),
            ("kind", .string(incident.kind)),
            ("state", .string(state)),
            ("project", .string(incident.project)),
            ("schedule", .text(incident.schedule.isEmpty ? nil : incident.schedule)),
            ("what", .string(incident.what)),
            ("when", .string(UTCStamp.iso(when))),
            ("opened_at", .string(UTCStamp.iso(incident.openedAt))),
            ("incident", .int(Int(incident.id))),
            ("link", .text(link)),
        ])
    }

    /// The body `alert test` sends.
    public static func test(link: String?) -> OrderedJSON {
        .object([
            ("text", .string("catalog: test alert; webhooks are working")),
            ("kind", .string("test")), ("state", .string("test")), ("when", .string(UTCStamp.iso(Date()))),
            ("link", .text(link)),
        ])
    }
}

extension UTCStamp {
    /// `2026-03-01T14:15:02Z`.
    static func iso(_ date: Date) -> String { string(date, format: "yyyy-MM-dd'T'HH:mm:ss'Z'") }
}

extension AlertHookRecord {
    /// The URL with its path and query hidden (the path is the credential): `https://hooks.example/****`.
    public var maskedURL: String { AlertHookRecord.mask(url) }

    public static func mask(_ url: String) -> String {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme, let host = parts.host else { return "****" }
        let port = parts.port.map { ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port)/****"
    }
}
