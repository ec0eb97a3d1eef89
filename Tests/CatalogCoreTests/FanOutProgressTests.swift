import CatalogCore
import CatalogTestSupport
import Foundation
import Synchronization
import Testing

/// Reads (the non-blocking `FanOut`) and writes (`BoundedWorkers`) report progress through the
/// same `FanOutProgress`: each project starts once and ends once, with its outcome.
@Suite struct FanOutProgressTests {
    final class Collector: Sendable {
        let events = Mutex<[ProjectProgress]>([])
        var progress: FanOutProgress { { event in self.events.withLock { $0.append(event) } } }

        func started() -> [String] {
            events.withLock { $0 }.compactMap { if case .started(let project) = $0 { project } else { nil } }.sorted()
        }

        func finished() -> [String: String] {
            Dictionary(
                uniqueKeysWithValues: events.withLock { $0 }.compactMap { event -> (String, String)? in
                    if case .finished(let project, let outcome, _, let seconds) = event, seconds >= 0 { (project, outcome.label) } else { nil }
                })
        }
    }

    @Test("a read (a live search) reports each project's start and end")
    func readReportsProgress() throws {
        let fleet = try FixtureFleet.make(["crm", "shop"])
        let collector = Collector()
        let result = try fleet.catalog.search(SearchQuery(.column, name: "email"), options: FanOutOptions(progress: collector.progress))
        #expect(!result.matches.isEmpty)
        #expect(collector.started() == ["crm", "shop"])
        #expect(collector.finished() == ["crm": "ok", "shop": "ok"])
    }

    @Test("a write (metadata scan) reports each project's start and end through the same type")
    func writeReportsProgress() throws {
        let fleet = try FixtureFleet.make(["crm", "shop"])
        let dead = "postgresql://postgres@127.0.0.1:\(try TemporaryCluster.freePort())/x"
        try fleet.catalog.addProject(name: "dead", dsn: dead)
        let collector = Collector()
        let results = try fleet.catalog.scanMetadata(.everything, options: FanOutOptions(concurrency: 2, timeout: 5, progress: collector.progress))
        #expect(results.count == 3)
        #expect(collector.started() == ["crm", "dead", "shop"])
        #expect(collector.finished() == ["crm": "ok", "dead": "failed", "shop": "ok"])
    }
}
