/// One project's part of a fan-out starting or ending. Both engines report through it: the
/// non-blocking `FanOut` for reads (through `FanOutOptions.engine`) and `BoundedWorkers` for
/// writes, so a front end shows progress one way for every fleet command.
public enum ProjectProgress: Sendable, Equatable {
    case started(project: String)
    /// `sizeBytes` is the size of what the project's part wrote, when it writes a file (a backup).
    case finished(project: String, outcome: ProjectOutcome, sizeBytes: Int64? = nil, seconds: Double)
}

/// Where a fan-out reports progress. It is called from the fan-out's own threads, one call at a
/// time per project, so it must be quick and thread-safe (the CLI prints a line to stderr).
public typealias FanOutProgress = @Sendable (ProjectProgress) -> Void

/// A write's result for one project, as `BoundedWorkers` reports it when the project's part ends.
protocol ProjectReport: Sendable {
    var project: String { get }
    var outcome: ProjectOutcome { get }
}

extension BoundedWorkers {
    /// `map`, reporting each item's start (named by `project`) and its result to `progress`.
    static func map<Item: Sendable, Output: ProjectReport>(
        _ items: [Item], concurrency: Int, timeout: Double, progress: FanOutProgress?,
        project: @escaping @Sendable (Item) -> String,
        _ body: @escaping @Sendable (Item, ProjectConversation) -> Output
    ) -> [Output] {
        guard let progress else { return map(items, concurrency: concurrency, timeout: timeout, body) }
        return map(items, concurrency: concurrency, timeout: timeout) { item, conversation in
            progress(.started(project: project(item)))
            let clock = ContinuousClock()
            let start = clock.now
            let output = body(item, conversation)
            progress(.finished(project: output.project, outcome: output.outcome, seconds: (clock.now - start).seconds))
            return output
        }
    }
}

extension ProjectSyncResult: ProjectReport {}
extension MetadataInstallResult: ProjectReport {}
extension ScanResult: ProjectReport {}
extension MigrationResult: ProjectReport {}
