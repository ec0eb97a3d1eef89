import CatalogCore
import Foundation
import Hummingbird

/// `GET /api/v1/search/columns` and `/search/tables`: the CLI's `find-column` and `find-table`,
/// in the CLI's JSON shape. Fresh by default: from memory when the background check
/// (`--refresh-interval`) completed at most one interval ago (`"checked": "background"`, with its
/// `age_ms`); otherwise, or with `fresh=request`, one revision query per server at request time,
/// then the index answers for the projects their server confirms unchanged and the rest are read
/// (`"checked": "request"`). Each source's `freshness` says which. When the store cannot be read,
/// memory answers, marked `"stale": true` with the reason. `live=true` reads every project;
/// `cached=true` only the index.
struct SearchRoutes {
    /// How a default search establishes freshness.
    enum Fresh: String, CaseIterable {
        /// From memory when the background check is recent enough, else at request time.
        case auto
        /// At request time, always.
        case request
    }

    let backend: CatalogBackend

    func register(on routes: RouterGroup<CatalogRequestContext>) {
        routes.get("search/columns") { request, _ in try await search(.column, request) }
        routes.get("search/tables") { request, _ in try await search(.table, request) }
    }

    func search(_ target: SearchQuery.Target, _ request: Request) async throws -> Response {
        let parameters = QueryParameters(request)
        let name = try parameters.required("name", example: target == .column ? "email" : "users")
        let match: MatchMode = try parameters.choice("match", default: .exact)
        let query: SearchQuery
        do {
            query = try SearchQuery(target, name: name, match: match, ignoreCase: try parameters.flag("ignore_case"))
            if try parameters.flag("cached") { try query.checkCachedEvaluation() }
        } catch let error as CatalogError {
            throw APIError.badRequest(APIAdvice.message(for: error), code: match == .regex ? "invalid_regex" : "bad_request")
        }
        let selection = ProjectSelection(names: parameters.all("project"), tags: parameters.all("tag"))
        let cached = try parameters.flag("cached")
        let live = try parameters.flag("live")
        let fresh: Fresh = try parameters.choice("fresh", default: .auto)
        let result: SearchResult
        if cached {
            result = try await backend.blocking { catalog in try catalog.search(query, in: selection, cached: true) }
        } else if live {
            result = try await backend.fanOut { catalog, options in
                try catalog.search(query, in: selection, cached: false, live: true, options: options)
            }
            backend.metrics.recordOutcomes(sources: result.sources, failures: result.failures)
        } else {
            if let text = kept(target, query, selection, fresh: fresh) { return JSONBody.response(text: text) }
            let answer = try await freshSearch(query, selection, fresh: fresh)
            // Memory answers contacted no project: only what was read is counted.
            if answer.checked == "request" { backend.metrics.recordOutcomes(sources: answer.result.sources, failures: answer.result.failures) }
            return JSONBody.response(text: answer.rendered(target: target))
        }
        return JSONBody.response(bytes: SearchJSON.renderedBytes(result, target: target, advice: APIAdvice.words(for:)))
    }

    /// The answer from memory, rendered once per memory generation and second (`RenderedAnswers`),
    /// when the background check is recent enough and the store could be read; nil otherwise.
    func kept(_ target: SearchQuery.Target, _ query: SearchQuery, _ selection: ProjectSelection, fresh: Fresh) -> String? {
        guard fresh == .auto, let interval = backend.configuration.refreshInterval else { return nil }
        let snapshot = backend.memory.snapshot
        let now = Date()
        guard snapshot.isLoaded, snapshot.registryProblem == nil, let age = snapshot.checkAge(now: now), age <= interval else { return nil }
        let text = try? backend.rendered.text(key: RenderedAnswers.key(target, query, selection), generation: snapshot.generation, now: now) {
            var answer = try fromMemory(query, selection, snapshot, now: now, stale: nil)
            answer.ageMilliseconds = nil
            return answer.rendered(target: target)
        }
        return text.map { RenderedAnswers.withAge($0, milliseconds: Int(age * 1000)) }
    }

    /// A default search: from memory when it may, else checked at request time; from memory marked
    /// stale when the store cannot be read.
    func freshSearch(_ query: SearchQuery, _ selection: ProjectSelection, fresh: Fresh) async throws -> FreshAnswer {
        let memory = backend.configuration.refreshInterval.map { _ in backend.memory.snapshot }
        if fresh == .auto, let interval = backend.configuration.refreshInterval, let snapshot = memory, snapshot.isLoaded {
            let now = Date()
            if let problem = snapshot.registryProblem, let answer = try? fromMemory(query, selection, snapshot, now: now, stale: problem) {
                return answer
            }
            if let age = snapshot.checkAge(now: now), age <= interval, let answer = try? fromMemory(query, selection, snapshot, now: now, stale: nil)
            {
                return answer
            }
        }
        do {
            let result = try await backend.fanOut { catalog, options in
                try catalog.search(query, in: selection, cached: false, live: false, options: options)
            }
            return FreshAnswer(result: result, checked: "request")
        } catch let error as CatalogError where [.unreachable, .failed].contains(error.code) {
            // The store could not be read: memory answers, if it holds anything, saying so.
            guard let snapshot = memory, snapshot.isLoaded,
                let answer = try? fromMemory(query, selection, snapshot, now: Date(), stale: APIAdvice.message(for: error))
            else { throw error }
            return answer
        }
    }

    private func fromMemory(
        _ query: SearchQuery, _ selection: ProjectSelection, _ snapshot: IndexMemory.Snapshot, now: Date, stale: String?
    ) throws -> FreshAnswer {
        let result = try backend.catalog.search(query, in: selection, memory: snapshot)
        return FreshAnswer(
            result: result, checked: "background", ageMilliseconds: snapshot.checkAge(now: now).map { Int($0 * 1000) }, stale: stale)
    }
}

/// A default search's answer, and how its freshness was established: the CLI's JSON with
/// `checked` (`background` or `request`), the background check's `age_ms`, and `stale` with its
/// `stale_reason` when the store could not be read.
struct FreshAnswer {
    var result: SearchResult
    var checked: String
    var ageMilliseconds: Int?
    var stale: String?

    /// The answer as the API prints it, streamed: the search's fields with these around them, in key order.
    func rendered(target: SearchQuery.Target) -> String {
        var stream = JSONStream()
        stream.beginObject()
        if let ageMilliseconds { stream.field("age_ms", int: ageMilliseconds) }
        stream.field("checked", string: checked)
        SearchJSON.writeFields(result, target: target, now: Date(), advice: APIAdvice.words(for:), into: &stream)
        if let stale {
            stream.field("stale", bool: true)
            stream.field("stale_reason", string: stale)
        }
        stream.endObject()
        return String(decoding: stream.finished(), as: UTF8.self)
    }
}
