import Foundation

/// Finds where a password may sit in a connection string that libpq may not have parsed, and
/// masks it in messages about that string. libpq quotes the fragment it could not parse
/// (`invalid percent-encoded token: "p%zzsecret"`), and that fragment may be the password.
///
/// The search is deliberately generous: when in doubt a fragment is masked, since these
/// messages are about strings that are already wrong.
enum ConnectionStringSecrets {
    /// `message` with every part of `raw` that may be a password replaced by `****`.
    /// `parsedPassword` is the password libpq found, when it parsed the string.
    static func mask(_ message: String, raw: String, parsedPassword: String? = nil) -> String {
        let secrets = (candidates(in: raw) + [parsedPassword].compactMap { $0 }).filter { !$0.isEmpty }
        guard !secrets.isEmpty else { return message }
        var masked = maskQuotedFragments(message, secrets: secrets)
        for secret in secrets.sorted(by: { $0.count > $1.count }) where secret.count >= 3 {
            masked = masked.replacingOccurrences(of: secret, with: "****")
        }
        return masked
    }

    /// Each `"…"` fragment that holds a secret, or is a piece of one, is masked.
    private static func maskQuotedFragments(_ message: String, secrets: [String]) -> String {
        var pieces = message.components(separatedBy: "\"")
        for index in stride(from: 1, to: pieces.count, by: 2) where !pieces[index].isEmpty {
            let fragment = pieces[index]
            if secrets.contains(where: { $0.contains(fragment) }) {
                pieces[index] = "****"
                continue
            }
            for secret in secrets where fragment.contains(secret) {
                pieces[index] = pieces[index].replacingOccurrences(of: secret, with: "****")
            }
        }
        return pieces.joined(separator: "\"")
    }

    /// The substrings of `raw` that may hold a password, in either form.
    static func candidates(in raw: String) -> [String] {
        let isURI = raw.hasPrefix("postgresql://") || raw.hasPrefix("postgres://")
        return isURI ? uriCandidates(raw) : keyValueCandidates(raw)
    }

    /// In a URI: everything between the first `:` of the user part and the last `@`, and the
    /// values of `password=` query parameters.
    private static func uriCandidates(_ raw: String) -> [String] {
        guard let schemeEnd = raw.range(of: "://") else { return [] }
        let rest = raw[schemeEnd.upperBound...]
        var found: [String] = []
        if let at = rest.lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
            found.append(String(rest[rest.index(after: colon)..<at]))
        }
        if let query = rest.firstIndex(of: "?") {
            for parameter in rest[rest.index(after: query)...].split(separator: "&") {
                let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if parts.count == 2, parts[0].lowercased().contains("password") { found.append(String(parts[1])) }
            }
        }
        return found
    }

    /// In key/value pairs: the value after each `password =`, quoted or not, up to the next
    /// `key=` (so a password with an unquoted space is masked whole).
    private static func keyValueCandidates(_ raw: String) -> [String] {
        var found: [String] = []
        var searchStart = raw.startIndex
        while let keyword = raw.range(of: "password", options: .caseInsensitive, range: searchStart..<raw.endIndex) {
            searchStart = keyword.upperBound
            var cursor = keyword.upperBound
            while cursor < raw.endIndex, raw[cursor].isWhitespace { cursor = raw.index(after: cursor) }
            guard cursor < raw.endIndex, raw[cursor] == "=" else { continue }
            cursor = raw.index(after: cursor)
            while cursor < raw.endIndex, raw[cursor].isWhitespace { cursor = raw.index(after: cursor) }
            let value = raw[cursor...]
            let end = value.range(of: #"\s+[A-Za-z_]+\s*="#, options: .regularExpression)?.lowerBound ?? raw.endIndex
            let text = String(raw[cursor..<end])
            found.append(text)
            if text.hasPrefix("'") { found.append(String(text.dropFirst())) }
        }
        return found
    }
}
