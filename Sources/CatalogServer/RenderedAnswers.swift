import CatalogCore
import Foundation
import Synchronization

/// Answers from memory, rendered once and kept while memory and the clock's second stay the same:
/// at N = 1000 a search's JSON is 1.4 MB, and building and rendering it was most of a memory
/// answer's time (perf, bench/README.md). The key is the search (target, name, match, case, the
/// selection), the memory's generation (every reload and every background check moves it) and the
/// whole second, so a source's `age_seconds` is never more than a second behind. Each request still
/// gets its own `age_ms`, spliced in front of the cached text.
final class RenderedAnswers: Sendable {
    private struct Entry {
        var generation: Int
        var second: Int
        var texts: [String: String]
    }

    private let entry = Mutex(Entry(generation: -1, second: -1, texts: [:]))
    /// The most distinct searches kept per generation and second.
    static let limit = 64

    /// The text for `key` at `generation` and `now`'s second, rendered by `render` when not kept.
    func text(key: String, generation: Int, now: Date, render: () throws -> String) rethrows -> String {
        let second = Int(now.timeIntervalSince1970)
        if let kept = entry.withLock({ $0.generation == generation && $0.second == second ? $0.texts[key] : nil }) { return kept }
        let text = try render()
        entry.withLock { entry in
            if entry.generation != generation || entry.second != second { entry = Entry(generation: generation, second: second, texts: [:]) }
            if entry.texts.count < Self.limit { entry.texts[key] = text }
        }
        return text
    }

    /// The cache key of a search: every input that shapes its answer.
    static func key(_ target: SearchQuery.Target, _ query: SearchQuery, _ selection: ProjectSelection) -> String {
        [
            "\(target)", "\(query.match)", "\(query.ignoreCase)", query.name, selection.names.joined(separator: "\u{1}"),
            selection.tags.joined(separator: "\u{1}"),
        ]
        .joined(separator: "\u{0}")
    }

    /// `text` (a rendered answer object without `age_ms`) with `age_ms` as its first key, where the
    /// sorted keys put it.
    static func withAge(_ text: String, milliseconds: Int?) -> String {
        guard let milliseconds, text.hasPrefix("{\n  ") else { return text }
        return "{\n  \"age_ms\" : \(milliseconds),\n  " + text.dropFirst(4)
    }
}
