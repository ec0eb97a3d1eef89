import Crypto
import Foundation

/// The hash a reviewed plan is applied by (`--expect-plan HASH`): SHA-256 of the plan's canonical
/// JSON (sorted keys), first 16 hex digits. Sync and metadata edits print it the same way.
enum PlanHash {
    static func of(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data()
        return SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
