import CatalogCore
import PostgresClient

/// Removes secrets from messages about a connection string the caller sent. libpq quotes the
/// part of a malformed string it could not parse, and that part may hold the password.
enum SecretScrubber {
    /// `message` with the DSN's password, and any quoted fragment taken from the DSN, replaced by `****`.
    static func scrub(_ message: String, dsn: String) -> String {
        var scrubbed = message
        if let password = (try? ConnectionString(dsn))?["password"], !password.isEmpty {
            scrubbed = scrubbed.replacingOccurrences(of: password, with: "****")
        }
        for fragment in quotedFragments(in: scrubbed) where fragment.count >= 3 && dsn.contains(fragment) {
            scrubbed = scrubbed.replacingOccurrences(of: "\"\(fragment)\"", with: "\"****\"")
        }
        if dsn.count >= 3 { scrubbed = scrubbed.replacingOccurrences(of: dsn, with: "****") }
        return scrubbed
    }

    private static func quotedFragments(in text: String) -> [String] {
        text.split(separator: "\"", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }
}
